// Query keys shared by the features and the live event stream, which updates the same cache entries.

/** The inbox's filters, as GET /api/conversations takes them (empty values are left out of the query). */
export interface ConversationFilter {
  q?: string;
  status?: 'open' | 'closed';
  mode?: 'bot' | 'human';
  /** A user id, or "none" for unassigned. */
  assignee?: string;
  channel_id?: string;
  /** Only conversations whose customer waits for a person. */
  waiting?: boolean;
}

export const queryKeys = {
  me: ['me'] as const,
  conversations: ['conversations'] as const,
  conversationLists: ['conversations', 'list'] as const,
  conversationList: (filter: ConversationFilter) => ['conversations', 'list', filter] as const,
  conversation: (id: number) => ['conversations', 'detail', id] as const,
  messages: (id: number) => ['conversations', 'messages', id] as const,
  traces: (id: number) => ['conversations', 'traces', id] as const,
  support: ['support'] as const,
  users: ['users'] as const,
  channels: ['channels'] as const,
  platforms: ['platforms'] as const,
  documents: ['knowledge', 'documents'] as const,
};
