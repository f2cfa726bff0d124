import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, me, renderPage } from '../../../test/utils';
import { saver } from '../api/contacts';
import { ContactsPage } from './ContactsPage';

function contact(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    channel_id: 1,
    platform: 'whatsapp',
    platform_id: `3361111111${id}`,
    name: `Customer ${id}`,
    email: '',
    created_at: '2026-12-01T10:00:00.000Z',
    last_activity_at: '2026-12-06T10:00:00.000Z',
    conversations: 1,
    ...overrides,
  };
}

function conversation(id: number, status = 'open') {
  return {
    id,
    platform: 'whatsapp',
    channel_id: 1,
    contact: { platform_id: '33611111111', name: 'Ana Lima' },
    status,
    mode: 'bot',
    handoff_reason: null,
    human_until: null,
    assignee_id: null,
    created_at: '2026-12-01T10:00:00.000Z',
    last_message_at: '2026-12-06T10:00:00.000Z',
    window_closes_at: null,
  };
}

const channels = { data: [{ id: 1, platform: 'whatsapp', display_name: 'Shop', account_id: '1065' }, { id: 2, platform: 'instagram', display_name: '', account_id: 'ig-9' }] };
const tenant = { id: 1, name: 'Acme', time_zone: 'UTC', message_retention_days: null };
const detail = { contact: contact(1, { name: 'Ana Lima', platform_id: '33611111111', conversations: 2 }), conversations: [conversation(12), conversation(7, 'closed')] };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ContactsPage', () => {
  it('lists contacts, searches them and filters by channel', async () => {
    const { calls } = fakeApi({
      'GET /api/auth/me': me,
      'GET /api/social-accounts': channels,
      'GET /api/tenant': tenant,
      'GET /api/contacts': ({ query }: { query: URLSearchParams }) =>
        query.get('q') === 'ana'
          ? { data: [contact(1, { name: 'Ana Lima' })], next_cursor: null }
          : { data: [contact(1, { name: 'Ana Lima' }), contact(2, { name: 'Bruno' })], next_cursor: 'c2' },
    });
    renderPage(<ContactsPage />, { route: '/contacts', path: '/contacts' });
    expect(await screen.findByRole('link', { name: 'Bruno' })).toHaveAttribute('href', '/contacts/2');
    expect(screen.getByRole('button', { name: 'Show more' })).toBeInTheDocument();

    await userEvent.type(screen.getByRole('searchbox', { name: 'Search contacts' }), 'ana');
    expect(await screen.findByRole('link', { name: 'Ana Lima' })).toBeInTheDocument();
    await vi.waitFor(() => expect(screen.queryByRole('link', { name: 'Bruno' })).not.toBeInTheDocument());

    await userEvent.selectOptions(await screen.findByRole('combobox', { name: 'Channel' }), 'Instagram · ig-9');
    await vi.waitFor(() => expect(calls.some((c) => c.path === '/api/contacts' && c.query.get('channel_id') === '2')).toBe(true));
  });

  it('shows a contact with links to its conversations in the inbox', async () => {
    fakeApi({ 'GET /api/auth/me': { ...me, role: 'agent' }, 'GET /api/contacts/1': detail });
    renderPage(<ContactsPage />, { route: '/contacts/1', path: '/contacts/:contactId' });
    expect(await screen.findByRole('heading', { name: 'Ana Lima' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Conversation 12' })).toHaveAttribute('href', '/inbox/12');
    expect(screen.getByRole('link', { name: 'Conversation 7' })).toHaveAttribute('href', '/inbox/7');
    // Agents see the conversations, not the GDPR actions.
    expect(screen.queryByRole('button', { name: 'Export data (JSON)' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Erase contact' })).not.toBeInTheDocument();
    // No e-mail given: none shown.
    expect(screen.queryByText('E-mail')).not.toBeInTheDocument();
  });

  it('shows the e-mail a web chat visitor gave', async () => {
    const visitor = { ...detail, contact: contact(3, { platform: 'webchat', name: 'Ana', email: 'ana@shop.example' }) };
    fakeApi({ 'GET /api/auth/me': me, 'GET /api/contacts/3': visitor });
    renderPage(<ContactsPage />, { route: '/contacts/3', path: '/contacts/:contactId' });
    expect(await screen.findByRole('heading', { name: 'Ana' })).toBeInTheDocument();
    expect(screen.getByText('E-mail')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'ana@shop.example' })).toHaveAttribute('href', 'mailto:ana@shop.example');
  });

  it('downloads the export as a JSON file', async () => {
    const exported = { exported_at: '2026-12-06T12:00:00.000Z', contact: detail.contact, conversations: [], messages: [], support_items: [], traces: [] };
    const { calls } = fakeApi({ 'GET /api/auth/me': me, 'GET /api/contacts/1': detail, 'GET /api/contacts/1/export': exported });
    const save = vi.spyOn(saver, 'save').mockImplementation(() => {});
    renderPage(<ContactsPage />, { route: '/contacts/1', path: '/contacts/:contactId' });
    await userEvent.click(await screen.findByRole('button', { name: 'Export data (JSON)' }));
    await vi.waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    const [blob, filename] = save.mock.calls[0]!;
    expect(filename).toBe('contact-1.json');
    // jsdom's Blob has no text(): its FileReader reads it.
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(blob as Blob);
    });
    expect(JSON.parse(text)).toEqual(exported);
    expect(calls.some((c) => c.method === 'GET' && c.path === '/api/contacts/1/export')).toBe(true);
  });

  it('erases a contact only after an alert dialog that names the consequence', async () => {
    const { calls } = fakeApi({
      'GET /api/auth/me': me,
      'GET /api/contacts/1': detail,
      'DELETE /api/contacts/1': { contact_id: 1, erased: true, conversations: 2, messages: 9, notes: 1, support_items: 0, traces: 3, events: 12, webhook_deliveries: 0 },
      'GET /api/contacts': { data: [], next_cursor: null },
      'GET /api/social-accounts': channels,
      'GET /api/tenant': tenant,
    });
    renderPage(
      <Routes>
        <Route path="/contacts" element={<ContactsPage />} />
        <Route path="/contacts/:contactId" element={<ContactsPage />} />
      </Routes>,
      { route: '/contacts/1' },
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Erase contact' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Erase Ana Lima for good?' });
    expect(dialog).toHaveAccessibleDescription(/deletes Ana Lima and their 2 conversations.*cannot be undone/);
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Erase contact' }));
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Erase for good' }));
    expect(await screen.findByText('The contact and everything kept about them were erased.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/api/contacts/1']);
  });

  it('lets admins set how long messages are kept', async () => {
    const { calls } = fakeApi({
      'GET /api/auth/me': me,
      'GET /api/contacts': { data: [], next_cursor: null },
      'GET /api/social-accounts': channels,
      'GET /api/tenant': tenant,
      'PATCH /api/tenant': ({ body }: { body: { message_retention_days: number | null } }) => ({ ...tenant, ...body }),
    });
    renderPage(<ContactsPage />, { route: '/contacts', path: '/contacts' });
    expect(await screen.findByText('Messages are kept for ever.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('radio', { name: 'Delete messages after a number of days' }));
    const days = screen.getByRole('spinbutton', { name: 'Days to keep messages' });
    await userEvent.clear(days);
    await userEvent.type(days, '90');
    await userEvent.click(screen.getByRole('button', { name: 'Save retention' }));
    expect(await screen.findByText('Messages older than 90 days are deleted.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ message_retention_days: 90 });

    await userEvent.click(screen.getByRole('radio', { name: 'Keep messages for ever' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save retention' }));
    expect(await screen.findByText('Messages are kept for ever.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'PATCH').at(-1)!.body).toEqual({ message_retention_days: null });
  });

  it('hides the retention setting from agents and speaks French', async () => {
    fakeApi({
      'GET /api/auth/me': { ...me, role: 'agent' },
      'GET /api/contacts': { data: [contact(1)], next_cursor: null },
      'GET /api/social-accounts': channels,
    });
    renderPage(<ContactsPage />, { route: '/contacts', path: '/contacts', language: 'fr' });
    expect(await screen.findByRole('link', { name: 'Customer 1' })).toBeInTheDocument();
    expect(screen.getByRole('searchbox', { name: 'Rechercher des contacts' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Conservation des messages' })).not.toBeInTheDocument();
  });
});
