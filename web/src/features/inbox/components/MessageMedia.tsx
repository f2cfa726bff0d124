import type { Message } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { mediaKind } from './messageText';

type Media = NonNullable<Message['media']>;

/**
 * A customer's photo, voice note, video, document or sticker as the thread shows it: the thumbnail (opening the full
 * image), a player, or a download link, with what Parley read from it (the transcript of a voice note, the text of a
 * photo or of a PDF). The links are signed and expire; the thread's next load brings fresh ones.
 */
export function MessageMedia({ type, media }: { type: string; media: Media }) {
  const { t, formatBytes } = useI18n();
  const kind = t(mediaKind(type));
  if (media.status === 'pending') {
    return <p className="media-status">{t('media.pending', { kind })}</p>;
  }
  if (media.status !== 'ready' || !media.url) {
    return (
      <p className="media-status failure">
        {media.error ? t('media.unavailableWith', { kind, reason: media.error }) : t('media.unavailable', { kind })}
      </p>
    );
  }
  const size = media.bytes != null ? formatBytes(media.bytes) : '';
  return (
    <figure className="media">
      {type === 'image' || type === 'sticker' ? (
        <a href={media.url} target="_blank" rel="noreferrer" aria-label={t('media.open', { kind, size })}>
          <img src={media.thumbnail_url ?? media.url} alt={kind} loading="lazy" />
        </a>
      ) : type === 'audio' || type === 'voice' ? (
        <audio controls preload="none" src={media.url} aria-label={kind} />
      ) : type === 'video' ? (
        <video controls preload="none" src={media.url} aria-label={kind} />
      ) : (
        <a href={media.url} target="_blank" rel="noreferrer" download={media.filename ?? true}>
          {t('media.download', { name: media.filename ?? kind, size })}
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
    </figure>
  );
}
