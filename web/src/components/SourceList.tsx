// The passages an answer or a draft rests on, in rank order: the document's name, the retrieval score and the text.
// Shown by the inbox (a draft, "why this answer") and the AI studio's playground alike.
import type { components } from '../lib/api/schema.gen';
import { useI18n } from '../lib/i18n';

/** A source as the API describes it; a trace's detail is free-form JSON, so any field may be missing there. */
export type Source = Partial<components['schemas']['Source']>;

export function SourceList({ sources }: { sources: readonly Source[] }) {
  const { t } = useI18n();
  if (sources.length === 0) return <p className="muted">{t('thread.noSources')}</p>;
  return (
    <ol className="sources">
      {sources.map((source, index) => (
        <li key={source.chunk_id ?? index}>
          <strong>{source.name}</strong>{' '}
          {typeof source.score === 'number' && (
            <span className="muted">{t('thread.score', { score: source.score.toFixed(2) })}</span>
          )}
          {source.text && <blockquote>{source.text}</blockquote>}
        </li>
      ))}
    </ol>
  );
}
