// The reply box: Enter sends, Shift+Enter starts a new line; the box clears once the server has queued the reply.
// Typing "/" and a shortcut lists the tenant's canned replies (arrows to choose, Enter or a click to insert);
// "Add private note" keeps the text in the thread for the team only. "Attach file" (where the platform takes files
// from people) adds one file, sent with the typed text as its caption; its name shows with a button to remove it.
import { forwardRef, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useI18n } from '../../../lib/i18n';
import { useCannedReplies } from '../api/conversations';

interface CannedReply {
  id: number;
  shortcut: string;
  text: string;
}

interface Props {
  value: string;
  onChange: (value: string) => void;
  /** The typed text; with a file attached, its caption (may be empty). */
  onSend: (text: string) => void;
  /** The file to send with the next reply; null when none. */
  file: File | null;
  onFile: (file: File | null) => void;
  /** The conversation's platform takes files from people. */
  canAttach: boolean;
  onNote: (text: string) => void;
  sending: boolean;
  error: Error | null;
}

export const Composer = forwardRef<HTMLTextAreaElement, Props>(function Composer(
  { value, onChange, onSend, file, onFile, canAttach, onNote, sending, error },
  ref,
) {
  const { t } = useI18n();
  const picker = useRef<HTMLInputElement>(null);
  const prefix = /^\/[a-z0-9_-]*$/i.test(value) ? value.slice(1).toLowerCase() : null;
  const canned = useCannedReplies(prefix);
  const options = prefix === null ? [] : ((canned.data?.data ?? []) as CannedReply[]);
  const [active, setActive] = useState(0);
  const showOptions = prefix !== null && canned.isSuccess;
  const activeOption = options[Math.min(active, options.length - 1)];

  const insert = (reply: CannedReply) => {
    onChange(reply.text);
    setActive(0);
  };
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const text = value.trim();
    if ((text || file) && !sending) onSend(text);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (showOptions && options.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((active + step + options.length) % options.length);
        return;
      }
      if (event.key === 'Enter' && activeOption) {
        event.preventDefault();
        insert(activeOption);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };
  return (
    <form className="composer" onSubmit={submit}>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {showOptions && (
        <ul id="canned-replies" role="listbox" aria-label={t('thread.cannedReplies')} className="canned">
          {options.length === 0 && <li className="muted">{t('thread.noCanned', { prefix: prefix ?? '' })}</li>}
          {options.map((reply) => (
            <li
              key={reply.id}
              id={`canned-${reply.id}`}
              role="option"
              aria-selected={reply === activeOption}
              onMouseDown={(event) => {
                event.preventDefault();
                insert(reply);
              }}
            >
              <strong>/{reply.shortcut}</strong> <span className="muted">{reply.text}</span>
            </li>
          ))}
        </ul>
      )}
      {file && (
        <p className="composer-file">
          <span>{t('thread.attached', { name: file.name })}</span>{' '}
          <button type="button" className="button link" onClick={() => onFile(null)}>
            {t('thread.removeFile', { name: file.name })}
          </button>
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
          aria-controls={showOptions ? 'canned-replies' : undefined}
          aria-activedescendant={showOptions && activeOption ? `canned-${activeOption.id}` : undefined}
          onChange={(event) => {
            onChange(event.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        <div className="composer-buttons">
          {canAttach && (
            <>
              <input
                ref={picker}
                type="file"
                hidden
                aria-label={t('thread.attachFile')}
                onChange={(event) => {
                  onFile(event.target.files?.[0] ?? null);
                  event.target.value = '';
                }}
              />
              <button type="button" className="button" onClick={() => picker.current?.click()}>
                {t('thread.attachFile')}
              </button>
            </>
          )}
          <button type="submit" className="button primary" disabled={sending || (!value.trim() && !file)}>
            {sending ? t('thread.sending') : t('thread.send')}
          </button>
          <button type="button" className="button" disabled={!value.trim()} onClick={() => onNote(value.trim())}>
            {t('thread.addNote')}
          </button>
        </div>
      </div>
    </form>
  );
});
