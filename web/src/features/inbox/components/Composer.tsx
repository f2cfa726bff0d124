// The reply box: Enter sends, Shift+Enter starts a new line; the box clears once the server has queued the reply.
import { forwardRef, type FormEvent, type KeyboardEvent } from 'react';
import { useI18n } from '../../../lib/i18n';

interface Props {
  value: string;
  onChange: (value: string) => void;
  onSend: (text: string) => void;
  sending: boolean;
  error: Error | null;
}

export const Composer = forwardRef<HTMLTextAreaElement, Props>(function Composer(
  { value, onChange, onSend, sending, error },
  ref,
) {
  const { t } = useI18n();
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const text = value.trim();
    if (text && !sending) onSend(text);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };
  return (
    <form className="composer" onSubmit={submit}>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      <div className="composer-row">
        <textarea
          id="composer"
          ref={ref}
          aria-label={t('thread.reply')}
          placeholder={t('thread.reply')}
          rows={2}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="button primary" disabled={sending || !value.trim()}>
          {sending ? t('thread.sending') : t('thread.send')}
        </button>
      </div>
    </form>
  );
});
