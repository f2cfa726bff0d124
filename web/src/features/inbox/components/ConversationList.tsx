// The conversations, newest activity first, virtualised: only the rows in view are in the page, so 10,000
// conversations scroll as smoothly as ten. The next page loads as the end comes into view.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { NavLink, useLocation } from 'react-router';
import type { Conversation } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { previewOf } from './messageText';

interface Props {
  conversations: Conversation[];
  selectedId: number | undefined;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

const rowHeight = 76;
// One function for every render: a new one would make the virtualiser re-measure all rows on each scroll frame.
const estimateRowHeight = () => rowHeight;

export function ConversationList({ conversations, selectedId, hasMore, loadingMore, onLoadMore }: Props) {
  const { t, formatRelative } = useI18n();
  const { search } = useLocation();
  const scroller = useRef<HTMLDivElement>(null);
  const count = conversations.length + (hasMore ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: estimateRowHeight,
    overscan: 8,
    initialRect: { width: 360, height: 800 },
  });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];

  useEffect(() => {
    if (last && last.index >= conversations.length - 1 && hasMore && !loadingMore) onLoadMore();
  }, [last, conversations.length, hasMore, loadingMore, onLoadMore]);

  // The conversation opened with j/k stays in view.
  const selectedIndex = conversations.findIndex((c) => c.id === selectedId);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  if (conversations.length === 0) return <p className="muted empty">{t('inbox.empty')}</p>;

  return (
    <div ref={scroller} className="conversation-scroller">
      <ul aria-label={t('inbox.conversations')} style={{ height: virtualizer.getTotalSize() }}>
        {items.map((row) => {
          const conversation = conversations[row.index];
          if (!conversation) {
            return (
              <li key="more" className="conversation-row muted" style={{ transform: `translateY(${row.start}px)` }}>
                {t('inbox.loadingMore')}
              </li>
            );
          }
          const unread = Number(conversation.unread_count ?? 0);
          const name = conversation.contact?.name || conversation.contact?.platform_id || t('inbox.unknownContact');
          return (
            <li
              key={conversation.id}
              className="conversation-row"
              style={{ transform: `translateY(${row.start}px)`, height: rowHeight }}
              aria-setsize={hasMore ? -1 : conversations.length}
              aria-posinset={row.index + 1}
            >
              <NavLink
                to={`/inbox/${conversation.id}${search}`}
                className={unread > 0 ? 'conversation-link unread' : 'conversation-link'}
                aria-current={conversation.id === selectedId ? 'page' : undefined}
              >
                <span className="conversation-top">
                  <span className="contact-name">{name}</span>
                  <time dateTime={conversation.last_message_at}>{formatRelative(conversation.last_message_at)}</time>
                </span>
                <span className="conversation-bottom">
                  <span className="preview">{previewOf(conversation, t)}</span>
                  {conversation.mode === 'human' && <span className="chip">{t('inbox.handler.human')}</span>}
                  {conversation.status === 'closed' && <span className="chip">{t('thread.closed')}</span>}
                  {unread > 0 && (
                    <span className="badge">
                      <span aria-hidden="true">{unread}</span>
                      <span className="visually-hidden">{t('inbox.unread', { count: unread })}</span>
                    </span>
                  )}
                </span>
              </NavLink>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
