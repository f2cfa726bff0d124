import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../../lib/events/cache';
import { conversation, fakeApi, me, message, renderPage } from '../../../test/utils';
import { InboxPage } from './InboxPage';

function inboxApi(overrides: Record<string, unknown> = {}) {
  let mode = 'bot';
  return fakeApi({
    'GET /api/auth/me': me,
    'GET /api/users': { data: [me.user] },
    'GET /api/social-accounts': { data: [] },
    'GET /api/support': { data: [], next_cursor: null },
    'GET /api/conversations': {
      data: [conversation(2, { unread_count: 3 }), conversation(1)],
      next_cursor: null,
    },
    'GET /api/conversations/1': () => conversation(1, { mode }),
    'GET /api/conversations/1/messages': { data: [message(1), message(2, { direction: 'out', status: 'delivered', text: 'Hi!' })], next_cursor: null },
    'GET /api/conversations/1/traces': {
      data: [{ id: 5, message_id: 2, decision: 'AUTO_REPLY', reason: 'answered', detail: { sources: [{ name: 'faq.md', score: 0.8, text: 'We open at 9.' }], trace: [] }, created_at: '' }],
    },
    'POST /api/conversations/1/read': { unread_count: 0 },
    'POST /api/conversations/1/messages': (call: { body: unknown }) => ({
      id: 3,
      conversation_id: 1,
      direction: 'out',
      type: 'text',
      text: (call.body as { text: string }).text,
      status: 'queued',
    }),
    'PUT /api/conversations/1/mode': (call: { body: unknown }) => {
      mode = (call.body as { mode: string }).mode;
      return conversation(1, { mode });
    },
    ...overrides,
  });
}

describe('InboxPage', () => {
  it('tells what the platform allows once the reply window has closed, and nothing on a platform without one', async () => {
    const past = '2026-12-01T10:00:00.000Z';
    inboxApi({
      'GET /api/platforms': {
        data: [
          { name: 'whatsapp', traits: { free_form_window_hours: 24, human_agent_window_days: null, templates: true } },
          { name: 'messenger', traits: { free_form_window_hours: 24, human_agent_window_days: 7, templates: false } },
          { name: 'telegram', traits: { free_form_window_hours: null, human_agent_window_days: null, templates: false } },
        ],
      },
      'GET /api/conversations/1': conversation(1, { platform: 'messenger', window_closes_at: past }),
      'GET /api/conversations/2': conversation(2, { platform: 'telegram', window_closes_at: null }),
      'GET /api/conversations/2/messages': { data: [message(5, { conversation_id: 2 })], next_cursor: null },
      'GET /api/conversations/2/traces': { data: [] },
    });
    const first = renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId?' });
    expect(await screen.findByText(/replies are tagged HUMAN_AGENT \(7 days\)/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /template/i })).not.toBeInTheDocument();
    first.unmount();
    renderPage(<InboxPage />, { route: '/inbox/2', path: '/inbox/:conversationId?' });
    await screen.findByRole('log', { name: 'Messages' });
    await waitFor(() => expect(screen.queryByText('The customer has not written yet.')).not.toBeInTheDocument());
    expect(screen.queryByText(/reply window/i)).not.toBeInTheDocument();
  });

  it('lists conversations by latest activity with their unread counts', async () => {
    inboxApi();
    renderPage(<InboxPage />, { route: '/inbox', path: '/inbox' });
    const list = await screen.findByRole('list', { name: 'Conversations' });
    const links = await within(list).findAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual([
      expect.stringContaining('Customer 2'),
      expect.stringContaining('Customer 1'),
    ]);
    expect(within(list).getByRole('link', { name: /Customer 2.*3 unread/ })).toHaveAttribute('href', '/inbox/2');
    expect(within(list).getByRole('link', { name: /Customer 1/ })).not.toHaveTextContent('unread');
  });

  it('sends the filters and the search to the API', async () => {
    const { calls } = inboxApi();
    renderPage(<InboxPage />, { route: '/inbox?mode=human&assignee=mine&waiting=1', path: '/inbox' });
    await screen.findByRole('list', { name: 'Conversations' });
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search' }), 'refund');
    await waitFor(() => expect(calls.some((call) => call.query.get('q') === 'refund')).toBe(true));
    const last = calls.filter((call) => call.path === '/api/conversations').at(-1)!;
    expect(Object.fromEntries(last.query)).toMatchObject({ mode: 'human', assignee: '7', waiting: 'true', q: 'refund' });
  });

  it('drops a conversation erased elsewhere from the list, and closes it when it is open', async () => {
    const { calls } = inboxApi();
    const { client } = renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId?' });
    const list = await screen.findByRole('list', { name: 'Conversations' });
    expect(await within(list).findAllByRole('link')).toHaveLength(2);
    await screen.findByRole('log', { name: 'Messages' });
    const fetched = calls.length;

    act(() => applyEvent(client, { id: 9, type: 'conversation.deleted', created_at: '', data: { conversation_id: 1 } }));
    await waitFor(() => expect(screen.queryByRole('log', { name: 'Messages' })).not.toBeInTheDocument());
    expect(screen.getByText('Choose a conversation.')).toBeInTheDocument();
    expect(within(list).getAllByRole('link').map((link) => link.textContent)).toEqual([expect.stringContaining('Customer 2')]);
    // Told by the event, not by asking the server again.
    expect(calls.slice(fetched).filter((call) => call.method === 'GET' && call.path.startsWith('/api/conversations'))).toEqual([]);
  });

  it('shows the thread with delivery ticks and why the bot answered', async () => {
    inboxApi();
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    const log = await screen.findByRole('log', { name: 'Messages' });
    expect(await within(log).findByText('Hi!')).toBeInTheDocument();
    expect(within(log).getByText('Delivered')).toBeInTheDocument();
    await userEvent.click(await within(log).findByText('Why this answer'));
    expect(within(log).getByText('We open at 9.')).toBeVisible();
  });

  it('opens a thread on its newest page and then loads the older ones, oldest first on screen', async () => {
    const { calls } = inboxApi({
      'GET /api/conversations/1/messages': (call: { query: URLSearchParams }) =>
        call.query.get('before') === 'latest'
          ? { data: [message(4), message(3)], next_cursor: 'page-2' }
          : { data: [message(2), message(1)], next_cursor: null },
    });
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    const log = await screen.findByRole('log', { name: 'Messages' });
    // The newest page fills no screen here (jsdom has no layout), so the older page follows at once.
    await within(log).findByText('Message 1');
    expect(within(log).getAllByText(/^Message \d$/).map((p) => p.textContent)).toEqual([
      'Message 1',
      'Message 2',
      'Message 3',
      'Message 4',
    ]);
    const pages = calls.filter((call) => call.path === '/api/conversations/1/messages');
    expect(pages.map((call) => call.query.get('before'))).toEqual(['latest', 'page-2']);
    expect(screen.queryByRole('button', { name: 'Show earlier messages' })).not.toBeInTheDocument();
  });

  it('sends a reply and clears the composer', async () => {
    const { calls } = inboxApi();
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    const reply = await screen.findByRole('textbox', { name: 'Reply' });
    await userEvent.type(reply, 'We open at nine');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(reply).toHaveValue(''));
    const sent = calls.find((call) => call.method === 'POST' && call.path === '/api/conversations/1/messages');
    expect(sent?.body).toEqual({ text: 'We open at nine' });
    expect(await screen.findByText('We open at nine')).toBeInTheDocument();
  });

  it('takes over and hands back through the mode endpoint', async () => {
    const { calls } = inboxApi();
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    await userEvent.click(await screen.findByRole('button', { name: 'Take over' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Hand back to bot' }));
    await screen.findByRole('button', { name: 'Take over' });
    const modes = calls.filter((call) => call.method === 'PUT' && call.path === '/api/conversations/1/mode');
    expect(modes.map((call) => call.body)).toEqual([{ mode: 'human' }, { mode: 'bot' }]);
  });

  it('runs shortcuts, but not while someone types', async () => {
    const { calls } = inboxApi();
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    const reply = await screen.findByRole('textbox', { name: 'Reply' });
    await userEvent.type(reply, 't');
    expect(calls.some((call) => call.method === 'PUT')).toBe(false);
    reply.blur();
    await userEvent.keyboard('t');
    await waitFor(() => expect(calls.some((call) => call.method === 'PUT')).toBe(true));
    await userEvent.keyboard('r');
    expect(reply).toHaveFocus();
  });

  it('offers the agent’s draft on an escalated conversation', async () => {
    inboxApi({
      'GET /api/support': {
        data: [
          {
            id: 4,
            conversation_id: 1,
            reason: 'low_relevance',
            priority: 'normal',
            status: 'open',
            draft: { text: 'We deliver within 5 km.', sources: [{ name: 'shop.md', score: 0.5, text: 'Delivery: 5 km.' }] },
          },
        ],
        next_cursor: null,
      },
    });
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    await userEvent.click(await screen.findByRole('button', { name: 'Edit draft' }));
    expect(screen.getByRole('textbox', { name: 'Reply' })).toHaveValue('We deliver within 5 km.');
  });

  it('inserts a canned reply typed as /shortcut, and adds private notes', async () => {
    const { calls } = inboxApi({
      'GET /api/canned-replies': (call: { query: URLSearchParams }) => ({
        data: [{ id: 1, shortcut: 'hours', text: 'We are open 9 to 18.' }].filter((r) => r.shortcut.startsWith(call.query.get('q') ?? '')),
      }),
      'POST /api/conversations/1/notes': { status: 201, body: message(8, { type: 'note', direction: 'out', text: 'VIP' }) },
    });
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    const reply = await screen.findByRole('textbox', { name: 'Reply' });
    await userEvent.type(reply, '/ho');
    const options = await screen.findByRole('listbox', { name: 'Canned replies' });
    expect(within(options).getByRole('option', { name: /hours/ })).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{Enter}');
    expect(reply).toHaveValue('We are open 9 to 18.');
    expect(calls.some((call) => call.method === 'POST' && call.path === '/api/conversations/1/messages')).toBe(false);

    await userEvent.clear(reply);
    await userEvent.type(reply, 'VIP');
    await userEvent.click(screen.getByRole('button', { name: 'Add private note' }));
    await waitFor(() => expect(reply).toHaveValue(''));
    expect(calls.find((call) => call.path === '/api/conversations/1/notes')?.body).toEqual({ text: 'VIP' });
  });
});
