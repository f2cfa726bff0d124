// The playground: ask what a customer would, see the answer, its sources and the agent's trace side by side.
import { useState, type FormEvent } from 'react';
import { SourceList, type Source } from '../../../components/SourceList';
import { ErrorMessage } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useAsk } from '../api/playground';

export function Playground() {
  const { t, code } = useI18n();
  const ask = useAsk();
  const [question, setQuestion] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (question.trim()) ask.mutate(question.trim());
  };
  const answer = ask.data;
  const draft = answer?.draft as { text?: string; sources?: Source[] } | null | undefined;
  return (
    <div>
      <form className="row playground-form" onSubmit={submit}>
        <label className="field grow">
          <span>{t('studio.question')}</span>
          <input value={question} onChange={(event) => setQuestion(event.target.value)} />
        </label>
        <button type="submit" className="button primary" disabled={ask.isPending || !question.trim()}>
          {ask.isPending ? t('studio.asking') : t('studio.ask')}
        </button>
      </form>
      {ask.error && <ErrorMessage error={ask.error} />}
      {answer && (
        <div className="columns">
          <section aria-labelledby="studio-answer">
            <h3 id="studio-answer">{t('studio.answer')}</h3>
            <p className="muted">{t('studio.decision', { decision: code('decision', answer.decision), reason: code('reason', answer.reason) })}</p>
            <blockquote className="answer">{answer.answer}</blockquote>
            <h4>{t('thread.sources')}</h4>
            <SourceList sources={answer.sources ?? []} />
            {draft?.text && (
              <>
                <h4>{t('studio.draft')}</h4>
                <blockquote>{draft.text}</blockquote>
                <SourceList sources={draft.sources ?? []} />
              </>
            )}
          </section>
          <section aria-labelledby="studio-trace">
            <h3 id="studio-trace">{t('studio.trace')}</h3>
            <pre className="trace">{JSON.stringify(answer.trace, null, 2)}</pre>
          </section>
        </div>
      )}
    </div>
  );
}
