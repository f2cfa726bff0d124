import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectEventStream } from './stream';

class FakeEventSource {
  static readonly CLOSED = 2;
  static all: FakeEventSource[] = [];
  readyState = 1;
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  close() {
    this.closed = true;
  }
  emit(envelope: object) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(envelope) }));
  }
}

describe('connectEventStream', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    FakeEventSource.all = [];
  });

  it('resumes after the last event it saw when the server ends the stream', () => {
    vi.useFakeTimers();
    vi.stubGlobal('EventSource', FakeEventSource);
    const states: string[] = [];
    const stop = connectEventStream(new QueryClient(), { onState: (state) => states.push(state), retryMs: 500 });
    const first = FakeEventSource.all[0]!;
    first.onopen?.();
    first.emit({ id: 41, type: 'support.resolved', created_at: '', data: {} });
    first.readyState = FakeEventSource.CLOSED;
    first.onerror?.();
    expect(first.closed).toBe(true);
    vi.advanceTimersByTime(500);
    expect(FakeEventSource.all[1]!.url).toBe('/api/events?last_event_id=41');
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'reconnecting']);
    stop();
    expect(FakeEventSource.all[1]!.closed).toBe(true);
  });

  it('refetches everything on stream.reset', () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const client = new QueryClient();
    client.setQueryData(['conversations', 'list', {}], { pages: [], pageParams: [] });
    const stop = connectEventStream(client);
    FakeEventSource.all[0]!.emit({ type: 'stream.reset' });
    expect(client.getQueryState(['conversations', 'list', {}])?.isInvalidated).toBe(true);
    stop();
  });
});
