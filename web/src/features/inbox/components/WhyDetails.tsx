// "Why this answer": what the agent decided for a bot reply and on what grounds (triage, sources and their scores,
// each stage's time), from the reply's trace.
import { SourceList, type Source } from '../../../components/SourceList';
import type { Trace } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';

interface Stage {
  stage?: string;
  us?: number;
  source?: string;
  confidence?: number;
}

export function WhyDetails({ trace }: { trace: Trace }) {
  const { t, code } = useI18n();
  const detail = (trace.detail ?? {}) as { sources?: Source[]; trace?: Stage[] };
  const stages = Array.isArray(detail.trace) ? detail.trace : [];
  const sources = Array.isArray(detail.sources) ? detail.sources : [];
  const triage = stages.find((stage) => stage.stage === 'triage');
  return (
    <details className="why">
      <summary>{t('thread.why')}</summary>
      <dl>
        <dt>{t('thread.decision')}</dt>
        <dd>{code('decision', trace.decision)}</dd>
        <dt>{t('thread.reason')}</dt>
        <dd>{code('reason', trace.reason)}</dd>
      </dl>
      {triage && (
        <p>
          {t('thread.triage', {
            source: String(triage.source ?? ''),
            confidence: typeof triage.confidence === 'number' ? triage.confidence.toFixed(2) : '',
          })}
        </p>
      )}
      <h4>{t('thread.sources')}</h4>
      <SourceList sources={sources} />
      {stages.length > 0 && (
        <>
          <h4>{t('thread.stages')}</h4>
          <ul className="stages">
            {stages.map((stage, index) => (
              <li key={index}>
                {t('thread.stage', { stage: String(stage.stage ?? '?'), ms: ((stage.us ?? 0) / 1000).toFixed(1) })}
              </li>
            ))}
          </ul>
        </>
      )}
      <details>
        <summary>{t('thread.rawTrace')}</summary>
        <pre>{JSON.stringify(trace.detail, null, 2)}</pre>
      </details>
    </details>
  );
}
