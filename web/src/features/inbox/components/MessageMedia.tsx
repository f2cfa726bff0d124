import type { Message } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { mediaKind } from './messageText';

type Media = NonNullable<Message['media']>;

/**
 * A customer's photo, voice note, video, document or sticker as the thread shows it: the thumbnail (opening the full
 * image), a player, or a download link, with what Parley read from it (the transcript of a voice note, the text of a
 * photo or of a PDF). The links are signed and expire; the thread's next load brings fresh ones. A file Parley does not
 * keep (Instagram, Messenger) shows through the platform's own link from the start, while it is read and whatever
 * reading it came to.
 */
export function MessageMedia({ type, media }: { type: string; media: Media }) {
  const { t, formatBytes } = useI18n();
  const kind = t(mediaKind(type));
  if (!media.url) {
    if (media.status === 'pending') return <p className="media-status">{t('media.pending', { kind })}</p>;
    return (
      <p className="media-status failure">
        {media.error ? t('media.unavailableWith', { kind, reason: media.error }) : t('media.unavailable', { kind })}
      </p>
    );
  }
  const size = media.bytes != null ? formatBytes(media.bytes) : null;
  return (
    <figure className="media">
      {type === 'image' || type === 'sticker' ? (
        <a
          href={media.url}
          target="_blank"
          rel="noreferrer"
          aria-label={size ? t('media.open', { kind, size }) : t('media.openUnsized', { kind })}
        >
          <img src={media.thumbnail_url ?? media.url} alt={kind} loading="lazy" />
        </a>
      ) : type === 'audio' || type === 'voice' ? (
        <audio controls preload="none" src={media.url} aria-label={kind} />
      ) : type === 'video' ? (
        <video controls preload="none" src={media.url} aria-label={kind} />
      ) : (
        <a href={media.url} target="_blank" rel="noreferrer" download={media.filename ?? true}>
          {size
            ? t('media.download', { name: media.filename ?? kind, size })
            : t('media.downloadUnsized', { name: media.filename ?? kind })}
        </a>
      )}
      {media.transcript && (
        <figcaption>
          <span className="media-label">{t('media.transcript')}</span> {media.transcript}
        </figcaption>
      )}
      {media.ocr_text && (
        <figcaption>
          <span className="media-label">{t(type === 'document' ? 'media.documentText' : 'media.ocrText')}</span>{' '}
          {media.ocr_text}
        </figcaption>
      )}
      {media.status !== 'ready' && media.status !== 'pending' && media.error && (
        <figcaption className="media-status failure">{t('media.notRead', { reason: media.error })}</figcaption>
      )}
    </figure>
  );
}
