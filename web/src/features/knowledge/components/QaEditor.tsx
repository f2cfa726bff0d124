// The Q&A pairs the bot answers from word for word: search them, add one, edit or delete one. Several phrasings of a
// question go one per line; the bot matches paraphrases of them too. Agents read the list; admins change it.
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorMessage, Loading } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useMe } from '../../../lib/session';
import { useAddQa, useDeleteQa, useQaPairs, useUpdateQa, type QaPair, type QaPairInput } from '../api/qa';

/** Lower case without accents, so that "cafe" finds "Café". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

function matches(pair: QaPair, words: string[]): boolean {
  const text = fold([...(pair.questions as string[]), pair.answer].join('\n'));
  return words.every((word) => text.includes(word));
}

function toInput(questions: string, answer: string): QaPairInput {
  return {
    questions: questions
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
    answer: answer.trim(),
  };
}

interface FormProps {
  idPrefix: string;
  initial?: QaPair;
  submitLabel: string;
  pending: boolean;
  onSubmit: (pair: QaPairInput) => void;
  onCancel?: () => void;
}

function QaForm({ idPrefix, initial, submitLabel, pending, onSubmit, onCancel }: FormProps) {
  const { t } = useI18n();
  const [questions, setQuestions] = useState(((initial?.questions as string[] | undefined) ?? []).join('\n'));
  const [answer, setAnswer] = useState(initial?.answer ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(toInput(questions, answer));
  };
  const ready = questions.trim() !== '' && answer.trim() !== '';
  return (
    <form className="qa-form" onSubmit={submit}>
      <label className="field" htmlFor={`${idPrefix}-questions`}>
        <span>{t('knowledge.qa.questions')}</span>
        <textarea
          id={`${idPrefix}-questions`}
          rows={2}
          value={questions}
          onChange={(event) => setQuestions(event.target.value)}
        />
      </label>
      <label className="field" htmlFor={`${idPrefix}-answer`}>
        <span>{t('knowledge.qa.answer')}</span>
        <textarea id={`${idPrefix}-answer`} rows={3} value={answer} onChange={(event) => setAnswer(event.target.value)} />
      </label>
      <div className="row">
        <button type="submit" className="button primary" disabled={pending || !ready}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            {t('app.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

export function QaEditor() {
  const { t } = useI18n();
  const me = useMe();
  const canEdit = me.data?.role === 'owner' || me.data?.role === 'admin';
  const pairs = useQaPairs();
  const add = useAddQa();
  const update = useUpdateQa();
  const remove = useDeleteQa();
  const [search, setSearch] = useState('');
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<number | null>(null);
  const [toDelete, setToDelete] = useState<QaPair | null>(null);

  const words = fold(search).split(/\s+/).filter(Boolean);
  const all = pairs.data ?? [];
  const shown = words.length > 0 ? all.filter((pair) => matches(pair, words)) : all;
  const firstQuestion = (pair: QaPair) => String((pair.questions as string[])[0] ?? '');
  const failure = add.error ?? update.error ?? remove.error;

  return (
    <section aria-labelledby="qa-title" className="qa-editor">
      <h2 id="qa-title">{t('knowledge.qa.title')}</h2>
      <p className="muted">{t('knowledge.qa.intro')}</p>
      <div className="row">
        <label className="field grow" htmlFor="qa-search">
          <span>{t('knowledge.qa.search')}</span>
          <input id="qa-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </label>
        {canEdit && !adding && (
          <button type="button" className="button primary" onClick={() => setAdding(true)}>
            {t('knowledge.qa.add')}
          </button>
        )}
      </div>
      {adding && (
        <QaForm
          idPrefix="qa-new"
          submitLabel={t('knowledge.qa.create')}
          pending={add.isPending}
          onCancel={() => setAdding(false)}
          onSubmit={(pair) => add.mutate(pair, { onSuccess: () => setAdding(false) })}
        />
      )}
      {failure && <ErrorMessage error={failure} />}
      {pairs.isPending ? (
        <Loading />
      ) : pairs.error ? (
        <ErrorMessage error={pairs.error} onRetry={() => void pairs.refetch()} />
      ) : all.length === 0 ? (
        <p className="muted">{t('knowledge.qa.empty')}</p>
      ) : (
        <>
          <p className="muted" role="status">
            {t('knowledge.qa.count', { shown: shown.length, total: all.length })}
          </p>
          <ul className="qa-list">
            {shown.map((pair) => (
              <li key={pair.id} className="qa-item">
                {editing === pair.id ? (
                  <QaForm
                    idPrefix={`qa-${pair.id}`}
                    initial={pair}
                    submitLabel={t('knowledge.qa.save')}
                    pending={update.isPending}
                    onCancel={() => setEditing(null)}
                    onSubmit={(input) => update.mutate({ id: pair.id, pair: input }, { onSuccess: () => setEditing(null) })}
                  />
                ) : (
                  <>
                    <ul className="qa-questions">
                      {(pair.questions as string[]).map((question, index) => (
                        <li key={index}>
                          <strong>{question}</strong>
                        </li>
                      ))}
                    </ul>
                    <p className="qa-answer">{pair.answer}</p>
                    {pair.document_id !== null && <p className="muted">{t('knowledge.qa.fromFile')}</p>}
                    {canEdit && (
                      <div className="row">
                        <button
                          type="button"
                          className="button"
                          aria-label={t('knowledge.qa.editNamed', { question: firstQuestion(pair) })}
                          onClick={() => setEditing(pair.id)}
                        >
                          {t('knowledge.qa.edit')}
                        </button>
                        <button
                          type="button"
                          className="button danger"
                          aria-label={t('knowledge.qa.deleteNamed', { question: firstQuestion(pair) })}
                          onClick={() => setToDelete(pair)}
                        >
                          {t('knowledge.delete')}
                        </button>
                      </div>
                    )}
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <ConfirmDialog
        open={toDelete !== null}
        onOpenChange={(open) => !open && setToDelete(null)}
        title={t('knowledge.qa.deleteNamed', { question: toDelete ? firstQuestion(toDelete) : '' })}
        description={t('knowledge.qa.confirmDelete')}
        confirmLabel={t('knowledge.delete')}
        onConfirm={() => toDelete && remove.mutate(toDelete.id)}
      />
    </section>
  );
}
