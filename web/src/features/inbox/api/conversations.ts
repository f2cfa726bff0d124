// The inbox's server state: conversation lists (paged, newest activity first), one conversation, its thread (newest
// page first, older pages on demand), the agent's traces and escalation, and the actions people take on it.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { api } from '../../../lib/api/client';
import { queryKeys, type ConversationFilter } from '../../../lib/api/keys';
import type { Conversation, Message, SupportItem } from '../../../lib/api/types';

const listPageSize = 100;
// A screenful and then some: a 5,000-message thread opens on its newest messages after one small request.
const threadPageSize = 100;

export function useConversations(filter: ConversationFilter) {
  return useInfiniteQuery({
    queryKey: queryKeys.conversationList(filter),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/conversations', {
        query: { ...filter, waiting: filter.waiting ? 'true' : undefined, cursor: pageParam, limit: listPageSize },
        signal,
      }),
    getNextPageParam: (page) => page.next_cursor ?? null,
  });
}

export function useConversation(id: number | undefined) {
  return useQuery({
    queryKey: queryKeys.conversation(id ?? 0),
    queryFn: ({ signal }): Promise<Conversation> => api.get('/api/conversations/{id}', { path: { id: id! }, signal }),
    enabled: id !== undefined,
  });
}

/**
 * The thread, newest page first (?before=latest), then older pages as the reader scrolls up (`loadOlder`). The pages
 * hold the server's newest-first order, and live events and sent replies are added to the cache's last page, so the
 * messages are merged by id, oldest first, whatever page holds them.
 */
export function useMessages(id: number | undefined) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.messages(id ?? 0),
    initialPageParam: 'latest',
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/conversations/{id}/messages', {
        path: { id: id! },
        query: { before: pageParam, limit: threadPageSize },
        signal,
      }),
    getNextPageParam: (page) => page.next_cursor ?? null,
    enabled: id !== undefined,
  });
  const messages = useMemo(() => {
    const byId = new Map<number, Message>();
    for (const page of query.data?.pages ?? []) {
      for (const message of page.data) if (!byId.has(message.id)) byId.set(message.id, message);
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }, [query.data]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const loadOlder = () => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  };
  return { ...query, messages, hasOlder: hasNextPage, loadingOlder: isFetchingNextPage, loadOlder };
}

export function useTraces(id: number | undefined) {
  return useQuery({
    queryKey: queryKeys.traces(id ?? 0),
    queryFn: ({ signal }) => api.get('/api/conversations/{id}/traces', { path: { id: id! }, signal }),
    enabled: id !== undefined,
  });
}

/** The open escalation of a conversation, if any, with the agent's draft. */
export function useOpenEscalation(conversationId: number | undefined) {
  const query = useQuery({
    queryKey: [...queryKeys.support, 'open'],
    queryFn: ({ signal }) => api.get('/api/support', { query: { status: 'open', limit: 500 }, signal }),
  });
  const item: SupportItem | undefined = query.data?.data.find(
    (candidate: SupportItem) => candidate.conversation_id === conversationId,
  );
  return { ...query, item };
}

export function useUsers(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.users,
    queryFn: ({ signal }) => api.get('/api/users', { signal }),
    enabled,
  });
}

export function useChannels() {
  return useQuery({ queryKey: queryKeys.channels, queryFn: ({ signal }) => api.get('/api/social-accounts', { signal }) });
}

// Every action answers the conversation as it now is; the cache takes it at once, live events confirm it.
function useConversationAction<Variables>(
  id: number,
  call: (variables: Variables) => Promise<Conversation>,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (conversation) => {
      // The action's answer has no unread count nor last message: those the cache had stay.
      client.setQueryData(queryKeys.conversation(id), (old: Conversation | undefined) => ({ ...old, ...conversation }));
      void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
    },
  });
}

export function useSetMode(id: number) {
  return useConversationAction(id, (mode: 'bot' | 'human') =>
    api.put('/api/conversations/{id}/mode', { path: { id }, body: { mode } }),
  );
}

export function useAssign(id: number) {
  return useConversationAction(id, (userId: number | null) =>
    api.post('/api/conversations/{id}/assign', { path: { id }, body: { user_id: userId } }),
  );
}

export function useCloseConversation(id: number) {
  return useConversationAction(id, () => api.post('/api/conversations/{id}/close', { path: { id } }));
}

/** A person's reply: text, or a file with the text as its caption (sent as multipart/form-data). */
export interface Reply {
  text: string;
  file?: File | null;
}

function replyBody({ text, file }: Reply) {
  if (!file) return { text };
  const form = new FormData();
  form.append('file', file, file.name);
  if (text) form.append('text', text);
  return form;
}

export function useSendReply(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reply: Reply) =>
      api.post('/api/conversations/{id}/messages', { path: { id }, body: replyBody(reply) }),
    onSuccess: (reply) => {
      // Shown at once as queued; message.created and message.updated bring the rest (dedup by id). The stream's
      // message.created often comes first: it carries the same message, its media object included, and perhaps a newer
      // status from message.updated since, so the copy already in the thread stays.
      const message: Message = {
        ...reply,
        platform_message_id: null,
        error: null,
        created_at: new Date().toISOString(),
      };
      client.setQueryData(queryKeys.messages(id), (data: { pages: Array<{ data: Message[] }> } | undefined) => {
        if (!data || data.pages.length === 0) return data;
        if (data.pages.some((page) => page.data.some((m) => m.id === message.id))) return data;
        const pages = [...data.pages];
        const last = pages[pages.length - 1]!;
        pages[pages.length - 1] = { ...last, data: [...last.data, message] };
        return { ...data, pages };
      });
    },
  });
}

/** Moves the team's read marker to the newest message; the list's unread count drops with the answer. */
export function useMarkRead(id: number | undefined, newestInbound: number | undefined) {
  const client = useQueryClient();
  useEffect(() => {
    if (id === undefined || newestInbound === undefined) return;
    api
      .post('/api/conversations/{id}/read', { path: { id } })
      .then(() => {
        const clear = (c: Conversation) => (c.id === id ? { ...c, unread_count: 0 } : c);
        client.setQueryData(queryKeys.conversation(id), (c: Conversation | undefined) => (c ? clear(c) : c));
        client.setQueriesData(
          { queryKey: queryKeys.conversationLists },
          (data: { pages: Array<{ data: Conversation[] }> } | undefined) =>
            data ? { ...data, pages: data.pages.map((page) => ({ ...page, data: page.data.map(clear) })) } : data,
        );
      })
      .catch(() => {
        // An older server has no read markers; the counts then stay as the server gives them.
      });
  }, [client, id, newestInbound]);
}

/** Canned replies whose shortcut starts with `prefix` (typed after "/" in the composer); off without a prefix. */
export function useCannedReplies(prefix: string | null) {
  return useQuery({
    queryKey: ['canned-replies', prefix],
    queryFn: ({ signal }) => api.get('/api/canned-replies', { query: { q: prefix ?? '' }, signal }),
    enabled: prefix !== null,
    staleTime: 60_000,
  });
}

/** A private note in the thread: the team sees it, the customer and the agent never do. */
export function useAddNote(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => api.post('/api/conversations/{id}/notes', { path: { id }, body: { text } }),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.messages(id) }),
  });
}

export type CommentAction = 'hide' | 'unhide' | 'delete';

/**
 * Hides a customer's public comment (Instagram) from everyone but its author, shows it again, or deletes it: on the
 * platform first, then in the thread, whose cache takes the message as the server answers it.
 */
export function useModerateComment(conversationId: number, messageId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: CommentAction) => {
      const path = { id: conversationId, message_id: messageId };
      if (action === 'delete') return api.delete('/api/conversations/{id}/messages/{message_id}', { path });
      return action === 'hide'
        ? api.post('/api/conversations/{id}/messages/{message_id}/hide', { path })
        : api.post('/api/conversations/{id}/messages/{message_id}/unhide', { path });
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.messages(conversationId) }),
  });
}

