// One conversation: who it is with and who handles it, the actions on it, the reply window, the agent's draft on an
// escalation, the messages with their delivery ticks and "why", and the composer.
//
// The messages are virtualised like the conversation list: a thread of 5,000 messages puts a screenful in the page,
// not 5,000 bubbles. It opens on its newest page scrolled to the bottom; scrolling up near the top loads the page
// before, keeping what the reader sees in place; a new message scrolls into view when the reader is at the bottom.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { ErrorMessage, Loading } from '../../../components/Status';
import type { Conversation, Trace, User } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { usePlatformTraits } from '../../channels/api/channels';
import {
  useAddNote,
  useAssign,
  useCloseConversation,
  useConversation,
  useMarkRead,
  useMessages,
  useOpenEscalation,
  useSendReply,
  useSetMode,
  useTraces,
} from '../api/conversations';
import { useShortcuts } from '../hooks/useShortcuts';
import { AssignMenu } from './AssignMenu';
import { Composer } from './Composer';
import { DraftPanel } from './DraftPanel';
import { MessageItem } from './MessageItem';
import { TemplatesDialog } from './TemplatesDialog';

// A first guess of a message's height; each row is measured once shown.
const estimateMessageHeight = () => 88;
// Older messages load when the reader scrolls within this distance of the top.
const loadOlderWithin = 600;

function WindowNotice({ conversation }: { conversation: Conversation }) {
  const { t, formatRelative } = useI18n();
  const traits = usePlatformTraits(conversation.platform);
  const closesAt = conversation.window_closes_at;
  // A server that does not say when the window closes leaves the notice out rather than guess.
  if (closesAt === undefined) return null;
  if (!closesAt) {
    // A platform without a window (Telegram) takes replies at any time: nothing to say.
    if (traits && traits.free_form_window_hours === null) return null;
    return <p className="window muted">{t('thread.window.none')}</p>;
  }
  const time = formatRelative(closesAt);
  if (new Date(closesAt).getTime() > Date.now()) {
    return <p className="window open">{t('thread.window.open', { time })}</p>;
  }
  let closed = t('thread.window.closed', { time });
  if (traits?.templates) closed = t('thread.window.closedTemplates', { time });
  else if (traits?.human_agent_window_days) {
    closed = t('thread.window.closedHumanAgent', { time, days: traits.human_agent_window_days });
  }
  return <p className="window closed">{closed}</p>;
}

interface Props {
  id: number;
  myUserId: number | undefined;
  users: User[];
}

// Memoised: the list beside it re-renders as its pages load, which must not re-render the thread.
export const Thread = memo(function Thread({ id, myUserId, users }: Props) {
  const { t, code } = useI18n();
  const { search } = useLocation();
  const conversation = useConversation(id);
  const thread = useMessages(id);
  const traces = useTraces(id);
  const escalation = useOpenEscalation(id);
  const setMode = useSetMode(id);
  const traits = usePlatformTraits(conversation.data?.platform);
  const assign = useAssign(id);
  const close = useCloseConversation(id);
  const send = useSendReply(id);
  const note = useAddNote(id);
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const log = useRef<HTMLDivElement>(null);

  const messages = thread.messages;
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => log.current,
    estimateSize: estimateMessageHeight,
    // Measured heights stay with their message when older pages are put before it.
    getItemKey: (index) => messages[index]!.id,
    overscan: 6,
    initialRect: { width: 640, height: 800 },
  });
  const totalSize = virtualizer.getTotalSize();
  const tracesByMessage = useMemo(() => {
    const map = new Map<number, Trace>();
    for (const trace of (traces.data?.data ?? []) as Trace[]) {
      if (trace.message_id != null) map.set(Number(trace.message_id), trace);
    }
    return map;
  }, [traces.data]);
  const newestInbound = [...messages].reverse().find((m) => m.direction === 'in')?.id;
  useMarkRead(id, newestInbound);

  // New messages scroll into view when the reader is at the bottom already (or on opening). Older messages put
  // before the first one move the view down by their height, so that the reader's place stays where it was.
  const atBottom = useRef(true);
  const firstId = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const element = log.current;
    const previousFirst = firstId.current;
    firstId.current = messages[0]?.id;
    if (!element || messages.length === 0) return;
    if (atBottom.current) {
      // The list's full height is in the page (estimated, then measured), so the bottom is its scroll height; the
      // effect runs again as measured heights change it.
      element.scrollTop = element.scrollHeight;
      return;
    }
    const added = previousFirst === undefined ? -1 : messages.findIndex((m) => m.id === previousFirst);
    if (added > 0) {
      const start = virtualizer.measurementsCache[added]?.start ?? 0;
      virtualizer.scrollToOffset(element.scrollTop + start);
    }
  }, [messages, traces.data, thread.isPending, virtualizer, totalSize]);
  useEffect(() => {
    atBottom.current = true;
    firstId.current = undefined;
  }, [id]);
  // A newest page shorter than the view cannot be scrolled up: the next one loads at once.
  const { hasOlder, loadingOlder, loadOlder } = thread;
  useEffect(() => {
    const element = log.current;
    if (element && hasOlder && !loadingOlder && element.scrollHeight <= element.clientHeight && messages.length > 0) {
      loadOlder();
    }
  }, [hasOlder, loadingOlder, loadOlder, messages.length]);

  const current = conversation.data;
  const sendText = (reply: string) =>
    send.mutate(
      { text: reply, file },
      {
        onSuccess: () => {
          setText('');
          setFile(null);
        },
      },
    );
  const takeOver = () => current?.mode === 'bot' && setMode.mutate('human');
  useShortcuts({
    r: () => composer.current?.focus(),
    t: takeOver,
    c: () => current?.status === 'open' && close.mutate(undefined),
  });

  if (conversation.isPending) return <Loading />;
  if (conversation.error) return <ErrorMessage error={conversation.error} onRetry={() => void conversation.refetch()} />;
  const c = conversation.data;
  const name = c.contact?.name || c.contact?.platform_id || t('inbox.unknownContact');
  const assignee = users.find((user) => user.id === c.assignee_id);
  const busy = setMode.isPending || assign.isPending || close.isPending;
  const actionError = setMode.error ?? assign.error ?? close.error;
  const windowClosed = c.window_closes_at && new Date(c.window_closes_at).getTime() <= Date.now();

  return (
    <article className="thread" aria-labelledby="thread-title">
      <header className="thread-header">
        <Link to={`/inbox${search}`} className="back-link">
          {t('inbox.back')}
        </Link>
        <div className="thread-title">
          <h2 id="thread-title">{name}</h2>
          <p className="muted">
            {code('platform', c.platform)} · {c.mode === 'human' ? t('thread.mode.human') : t('thread.mode.bot')}
            {c.status === 'closed' && ` · ${t('thread.closed')}`} ·{' '}
            {c.assignee_id == null
              ? t('thread.unassigned')
              : t('thread.assignedTo', {
                  name: assignee?.name || assignee?.email || (c.assignee_id === myUserId ? (t('inbox.assignee.mine')) : `#${c.assignee_id}`),
                })}
          </p>
        </div>
        <div className="thread-actions">
          {c.mode === 'bot' ? (
            <button type="button" className="button" disabled={busy} onClick={() => setMode.mutate('human')}>
              {t('thread.takeOver')}
            </button>
          ) : (
            <button type="button" className="button" disabled={busy} onClick={() => setMode.mutate('bot')}>
              {t('thread.handBack')}
            </button>
          )}
          <AssignMenu myUserId={myUserId} users={users} onAssign={(user) => assign.mutate(user)} disabled={busy} />
          {c.status === 'open' && (
            <button type="button" className="button" disabled={busy} onClick={() => close.mutate(undefined)}>
              {t('thread.close')}
            </button>
          )}
        </div>
      </header>
      {actionError && <ErrorMessage error={actionError} />}
      <WindowNotice conversation={c} />
      {escalation.item && (
        <DraftPanel
          item={escalation.item}
          sending={send.isPending}
          onEdit={(draft) => {
            setText(draft);
            composer.current?.focus();
          }}
          onSend={(draft) => send.mutate({ text: draft }, { onSuccess: () => setText('') })}
        />
      )}
      {hasOlder && (
        <button type="button" className="button link" disabled={loadingOlder} onClick={() => {
          atBottom.current = false;
          loadOlder();
        }}>
          {loadingOlder ? t('inbox.loadingMore') : t('thread.showEarlier')}
        </button>
      )}
      {thread.isPending ? (
        <Loading />
      ) : thread.error ? (
        <ErrorMessage error={thread.error} onRetry={() => void thread.refetch()} />
      ) : (
        <div
          ref={log}
          className="messages"
          role="log"
          aria-label={t('thread.messages')}
          aria-busy={loadingOlder}
          onScroll={(event) => {
            const element = event.currentTarget;
            atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
            if (element.scrollTop < loadOlderWithin) loadOlder();
          }}
        >
          {messages.length === 0 ? (
            <p className="muted">{t('thread.empty')}</p>
          ) : (
            <ol style={{ position: 'relative', height: totalSize, flexShrink: 0, listStyle: 'none', margin: 0, padding: 0 }}>
              {virtualizer.getVirtualItems().map((row) => {
                const message = messages[row.index]!;
                return (
                  <li
                    key={row.key}
                    data-index={row.index}
                    ref={virtualizer.measureElement}
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      right: 0,
                      transform: `translateY(${row.start}px)`,
                      display: 'flex',
                      flexDirection: 'column',
                      paddingBottom: '0.5rem',
                    }}
                  >
                    <MessageItem message={message} trace={tracesByMessage.get(Number(message.id))} />
                  </li>
                );
              })}
            </ol>
          )}
        </div>
      )}
      {windowClosed && traits?.templates && (
        <div className="row">
          <TemplatesDialog channelId={Number(c.channel_id)} conversationId={id} />
        </div>
      )}
      <Composer
        ref={composer}
        value={text}
        onChange={setText}
        onSend={sendText}
        file={file}
        onFile={setFile}
        canAttach={traits?.media_replies !== undefined && traits.media_replies !== 'none'}
        onNote={(body) => note.mutate(body, { onSuccess: () => setText('') })}
        sending={send.isPending || note.isPending}
        error={send.error ?? note.error}
      />
    </article>
  );
});
