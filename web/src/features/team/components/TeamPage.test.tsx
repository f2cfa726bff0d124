import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, renderPage } from '../../../test/utils';
import { TeamPage } from './TeamPage';

const owner = {
  id: 7,
  email: 'ana@shop.test',
  name: 'Ana',
  role: 'owner',
  created_at: '2026-12-01T10:00:00.000Z',
  last_login_at: null,
  notify_by_email: false,
  language: 'en',
};
const agent = { ...owner, id: 8, email: 'bob@shop.test', name: 'Bob', role: 'agent' };
const me = { tenant_id: 1, role: 'owner', user: owner, api_key: null, csrf_token: 'csrf-1' };

function invitation(overrides: Record<string, unknown> = {}) {
  return {
    id: 3,
    email: 'cleo@shop.test',
    role: 'agent',
    language: 'en',
    status: 'pending',
    invited_by: 'user:7',
    created_at: '2026-12-06T10:00:00.000Z',
    sent_at: '2026-12-06T10:00:00.000Z',
    expires_at: '2026-12-13T10:00:00.000Z',
    accepted_at: null,
    revoked_at: null,
    email_delivery: null,
    ...overrides,
  };
}

function baseApi(extra: Record<string, unknown> = {}) {
  return fakeApi({
    'GET /api/auth/me': me,
    'GET /api/users': { data: [owner, agent] },
    'GET /api/invitations': { data: [], email_enabled: false },
    'GET /api/api-keys': { data: [] },
    'GET /api/audit-logs': { data: [], next_cursor: null },
    ...extra,
  });
}

afterEach(() => vi.unstubAllGlobals());
// Generous waits: a page's first render pays for its imports, which is slow on a loaded machine.
configure({ asyncUtilTimeout: 8000 });

describe('TeamPage', { timeout: 20000 }, () => {
  it('changes a role, and keeps the last owner from being demoted or removed', async () => {
    const { calls } = baseApi({ 'PATCH /api/users/8': { ...agent, role: 'admin' } });
    renderPage(<TeamPage />);
    const ownerRole = await screen.findByRole('combobox', { name: 'Role of ana@shop.test' });
    expect(ownerRole).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Remove ana@shop.test' })).toBeDisabled();

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Role of bob@shop.test' }), 'admin');
    await waitFor(() => expect(calls.some((call) => call.method === 'PATCH')).toBe(true));
    expect(calls.find((call) => call.method === 'PATCH')?.body).toEqual({ role: 'admin' });
  });

  it('removes a person after confirming', async () => {
    const { calls } = baseApi({ 'DELETE /api/users/8': { status: 204, body: null } });
    renderPage(<TeamPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Remove bob@shop.test' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE' && call.path === '/api/users/8')).toBe(true));
  });

  it('invites by address and, without e-mail, shows the link to copy', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const link = 'https://parley.example.com/accept-invite?token=pri_abc';
    const { calls } = baseApi({ 'POST /api/invitations': { status: 201, body: invitation({ link }) } });
    renderPage(<TeamPage />);
    expect(await screen.findByText(/Parley sends no e-mail here/)).toBeInTheDocument();

    await userEvent.type(screen.getByRole('textbox', { name: 'Email address to invite' }), 'cleo@shop.test');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Language of the invitation' }), 'fr');
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));

    const region = await screen.findByRole('region', { name: 'Invitation link for cleo@shop.test' });
    expect(within(region).getByText(link)).toBeInTheDocument();
    await userEvent.click(within(region).getByRole('button', { name: 'Copy link' }));
    expect(writeText).toHaveBeenCalledWith(link);
    expect(within(region).getByRole('status')).toHaveTextContent('Copied.');
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({
      email: 'cleo@shop.test',
      role: 'agent',
      language: 'fr',
    });
  });

  it("lists pending invitations with their e-mail's state, and resends or revokes them", async () => {
    const { calls } = baseApi({
      'GET /api/invitations': {
        data: [
          invitation({ email_delivery: { status: 'failed', attempts: 1, last_error: 'SMTP 550: no such user', sent_at: null } }),
          invitation({ id: 4, email: 'dan@shop.test', status: 'accepted' }),
        ],
        email_enabled: true,
      },
      'POST /api/invitations/3/resend': invitation(),
      'DELETE /api/invitations/3': { status: 204, body: null },
    });
    renderPage(<TeamPage />);
    expect(await screen.findByText('Not sent: SMTP 550: no such user')).toBeInTheDocument();
    expect(screen.queryByText('dan@shop.test')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Resend to cleo@shop.test' }));
    await waitFor(() => expect(calls.some((call) => call.path === '/api/invitations/3/resend')).toBe(true));
    await userEvent.click(screen.getByRole('button', { name: 'Revoke invitation of cleo@shop.test' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE' && call.path === '/api/invitations/3')).toBe(true));
  });

  it('shows a new API key once, with a copy button', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const key = { id: 2, name: 'CRM', prefix: 'pk_abcdefgh', role: 'agent', created_at: '2026-12-06T10:00:00.000Z', last_used_at: null };
    baseApi({ 'POST /api/api-keys': { status: 201, body: { ...key, key: 'pk_abcdefgh-the-whole-secret' } } });
    renderPage(<TeamPage />);
    await userEvent.type(await screen.findByRole('textbox', { name: 'Key name' }), 'CRM');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    const region = await screen.findByRole('region', { name: 'New API key "CRM"' });
    expect(within(region).getByText('pk_abcdefgh-the-whole-secret')).toBeInTheDocument();
    await userEvent.click(within(region).getByRole('button', { name: 'Copy key' }));
    expect(writeText).toHaveBeenCalledWith('pk_abcdefgh-the-whole-secret');
    await userEvent.click(within(region).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText('pk_abcdefgh-the-whole-secret')).not.toBeInTheDocument();
  });

  it('pages through the audit log, newest first', async () => {
    const entry = (id: number) => ({
      id,
      actor: 'user:7',
      action: `action.${id}`,
      target_type: 'user',
      target_id: '8',
      details: { role: 'admin' },
      created_at: '2026-12-06T10:00:00.000Z',
    });
    baseApi({
      'GET /api/audit-logs': (call: { query: URLSearchParams }) =>
        call.query.get('cursor') === 'a10' ? { data: [entry(9)], next_cursor: null } : { data: [entry(11), entry(10)], next_cursor: 'a10' },
    });
    renderPage(<TeamPage />);
    expect(await screen.findByRole('rowheader', { name: 'action.11' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('rowheader', { name: 'action.9' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('lets anyone ask for escalations by e-mail, and shows an agent nothing else', async () => {
    const agentMe = { ...me, role: 'agent', user: agent };
    const { calls } = fakeApi({ 'GET /api/auth/me': agentMe, 'PATCH /api/users/8': { ...agent, notify_by_email: true } });
    renderPage(<TeamPage />, { language: 'fr' });
    await userEvent.click(
      await screen.findByRole('checkbox', { name: 'M’envoyer un e-mail quand une conversation est confiée à une personne' }),
    );
    await waitFor(() => expect(calls.find((call) => call.method === 'PATCH')?.body).toEqual({ notify_by_email: true }));
    expect(screen.getByText('Seuls les propriétaires et les administrateurs voient l’équipe.')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Clés d’API' })).not.toBeInTheDocument();
  });
});
