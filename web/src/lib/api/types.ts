// Names for the API's resources, each read from the generated OpenAPI types by the route that answers it, so they
// follow the server's document whatever its schemas are called.
import type { ResponseOf } from './client';

type Item<Page> = 0 extends 1 & Page ? any : Page extends { data: Array<infer T> } ? T : never;

export type Me = ResponseOf<'/api/auth/me'>;
export type LoginAnswer = ResponseOf<'/api/auth/login', 'post'>;
/**
 * A conversation as the API answers it: as GET /api/conversations/{id} and the inbox's list do, with the unread count
 * and the last message, or as the actions on it and the event stream do, without them.
 */
export type Conversation = Omit<ResponseOf<'/api/conversations/{id}'>, 'unread_count' | 'last_message'> &
  Partial<Pick<Item<ConversationPage>, 'unread_count' | 'last_message'>>;
export type ConversationPage = ResponseOf<'/api/conversations'>;
export type MessagePage = ResponseOf<'/api/conversations/{id}/messages'>;
export type Message = Item<MessagePage>;
export type Trace = Item<ResponseOf<'/api/conversations/{id}/traces'>>;
export type SupportPage = ResponseOf<'/api/support'>;
export type SupportItem = Item<SupportPage>;
export type User = Item<ResponseOf<'/api/users'>>;
export type KnowledgeDocument = ResponseOf<'/api/knowledge-documents/{id}'>;
export type KnowledgeDocumentPage = ResponseOf<'/api/knowledge-documents'>;
export type Channel = ResponseOf<'/api/social-accounts/{id}'>;
export type PlatformList = ResponseOf<'/api/platforms'>;

/** A page of a listing: `{data, next_cursor}`. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
