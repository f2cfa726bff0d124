import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { conversation, message } from '../../test/utils';
import { queryKeys } from '../api/keys';
import type { Message } from '../api/types';
import { applyEvent } from './cache';
import type { LiveEvent } from './events';

function setup() {
  const client = new QueryClient();
  client.setQueryData(queryKeys.conversationList({}), {
    pages: [{ data: [conversation(2), conversation(1)], next_cursor: null }],
    pageParams: [null],
  });
  client.setQueryData(queryKeys.conversationList({ mode: 'bot' }), {
    pages: [{ data: [conversation(2), conversation(1)], next_cursor: null }],
    pageParams: [null],
  });
  client.setQueryData(queryKeys.messages(1), { pages: [{ data: [message(1)], next_cursor: null }], pageParams: [null] });
  return client;
}

const ids = (client: QueryClient, filter = {}) =>
  (client.getQueryData(queryKeys.conversationList(filter)) as { pages: Array<{ data: Array<{ id: number }> }> }).pages
    .flatMap((page) => page.data)
    .map((c) => c.id);

describe('applyEvent', () => {
  it('appends a new message to the open thread and moves its conversation to the top', () => {
    const client = setup();
    const created = message(9, { text: 'Are you open?', created_at: '2026-12-06T11:00:00.000Z' });
    applyEvent(client, { id: 1, type: 'message.created', created_at: '', data: { conversation_id: 1, message: created } } as LiveEvent);
    const thread = client.getQueryData(queryKeys.messages(1)) as { pages: Array<{ data: Array<{ id: number }> }> };
    expect(thread.pages[0]!.data.map((m) => m.id)).toEqual([1, 9]);
    expect(ids(client)).toEqual([1, 2]);
    // The same event twice (a replay after a reconnect) adds nothing.
    applyEvent(client, { id: 1, type: 'message.created', created_at: '', data: { conversation_id: 1, message: created } } as LiveEvent);
    expect(thread.pages[0]!.data).toHaveLength(2);
  });

  it('takes a conversation update with its unread count, and drops it from lists it no longer matches', () => {
    const client = setup();
    const updated = conversation(1, { unread_count: 4, mode: 'human', last_message_at: '2026-12-06T12:00:00.000Z' });
    applyEvent(client, { id: 2, type: 'conversation.updated', created_at: '', data: { conversation: updated } } as LiveEvent);
    const all = client.getQueryData(queryKeys.conversationList({})) as { pages: Array<{ data: Array<{ id: number; unread_count: number }> }> };
    expect(all.pages[0]!.data[0]).toMatchObject({ id: 1, unread_count: 4 });
    expect(ids(client, { mode: 'bot' })).toEqual([2]);
  });

  it('counts a customer’s message as unread and reopens the window from message.created alone, once', () => {
    const client = setup();
    const created = message(9, { text: 'Still there?', created_at: '2026-12-07T11:00:00.000Z' });
    const event = { id: 1, type: 'message.created', created_at: '', data: { conversation_id: 1, message: created } } as LiveEvent;
    applyEvent(client, event);
    applyEvent(client, event);
    const all = client.getQueryData(queryKeys.conversationList({})) as { pages: Array<{ data: Array<Record<string, unknown>> }> };
    expect(all.pages[0]!.data[0]).toMatchObject({
      id: 1,
      unread_count: 1,
      window_closes_at: '2026-12-08T11:00:00.000Z',
      last_message: { id: 9, text: 'Still there?' },
    });
    // A reply of the business moves the conversation without counting.
    const reply = message(10, { direction: 'out', status: 'queued', created_at: '2026-12-07T11:01:00.000Z' });
    applyEvent(client, { id: 2, type: 'message.created', created_at: '', data: { conversation_id: 1, message: reply } } as LiveEvent);
    const after = client.getQueryData(queryKeys.conversationList({})) as { pages: Array<{ data: Array<Record<string, unknown>> }> };
    expect(after.pages[0]!.data[0]).toMatchObject({ id: 1, unread_count: 1, last_message: { id: 10 } });
  });

  it('opens the window the platform declares, on a reaction too, and none on a platform without one', () => {
    const client = setup();
    client.setQueryData(queryKeys.platforms, {
      data: [
        { name: 'whatsapp', traits: { free_form_window_hours: 24 } },
        { name: 'telegram', traits: { free_form_window_hours: null } },
      ],
    });
    client.setQueryData(queryKeys.conversationList({}), {
      pages: [{ data: [conversation(2, { platform: 'telegram' }), conversation(1)], next_cursor: null }],
      pageParams: [null],
    });
    const reaction = message(9, { type: 'reaction', text: '👍', created_at: '2026-12-07T11:00:00.000Z' });
    applyEvent(client, { id: 1, type: 'message.created', created_at: '', data: { conversation_id: 1, message: reaction } } as LiveEvent);
    const telegram = message(11, { conversation_id: 2, created_at: '2026-12-07T11:05:00.000Z' });
    applyEvent(client, { id: 2, type: 'message.created', created_at: '', data: { conversation_id: 2, message: telegram } } as LiveEvent);
    const all = client.getQueryData(queryKeys.conversationList({})) as { pages: Array<{ data: Array<Record<string, unknown>> }> };
    expect(all.pages[0]!.data).toEqual([
      expect.objectContaining({ id: 2, unread_count: 1, window_closes_at: null }),
      expect.objectContaining({ id: 1, unread_count: 0, window_closes_at: '2026-12-08T11:00:00.000Z' }),
    ]);
  });

  it('keeps the unread count and last message the list knows when an event’s conversation has none', () => {
    const client = setup();
    const { unread_count: _unread, last_message: _last, ...bare } = conversation(2, { unread_count: 3, mode: 'human' });
    client.setQueryData(queryKeys.conversationList({}), {
      pages: [{ data: [conversation(2, { unread_count: 3 }), conversation(1)], next_cursor: null }],
      pageParams: [null],
    });
    applyEvent(client, { id: 4, type: 'conversation.updated', created_at: '', data: { conversation: bare } } as LiveEvent);
    const all = client.getQueryData(queryKeys.conversationList({})) as { pages: Array<{ data: Array<Record<string, unknown>> }> };
    expect(all.pages[0]!.data[0]).toMatchObject({ id: 2, mode: 'human', unread_count: 3, last_message: { id: 20 } });
  });

  it('changes a message’s delivery status in place', () => {
    const client = setup();
    applyEvent(client, {
      id: 3,
      type: 'message.updated',
      created_at: '',
      data: { conversation_id: 1, message_id: 1, status: 'failed', error: { title: 'rejected' } },
    } as LiveEvent);
    const thread = client.getQueryData(queryKeys.messages(1)) as { pages: Array<{ data: Array<{ status: string }> }> };
    expect(thread.pages[0]!.data[0]).toMatchObject({ status: 'failed', error: { title: 'rejected' } });
  });

  it("shows a file arriving live with its thumbnail, and a media kept later in place, without loading the thread", () => {
    const client = setup();
    const media = {
      mime_type: 'image/jpeg',
      bytes: 48213,
      url: '/api/media/m1?tenant=1&expires=9&sig=a',
      thumbnail_url: '/api/media/m1/thumbnail?tenant=1&expires=9&sig=b',
      transcript: null,
      ocr_text: null,
      status: 'ready',
      error: null,
    } as const;
    const photo = message(22, { type: 'image', direction: 'out', media }) as Message;
    applyEvent(client, { id: 8, type: 'message.created', created_at: '', data: { conversation_id: 1, message: photo } } as LiveEvent);
    const thread = () =>
      (client.getQueryData(queryKeys.messages(1)) as { pages: Array<{ data: Message[] }> }).pages[0]!.data;
    expect(thread().find((m) => m.id === 22)?.media).toEqual(media);

    // A customer's photo still being fetched, then kept: message.updated brings its media object.
    const pending = { ...media, url: null, thumbnail_url: null, bytes: null, status: 'pending' };
    const customers = message(23, { type: 'image', media: pending }) as Message;
    applyEvent(client, { id: 9, type: 'message.created', created_at: '', data: { conversation_id: 1, message: customers } } as LiveEvent);
    applyEvent(client, {
      id: 10,
      type: 'message.updated',
      created_at: '',
      data: { conversation_id: 1, message_id: 23, status: 'received', error: null, media_status: 'ready', media },
    } as LiveEvent);
    expect(thread().find((m) => m.id === 23)).toMatchObject({ status: 'received', media });
    expect(client.getQueryState(queryKeys.messages(1))?.isInvalidated).toBe(false);
  });

  it('hides and shows a comment in place when another dashboard moderates it', () => {
    const client = setup();
    const comment = { media_id: '17887498072083520', media_product_type: 'FEED' };
    client.setQueryData(queryKeys.messages(3), {
      pages: [{ data: [message(30, { type: 'comment', status: 'received', comment })], next_cursor: null }],
      pageParams: [null],
    });
    const moderated = (hidden: boolean) =>
      applyEvent(client, {
        id: 10,
        type: 'message.updated',
        created_at: '',
        data: { conversation_id: 3, message_id: 30, status: 'received', error: null, comment_hidden: hidden },
      } as LiveEvent);
    const shown = () =>
      (client.getQueryData(queryKeys.messages(3)) as { pages: Array<{ data: Array<Record<string, unknown>> }> }).pages[0]!
        .data[0];
    moderated(true);
    expect(shown()).toMatchObject({ status: 'received', comment: { ...comment, hidden: true } });
    expect(client.getQueryState(queryKeys.messages(3))?.isInvalidated).toBe(false);
    moderated(false);
    expect(shown()).toMatchObject({ comment: { ...comment, hidden: false } });
  });

  it("updates a document's progress in place, and reads the list again once it has ended", () => {
    const client = setup();
    client.setQueryData(queryKeys.documents, { data: [{ id: 5, status: 'pending', progress: 0 }], next_cursor: null });
    const progress = (status: string, value: number) =>
      applyEvent(client, {
        id: 1,
        type: 'document.progress',
        created_at: '',
        data: { document_id: 5, status, progress: value },
      } as LiveEvent);
    progress('processing', 0.5);
    expect(client.getQueryData(queryKeys.documents)).toMatchObject({ data: [{ id: 5, status: 'processing', progress: 0.5 }] });
    expect(client.getQueryState(queryKeys.documents)?.isInvalidated).toBe(false);
    // The upload's own refetch may have read "pending" before this event and answer after it: the list is read again.
    progress('ready', 1);
    expect(client.getQueryData(queryKeys.documents)).toMatchObject({ data: [{ id: 5, status: 'ready' }] });
    expect(client.getQueryState(queryKeys.documents)?.isInvalidated).toBe(true);
  });

  it('refetches everything on stream.reset', () => {
    const client = setup();
    applyEvent(client, { type: 'stream.reset' });
    const states = client.getQueryCache().findAll().map((query) => query.state.isInvalidated);
    expect(states.length).toBeGreaterThan(0);
    expect(states.every(Boolean)).toBe(true);
  });
});
