// A model provider: its base URL, the model's name, and its API key, which is never shown: only whether one is set,
// a field to replace it and a way to remove it.
import type { MessageKey } from '../../../lib/i18n';
import { useI18n } from '../../../lib/i18n';
import type { KeyDraft } from '../lib/draft';
import { Field } from './Field';

interface Props {
  kind: 'llm' | 'embeddings';
  baseUrl: string;
  model: string;
  keyDraft: KeyDraft;
  onChange: (change: { baseUrl?: string; model?: string; keyDraft?: KeyDraft }) => void;
  errorOf: (field: string) => string | null;
}

export function ProviderFields({ kind, baseUrl, model, keyDraft, onChange, errorOf }: Props) {
  const { t } = useI18n();
  const key = (suffix: string) => `aiStudio.${kind}.${suffix}` as MessageKey;
  const keyName = t(key('key'));
  const baseUrlField = kind === 'llm' ? 'llm_base_url' : 'embeddings_base_url';
  const modelField = kind === 'llm' ? 'model' : 'embeddings_model';
  const keyField = kind === 'llm' ? 'llm_api_key' : 'embeddings_api_key';
  const status = keyDraft.remove
    ? t('aiStudio.key.removing')
    : keyDraft.isSet
      ? t('aiStudio.key.set')
      : t('aiStudio.key.notSet');
  return (
    <fieldset className="studio-group">
      <legend>{t(key('title'))}</legend>
      <Field label={t(key('baseUrl'))} hint={t('aiStudio.baseUrl.hint')} error={errorOf(baseUrlField)}>
        {(props) => (
          <input {...props} type="url" value={baseUrl} onChange={(event) => onChange({ baseUrl: event.target.value })} />
        )}
      </Field>
      <Field label={t(key('model'))} error={errorOf(modelField)}>
        {(props) => <input {...props} value={model} onChange={(event) => onChange({ model: event.target.value })} />}
      </Field>
      <p className="muted" role="status">
        {t('aiStudio.key.status', { name: keyName, status })}
      </p>
      <div className="row studio-key">
        <Field label={t('aiStudio.key.replace', { name: keyName })} error={errorOf(keyField)} className="grow">
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="new-password"
              value={keyDraft.replacement}
              onChange={(event) => onChange({ keyDraft: { ...keyDraft, replacement: event.target.value, remove: false } })}
            />
          )}
        </Field>
        {keyDraft.isSet && (
          <button
            type="button"
            className="button danger"
            aria-pressed={keyDraft.remove}
            onClick={() => onChange({ keyDraft: { ...keyDraft, replacement: '', remove: !keyDraft.remove } })}
          >
            {keyDraft.remove ? t('aiStudio.key.keep', { name: keyName }) : t('aiStudio.key.remove', { name: keyName })}
          </button>
        )}
      </div>
    </fieldset>
  );
}
