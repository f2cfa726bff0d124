// The shared inbox: the conversation list beside the open thread (one or the other on a phone), filters in the
// address, j/k to move between conversations.
import { useCallback, useMemo } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { ErrorMessage, Loading } from '../../../components/Status';
import type { Channel, Conversation, User } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useMe } from '../../../lib/session';
import { useChannels, useConversations, useUsers } from '../api/conversations';
import { useCloseWhenErased } from '../hooks/useCloseWhenErased';
import { useShortcuts } from '../hooks/useShortcuts';
import { ConversationList } from './ConversationList';
import { readFilterParams, toConversationFilter, writeFilterParams, type FilterParams } from './filters';
import { InboxFilters } from './InboxFilters';
import { Thread } from './Thread';

// One empty list for every render, so that the memoised thread is not re-rendered for a new one.
const noUsers: User[] = [];

export function InboxPage() {
  const { t } = useI18n();
  const { conversationId } = useParams();
  const selectedId = conversationId && /^\d+$/.test(conversationId) ? Number(conversationId) : undefined;
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const me = useMe();
  const myUserId = me.data?.user?.id as number | undefined;
  const canListPeople = me.data?.role === 'owner' || me.data?.role === 'admin';

  const filters = useMemo(() => readFilterParams(params), [params]);
  const filter = useMemo(() => toConversationFilter(filters, myUserId), [filters, myUserId]);
  const setFilters = useCallback((next: FilterParams) => setParams(writeFilterParams(next), { replace: true }), [setParams]);

  const list = useConversations(filter);
  const channels = useChannels();
  const users = useUsers(canListPeople);
  const conversations = useMemo(() => {
    const seen = new Set<number>();
    const all: Conversation[] = [];
    for (const page of list.data?.pages ?? []) {
      for (const conversation of page.data as Conversation[]) {
        if (!seen.has(conversation.id)) {
          seen.add(conversation.id);
          all.push(conversation);
        }
      }
    }
    return all;
  }, [list.data]);

  const step = (delta: number) => {
    if (conversations.length === 0) return;
    const index = conversations.findIndex((c) => c.id === selectedId);
    const next = conversations[index === -1 ? 0 : Math.min(Math.max(index + delta, 0), conversations.length - 1)];
    if (next) navigate(`/inbox/${next.id}${params.size ? `?${params}` : ''}`);
  };
  useShortcuts({ j: () => step(1), k: () => step(-1) });
  useCloseWhenErased(selectedId, () => navigate(`/inbox${params.size ? `?${params}` : ''}`, { replace: true }));

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  return (
    <div className={selectedId ? 'inbox showing-thread' : 'inbox'}>
      <section className="inbox-list" aria-labelledby="inbox-title">
        <h1 id="inbox-title" className="visually-hidden">
          {t('inbox.title')}
        </h1>
        <InboxFilters value={filters} onChange={setFilters} channels={(channels.data?.data ?? []) as Channel[]} />
        {list.isPending ? (
          <Loading />
        ) : list.error ? (
          <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <ConversationList
            conversations={conversations}
            selectedId={selectedId}
            hasMore={Boolean(hasNextPage)}
            loadingMore={isFetchingNextPage}
            onLoadMore={loadMore}
          />
        )}
        <p className="muted shortcuts-hint">{t('inbox.shortcuts')}</p>
      </section>
      <section className="inbox-thread">
        {selectedId ? (
          <Thread key={selectedId} id={selectedId} myUserId={myUserId} users={(users.data?.data ?? noUsers) as User[]} />
        ) : (
          <p className="muted choose">{t('inbox.choose')}</p>
        )}
      </section>
    </div>
  );
}
