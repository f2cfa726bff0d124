// The live events of GET /api/events, as the dashboard contract gives them: {id, type, created_at, data}.
import type { Conversation, Message, SupportItem } from '../api/types';

interface Envelope<Type extends string, Data> {
  id: number;
  type: Type;
  created_at: string;
  data: Data;
}

export type LiveEvent =
  | Envelope<'message.created', { conversation_id: number; message: Message }>
  | Envelope<
      'message.updated',
      {
        conversation_id: number;
        message_id: number;
        status: Message['status'];
        error: Message['error'];
        /** Set when the message's media file was kept or given up on, beside `media`, its media object now. */
        media_status?: 'ready' | 'failed';
        media?: Message['media'];
        /** Set when a person hid a customer's comment (true) or showed it again (false). */
        comment_hidden?: boolean;
      }
    >
  | Envelope<'conversation.created' | 'conversation.updated', { conversation: Conversation }>
  | Envelope<'conversation.deleted', { conversation_id: number }>
  | Envelope<'support.opened' | 'support.resolved', SupportItem>
  | Envelope<'document.progress', { document_id: number; status: string } & Record<string, unknown>>
  | { id?: number; type: 'stream.reset'; created_at?: string; data?: unknown };
