import type { Conversation } from '../../../lib/api/types';
import type { MessageKey, Translate } from '../../../lib/i18n';

const mediaKinds: Record<string, MessageKey> = {
  image: 'media.image',
  audio: 'media.audio',
  voice: 'media.audio',
  video: 'media.video',
  document: 'media.document',
  file: 'media.document',
  sticker: 'media.sticker',
  location: 'media.location',
};

/** The catalog key that names a kind of message: "Image", "Voice message". */
export function mediaKind(type: string): MessageKey {
  return mediaKinds[type] ?? 'media.other';
}

/** Whether a message of this type carries a file or a place rather than (or besides) its text. */
export function carriesMedia(type: string): boolean {
  return type in mediaKinds;
}

/** The words that stand for a message Parley holds no media for: "Location (not shown)". */
export function mediaLabel(type: string, t: Translate): string {
  return t('media.placeholder', { kind: t(mediaKind(type)) });
}

/** One line for the conversation list: the last message's text, or what kind of media it was. */
export function previewOf(conversation: Conversation, t: Translate): string {
  const last = conversation.last_message;
  if (!last) return '';
  if (last.text) return String(last.text);
  return last.type && last.type !== 'text' ? t(mediaKind(String(last.type))) : '';
}
