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

/** The words that stand for a message without text: "Image (not shown yet)". */
export function mediaLabel(type: string, t: Translate): string {
  return t('media.placeholder', { kind: t(mediaKinds[type] ?? 'media.other') });
}

/** One line for the conversation list: the last message's text, or what kind of media it was. */
export function previewOf(conversation: Conversation, t: Translate): string {
  const last = conversation.last_message;
  if (!last) return '';
  if (last.text) return String(last.text);
  return last.type && last.type !== 'text' ? mediaLabel(String(last.type), t) : '';
}
