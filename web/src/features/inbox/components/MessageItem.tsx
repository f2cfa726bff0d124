import type { Message, Trace } from '../../../lib/api/types';
import { useI18n, type MessageKey } from '../../../lib/i18n';
import { useModerateComment } from '../api/conversations';
import { MessageMedia } from './MessageMedia';
import { carriesMedia, mediaLabel } from './messageText';
import { WhyDetails } from './WhyDetails';

const ticks: Record<string, { mark: string; label: MessageKey }> = {
  queued: { mark: '◷', label: 'status.queued' },
  sending: { mark: '◷', label: 'status.sending' },
  sent: { mark: '✓', label: 'status.sent' },
  delivered: { mark: '✓✓', label: 'status.delivered' },
  read: { mark: '✓✓', label: 'status.read' },
  failed: { mark: '!', label: 'status.failed' },
};

function DeliveryStatus({ message }: { message: Message }) {
  const { t } = useI18n();
  const tick = ticks[String(message.status)];
  if (!tick) return null;
  const error = message.error as { title?: string; detail?: string; code?: number | string } | null | undefined;
  const failed = message.status === 'failed';
  const reason = [error?.title, error?.detail].filter(Boolean).join(': ');
  const label = failed ? t('status.failedWith', { error: reason || t('status.failed') }) : t(tick.label);
  return (
    <span className={`ticks ${String(message.status)}`} title={label}>
      <span aria-hidden="true">{tick.mark}</span>
      <span className="visually-hidden">{label}</span>
      {failed && (
        <span className="failure" aria-hidden="true">
          {label}
        </span>
      )}
    </span>
  );
}

/** A customer's public comment: people hide it, show it again or delete it on the platform from here. */
function CommentActions({ message }: { message: Message }) {
  const { t } = useI18n();
  const moderate = useModerateComment(Number(message.conversation_id), Number(message.id));
  const comment = message.comment as { hidden?: boolean } | undefined;
  if (message.status === 'deleted') return <p className="comment-state">{t('comment.deleted')}</p>;
  const hidden = comment?.hidden === true;
  return (
    <div className="comment-actions">
      {hidden && <span className="comment-state">{t('comment.hidden')}</span>}
      <button type="button" disabled={moderate.isPending} onClick={() => moderate.mutate(hidden ? 'unhide' : 'hide')}>
        {hidden ? t('comment.unhide') : t('comment.hide')}
      </button>
      <button
        type="button"
        disabled={moderate.isPending}
        onClick={() => {
          if (window.confirm(t('comment.confirmDelete'))) moderate.mutate('delete');
        }}
      >
        {t('comment.delete')}
      </button>
      {moderate.isError && (
        <span role="alert">{t('comment.failed', { error: moderate.error.message })}</span>
      )}
    </div>
  );
}

export function MessageItem({ message, trace }: { message: Message; trace: Trace | undefined }) {
  const { t, formatDateTime } = useI18n();
  const type = String(message.type);
  const isNote = type === 'note';
  const author = isNote
    ? t('thread.note')
    : message.direction === 'in'
      ? t('thread.customer')
      : trace || message.sent_by === 'bot'
        ? t('thread.bot')
        : t('thread.person');
  return (
    <div className={`message ${isNote ? 'note' : String(message.direction)}`}>
      <div className="bubble">
        <span className="author">{author}</span>
        {message.media ? (
          <MessageMedia type={type} media={message.media} />
        ) : (
          (carriesMedia(type) || (!message.text && type !== 'text' && !isNote)) && (
            <p className="media-placeholder">{mediaLabel(type, t)}</p>
          )
        )}
        {message.text && <p className="text">{message.text}</p>}
        {type === 'comment' && message.direction === 'in' && <CommentActions message={message} />}
        <span className="meta">
          <time dateTime={message.created_at}>{formatDateTime(message.created_at)}</time>
          {message.direction === 'out' && !isNote && <DeliveryStatus message={message} />}
        </span>
      </div>
      {trace && <WhyDetails trace={trace} />}
    </div>
  );
}
