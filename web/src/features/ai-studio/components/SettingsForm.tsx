// The assistant's settings in sections: persona, model and provider, thresholds, batch window, the bot's messages,
// triage and business hours. Saving sends the form; a refusal is shown beside the field the server names.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../../lib/api/client';
import type { MessageKey } from '../../../lib/i18n';
import { useI18n } from '../../../lib/i18n';
import { useSaveAiSettings, type AiSettings } from '../api/settings';
import {
  commentReplies,
  unheardVoiceNotes,
  refusedField,
  toChanges,
  toDraft,
  triableReasons,
  type BotMessage,
  type Draft,
  type NumberField,
} from '../lib/draft';
import { BusinessHoursSection } from './BusinessHoursSection';
import { Field } from './Field';
import { MessagesSection } from './MessagesSection';
import { ProviderFields } from './ProviderFields';

const answerLanguages = ['auto', 'en', 'fr', 'de', 'es', 'it', 'pt', 'nl'];

const thresholds: Array<{ field: NumberField; label: MessageKey; step: string }> = [
  { field: 'min_relevance', label: 'aiStudio.minRelevance', step: '0.01' },
  { field: 'top_k', label: 'aiStudio.topK', step: '1' },
  { field: 'temperature', label: 'aiStudio.temperature', step: '0.1' },
  { field: 'max_tokens', label: 'aiStudio.maxTokens', step: '1' },
  { field: 'history_turns', label: 'aiStudio.historyTurns', step: '1' },
];

export function SettingsForm({ settings, timeZone }: { settings: AiSettings; timeZone: string | null }) {
  const { t, code } = useI18n();
  const save = useSaveAiSettings();
  const [draft, setDraft] = useState<Draft>(() => toDraft(settings));
  const update = (change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change }));
  const setMessage = (language: string, message: BotMessage, text: string) =>
    setDraft((current) => ({
      ...current,
      messages: { ...current.messages, [language]: { ...current.messages[language], [message]: text } },
    }));
  const refusal = save.error instanceof ApiError && save.error.status === 400 ? save.error.message : null;
  const refused = refusal ? refusedField(refusal) : null;
  const errorOf = (field: string) => (refused === field ? refusal : null);
  const builtin = (settings.builtin_messages ?? {}) as Record<string, Record<string, string>>;
  const defaultLanguage = String(settings.language ?? 'en');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(toChanges(draft), { onSuccess: (saved) => setDraft(toDraft(saved)) });
  };

  return (
    <form className="studio-form" onSubmit={submit} noValidate>
      <section aria-labelledby="studio-persona" className="studio-section">
        <h3 id="studio-persona">{t('aiStudio.persona.title')}</h3>
        <label className="check">
          <input type="checkbox" checked={draft.enabled} onChange={(event) => update({ enabled: event.target.checked })} />
          {t('aiStudio.enabled')}
        </label>
        <Field label={t('aiStudio.persona')} error={errorOf('persona')}>
          {(props) => (
            <textarea {...props} rows={4} value={draft.persona} onChange={(event) => update({ persona: event.target.value })} />
          )}
        </Field>
        <Field label={t('aiStudio.answerLanguage')} error={errorOf('answer_language')}>
          {(props) => (
            <select {...props} value={draft.answer_language} onChange={(event) => update({ answer_language: event.target.value })}>
              {answerLanguages.map((language) => (
                <option key={language} value={language}>
                  {language === 'auto' ? t('aiStudio.answerLanguage.auto') : language}
                </option>
              ))}
            </select>
          )}
        </Field>
      </section>

      <section aria-labelledby="studio-model" className="studio-section">
        <h3 id="studio-model">{t('aiStudio.model.title')}</h3>
        <ProviderFields
          kind="llm"
          baseUrl={draft.llm_base_url}
          model={draft.model}
          keyDraft={draft.llmKey}
          errorOf={errorOf}
          onChange={(change) =>
            update({
              llm_base_url: change.baseUrl ?? draft.llm_base_url,
              model: change.model ?? draft.model,
              llmKey: change.keyDraft ?? draft.llmKey,
            })
          }
        />
        <label className="check">
          <input
            type="checkbox"
            checked={draft.llm_vision}
            onChange={(event) => update({ llm_vision: event.target.checked })}
          />
          {t('aiStudio.llm.vision')}
        </label>
        <ProviderFields
          kind="embeddings"
          baseUrl={draft.embeddings_base_url}
          model={draft.embeddings_model}
          keyDraft={draft.embeddingsKey}
          errorOf={errorOf}
          onChange={(change) =>
            update({
              embeddings_base_url: change.baseUrl ?? draft.embeddings_base_url,
              embeddings_model: change.model ?? draft.embeddings_model,
              embeddingsKey: change.keyDraft ?? draft.embeddingsKey,
            })
          }
        />
      </section>

      <section aria-labelledby="studio-thresholds" className="studio-section">
        <h3 id="studio-thresholds">{t('aiStudio.thresholds.title')}</h3>
        <div className="studio-grid">
          {thresholds.map(({ field, label, step }) => (
            <Field key={field} label={t(label)} error={errorOf(field)}>
              {(props) => (
                <input
                  {...props}
                  type="number"
                  step={step}
                  value={draft.numbers[field]}
                  onChange={(event) => update({ numbers: { ...draft.numbers, [field]: event.target.value } })}
                />
              )}
            </Field>
          ))}
        </div>
      </section>

      <section aria-labelledby="studio-batch" className="studio-section">
        <h3 id="studio-batch">{t('aiStudio.batch.title')}</h3>
        <Field label={t('aiStudio.batchWindow')} hint={t('aiStudio.batch.hint')} error={errorOf('batch_window_ms')}>
          {(props) => (
            <input
              {...props}
              type="number"
              min={0}
              max={60000}
              step={100}
              value={draft.numbers.batch_window_ms}
              onChange={(event) => update({ numbers: { ...draft.numbers, batch_window_ms: event.target.value } })}
            />
          )}
        </Field>
      </section>

      <MessagesSection
        messages={draft.messages}
        builtin={builtin}
        defaultLanguage={defaultLanguage}
        onChange={setMessage}
        errorOf={errorOf}
      />

      <section aria-labelledby="studio-triage" className="studio-section">
        <h3 id="studio-triage">{t('aiStudio.triage.title')}</h3>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.answer_greetings}
            onChange={(event) => update({ answer_greetings: event.target.checked })}
          />
          {t('aiStudio.triage.greetings')}
        </label>
        <fieldset className="studio-group">
          <legend>{t('aiStudio.triage.tryFirst')}</legend>
          <p className="muted">{t('aiStudio.triage.tryFirstHint')}</p>
          {triableReasons.map((reason) => (
            <label key={reason} className="check">
              <input
                type="checkbox"
                checked={draft.try_to_answer.includes(reason)}
                onChange={(event) =>
                  update({
                    try_to_answer: event.target.checked
                      ? [...draft.try_to_answer, reason]
                      : draft.try_to_answer.filter((r) => r !== reason),
                  })
                }
              />
              {code('reason', reason)}
            </label>
          ))}
          {errorOf('triage.try_to_answer') && <p className="error-text">{errorOf('triage.try_to_answer')}</p>}
        </fieldset>
      </section>

      <section aria-labelledby="studio-comments" className="studio-section">
        <h3 id="studio-comments">{t('aiStudio.comments.title')}</h3>
        <Field label={t('aiStudio.comments')} hint={t('aiStudio.comments.hint')} error={errorOf('comment_replies')}>
          {(props) => (
            <select {...props} value={draft.comment_replies} onChange={(event) => update({ comment_replies: event.target.value })}>
              {commentReplies.map((mode) => (
                <option key={mode} value={mode}>
                  {t(`aiStudio.comments.${mode}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </section>

      <section aria-labelledby="studio-voice-notes" className="studio-section">
        <h3 id="studio-voice-notes">{t('aiStudio.voiceNotes.title')}</h3>
        <Field label={t('aiStudio.voiceNotes')} hint={t('aiStudio.voiceNotes.hint')} error={errorOf('unheard_voice_notes')}>
          {(props) => (
            <select
              {...props}
              value={draft.unheard_voice_notes}
              onChange={(event) => update({ unheard_voice_notes: event.target.value })}
            >
              {unheardVoiceNotes.map((choice) => (
                <option key={choice} value={choice}>
                  {t(`aiStudio.voiceNotes.${choice}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </section>

      <BusinessHoursSection
        draft={draft}
        timeZone={timeZone}
        outOfHoursLanguage={defaultLanguage}
        builtinOutOfHours={builtin[defaultLanguage]?.out_of_hours ?? builtin.en?.out_of_hours ?? ''}
        onChange={update}
        onOutOfHoursChange={(text) => setMessage(defaultLanguage, 'out_of_hours', text)}
        errorOf={errorOf}
      />

      <div className="row studio-save">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {save.isPending ? t('aiStudio.saving') : t('aiStudio.save')}
        </button>
        <p role="status" className="muted">
          {save.isSuccess ? t('aiStudio.saved') : ''}
        </p>
      </div>
      {save.error && (
        <div className="error" role="alert">
          {refusal ? t('aiStudio.refused', { message: refusal }) : t('app.error', { message: save.error.message })}
        </div>
      )}
    </form>
  );
}
