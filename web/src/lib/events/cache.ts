// What each live event changes in the TanStack Query cache: the open thread gets the new message, the conversation
// moves to the top of the lists it belongs to with its new unread count, delivery ticks change in place, an erased
// conversation leaves the lists. Whatever the
// cache cannot decide by itself (a list filtered by text, a conversation it has never seen) is refetched.
import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query';
import { queryKeys, type ConversationFilter } from '../api/keys';
import type { Conversation, Message, Page, PlatformList } from '../api/types';
import type { LiveEvent } from './events';

type Pages<T> = InfiniteData<Page<T>, string | null>;

/** Newest activity first, as GET /api/conversations sorts; ties by id, newest first. */
export function compareActivity(a: Conversation, b: Conversation): number {
  const byTime = String(b.last_message_at ?? '').localeCompare(String(a.last_message_at ?? ''));
  return byTime !== 0 ? byTime : Number(b.id) - Number(a.id);
}

/** Whether `conversation` belongs in a list with `filter`; undefined when only the server can tell. */
export function matchesFilter(conversation: Conversation, filter: ConversationFilter): boolean | undefined {
  if (filter.status && conversation.status !== filter.status) return false;
  if (filter.mode && conversation.mode !== filter.mode) return false;
  if (filter.channel_id && String(conversation.channel_id) !== filter.channel_id) return false;
  if (filter.assignee === 'none' && conversation.assignee_id != null) return false;
  if (filter.assignee && filter.assignee !== 'none' && String(conversation.assignee_id) !== filter.assignee) {
    return false;
  }
  if (filter.q || filter.waiting) return undefined;
  return true;
}

function filterOfKey(key: QueryKey): ConversationFilter {
  return (key[2] ?? {}) as ConversationFilter;
}

// Puts `conversation` (or removes it when `keep` is false) in a list's pages, keeping the activity order.
function placeInList(data: Pages<Conversation>, conversation: Conversation, keep: boolean): Pages<Conversation> {
  const pages = data.pages.map((page) => ({ ...page, data: page.data.filter((c) => c.id !== conversation.id) }));
  if (keep && pages.length > 0) {
    const all = pages.flatMap((page) => page.data);
    // Goes where it sorts among what is loaded; past the last loaded row it waits for the next page.
    const index = all.findIndex((c) => compareActivity(conversation, c) < 0);
    const lastPage = pages[pages.length - 1]!;
    if (index === -1 && lastPage.next_cursor === null) lastPage.data.push(conversation);
    if (index !== -1) {
      let offset = index;
      for (const page of pages) {
        if (offset <= page.data.length) {
          page.data.splice(offset, 0, conversation);
          break;
        }
        offset -= page.data.length;
      }
    }
  }
  return { ...data, pages };
}

// An event's conversation has no unread count nor last message (the stream sends it as the actions on it answer):
// those the cache holds stay.
function mergeInto(cached: Conversation | undefined, conversation: Conversation): Conversation {
  return cached ? { ...cached, ...conversation } : conversation;
}

function updateConversation(client: QueryClient, conversation: Conversation): void {
  client.setQueryData<Conversation>(queryKeys.conversation(conversation.id), (cached) => mergeInto(cached, conversation));
  for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.conversationLists })) {
    const data = query.state.data as Pages<Conversation> | undefined;
    if (!data) continue;
    const cached = data.pages.flatMap((page) => page.data).find((c) => c.id === conversation.id);
    const belongs = matchesFilter(conversation, filterOfKey(query.queryKey));
    if (belongs === undefined && !cached) {
      void client.invalidateQueries({ queryKey: query.queryKey, exact: true });
      continue;
    }
    const merged = mergeInto(cached, conversation);
    client.setQueryData<Pages<Conversation>>(query.queryKey, placeInList(data, merged, belongs !== false));
  }
}

// How long after a customer's message the platform takes free-form replies (the server's window_closes_at): its
// traits' window once GET /api/platforms is known, Meta's 24 hours until then; null for a platform without one.
function windowMsOf(client: QueryClient, platform: string): number | null {
  const traits = client.getQueryData<PlatformList>(queryKeys.platforms)?.data.find((p) => p.name === platform)?.traits;
  if (!traits) return 24 * 3600 * 1000;
  return traits.free_form_window_hours === null ? null : traits.free_form_window_hours * 3600 * 1000;
}

// Erased with its contact: out of every list, and its own entries dropped (an open thread closes, see the inbox).
function removeConversation(client: QueryClient, conversationId: number): void {
  client.setQueriesData<Pages<Conversation>>({ queryKey: queryKeys.conversationLists }, (data) =>
    data
      ? { ...data, pages: data.pages.map((page) => ({ ...page, data: page.data.filter((c) => c.id !== conversationId) })) }
      : data,
  );
  for (const key of [queryKeys.conversation, queryKeys.messages, queryKeys.traces]) {
    client.removeQueries({ queryKey: key(conversationId), exact: true });
  }
}

// As the server's list preview has it: a message without text (media) previews as an empty text.
function lastMessageOf(message: Message) {
  return { id: message.id, direction: message.direction, type: message.type, text: message.text ?? '', created_at: message.created_at };
}

function addMessage(client: QueryClient, conversationId: number, message: Message): void {
  client.setQueryData<Pages<Message>>(queryKeys.messages(conversationId), (data) => {
    if (!data || data.pages.length === 0) return data;
    if (data.pages.some((page) => page.data.some((m) => m.id === message.id))) return data;
    const pages = [...data.pages];
    const last = pages[pages.length - 1]!;
    pages[pages.length - 1] = { ...last, data: [...last.data, message] };
    return { ...data, pages };
  });
  // The conversation moves up with its newest message. The server tells no more of it (no conversation.updated
  // follows a customer's message): a customer's message (not a reaction) also counts as unread, and any of them
  // reopens the platform's window, as the server counts them (docs/dashboard.md).
  const fromCustomer = message.direction === 'in';
  const unread = fromCustomer && message.type !== 'reaction';
  let known = false;
  const touch = (conversation: Conversation): Conversation => {
    known = true;
    // Already counted: the same event again after a reconnect, or one older than what a fetch since brought.
    if (conversation.last_message?.id === message.id || message.created_at < String(conversation.last_message_at ?? '')) {
      return conversation;
    }
    const touched = { ...conversation, last_message_at: message.created_at, last_message: lastMessageOf(message) };
    if (!fromCustomer) return touched;
    const windowMs = windowMsOf(client, String(conversation.platform));
    return {
      ...touched,
      unread_count: Number(conversation.unread_count ?? 0) + (unread ? 1 : 0),
      window_closes_at: windowMs === null ? null : new Date(Date.parse(message.created_at) + windowMs).toISOString(),
    };
  };
  const detail = client.getQueryData<Conversation>(queryKeys.conversation(conversationId));
  if (detail) updateConversation(client, touch(detail));
  else {
    for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.conversationLists })) {
      const data = query.state.data as Pages<Conversation> | undefined;
      const found = data?.pages.flatMap((page) => page.data).find((c) => c.id === conversationId);
      if (found) {
        updateConversation(client, touch(found));
        break;
      }
    }
  }
  if (!known) void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
}

function updateMessage(
  client: QueryClient,
  conversationId: number,
  messageId: number,
  change: (message: Message) => Partial<Message>,
): void {
  client.setQueryData<Pages<Message>>(queryKeys.messages(conversationId), (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            data: page.data.map((m) => (m.id === messageId ? { ...m, ...change(m) } : m)),
          })),
        }
      : data,
  );
}

/** Applies one live event to the cache. */
export function applyEvent(client: QueryClient, event: LiveEvent): void {
  switch (event.type) {
    case 'message.created':
      // With its media object as the thread has it (signed links, thumbnail): nothing to load again.
      addMessage(client, event.data.conversation_id, event.data.message);
      if (event.data.message.direction === 'out') {
        void client.invalidateQueries({ queryKey: queryKeys.traces(event.data.conversation_id) });
      }
      return;
    case 'message.updated': {
      const { status, error, comment_hidden: hidden, media } = event.data;
      updateMessage(client, event.data.conversation_id, event.data.message_id, (m) => ({
        status,
        error,
        // A media file kept or given up on: its thumbnail, player, transcript or reason show in place.
        ...(media ? { media } : {}),
        // A comment hidden or shown again from another dashboard (or the API): its badge and button follow.
        ...(hidden !== undefined && m.comment ? { comment: { ...m.comment, hidden } } : {}),
      }));
      return;
    }
    case 'conversation.created':
    case 'conversation.updated':
      updateConversation(client, event.data.conversation);
      return;
    case 'conversation.deleted':
      removeConversation(client, event.data.conversation_id);
      return;
    case 'support.opened':
    case 'support.resolved':
      void client.invalidateQueries({ queryKey: queryKeys.support });
      return;
    case 'document.progress': {
      const { document_id: id, ...progress } = event.data;
      client.setQueriesData<Page<{ id: number }>>({ queryKey: queryKeys.documents }, (data) =>
        data && Array.isArray(data.data)
          ? { ...data, data: data.data.map((d) => (d.id === id ? { ...d, ...progress } : d)) }
          : data,
      );
      // A list read before this event (the one an upload's answer asks for) can arrive after it and bring the older
      // state back; with no event to follow an ended document, it would stay so. The list is read again instead.
      if (progress.status === 'ready' || progress.status === 'failed') {
        void client.invalidateQueries({ queryKey: queryKeys.documents });
      }
      return;
    }
    case 'stream.reset':
      void client.invalidateQueries();
      return;
  }
}
