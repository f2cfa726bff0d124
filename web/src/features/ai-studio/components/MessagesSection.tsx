// The bot's own messages in one language at a time: the built-in text shows in each empty field, and the business
// writes its own over it or resets it to the built-in one.
import { useState } from 'react';
import type { MessageKey } from '../../../lib/i18n';
import { useI18n } from '../../../lib/i18n';
import { botMessages, type BotMessage, type Draft } from '../lib/draft';
import { Field } from './Field';

interface Props {
  messages: Draft['messages'];
  builtin: Record<string, Record<string, string>>;
  defaultLanguage: string;
  onChange: (language: string, message: BotMessage, text: string) => void;
  errorOf: (field: string) => string | null;
}

/** The language's name in the interface's language ("French", "français"); the code when the browser has none. */
export function languageName(code: string, inLanguage: string): string {
  try {
    return new Intl.DisplayNames([inLanguage], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function MessagesSection({ messages, builtin, defaultLanguage, onChange, errorOf }: Props) {
  const { t, language: uiLanguage } = useI18n();
  const languages = Array.from(new Set([...Object.keys(builtin), ...Object.keys(messages)]));
  const [language, setLanguage] = useState(defaultLanguage in builtin ? defaultLanguage : (languages[0] ?? 'en'));
  const texts = messages[language] ?? {};
  return (
    <section aria-labelledby="studio-messages" className="studio-section">
      <h3 id="studio-messages">{t('aiStudio.messages.title')}</h3>
      <p className="muted">{t('aiStudio.messages.hint')}</p>
      <Field label={t('aiStudio.messages.language')}>
        {(props) => (
          <select {...props} value={language} onChange={(event) => setLanguage(event.target.value)}>
            {languages.map((code) => (
              <option key={code} value={code}>
                {languageName(code, uiLanguage)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {botMessages.map((message) => {
        const name = t(`aiStudio.message.${message}` as MessageKey);
        return (
          <div key={message} className="row studio-message">
            <Field label={name} error={errorOf(`messages.${language}.${message}`)} className="grow">
              {(props) => (
                <textarea
                  {...props}
                  rows={2}
                  lang={language}
                  placeholder={builtin[language]?.[message] ?? builtin.en?.[message] ?? ''}
                  value={texts[message] ?? ''}
                  onChange={(event) => onChange(language, message, event.target.value)}
                />
              )}
            </Field>
            <button
              type="button"
              className="button"
              aria-label={t('aiStudio.messages.reset', { name })}
              disabled={!texts[message]}
              onClick={() => onChange(language, message, '')}
            >
              {t('aiStudio.messages.resetLabel')}
            </button>
          </div>
        );
      })}
    </section>
  );
}
