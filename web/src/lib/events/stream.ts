// Keeps one EventSource on /api/events open while someone is signed in. The browser reconnects by itself after a
// network error, sending Last-Event-ID; when the server ends the stream for good (an error status), we reconnect
// with ?last_event_id= so the log still replays what was missed, or answers stream.reset when it has moved on.
import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../api/keys';
import { applyEvent } from './cache';
import type { LiveEvent } from './events';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface StreamOptions {
  url?: string;
  onState?: (state: StreamState) => void;
  /** Called for each event after the cache is updated (notifications, for instance). */
  onEvent?: (event: LiveEvent) => void;
  /** Delay before reconnecting after the server closed the stream; grows to 30 s. */
  retryMs?: number;
}

/** Opens the stream; the returned function closes it. */
export function connectEventStream(client: QueryClient, options: StreamOptions = {}): () => void {
  const url = options.url ?? '/api/events';
  let source: EventSource | null = null;
  let lastId: string | null = null;
  let retry = options.retryMs ?? 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const open = (reconnecting: boolean) => {
    options.onState?.(reconnecting ? 'reconnecting' : 'connecting');
    const target = lastId ? `${url}?last_event_id=${encodeURIComponent(lastId)}` : url;
    source = new EventSource(target, { withCredentials: true });
    source.onopen = () => {
      retry = options.retryMs ?? 1000;
      options.onState?.('live');
      // Without an id to resume from, whatever happened while we were away is only in a refetch.
      if (reconnecting && !lastId) void client.invalidateQueries({ queryKey: queryKeys.conversations });
    };
    source.onmessage = (message: MessageEvent<string>) => {
      if (message.lastEventId) lastId = message.lastEventId;
      let event: LiveEvent;
      try {
        event = JSON.parse(message.data) as LiveEvent;
      } catch {
        return;
      }
      if (event.id !== undefined && event.id !== null) lastId = String(event.id);
      applyEvent(client, event);
      options.onEvent?.(event);
    };
    source.onerror = () => {
      if (stopped || !source) return;
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        options.onState?.('reconnecting');
        timer = setTimeout(() => open(true), retry);
        retry = Math.min(retry * 2, 30_000);
      } else {
        options.onState?.('reconnecting');
      }
    };
  };

  open(false);
  return () => {
    stopped = true;
    clearTimeout(timer);
    source?.close();
  };
}
