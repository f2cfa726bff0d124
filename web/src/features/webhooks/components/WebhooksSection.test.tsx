import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, me, renderPage } from '../../../test/utils';
import { eventTypes } from '../api/webhooks';
import { WebhooksSection } from './WebhooksSection';

const endpoint = (id: number, overrides: Record<string, unknown> = {}) => ({
  id,
  url: `https://hooks.example.com/${id}`,
  description: '',
  events: [...eventTypes],
  enabled: true,
  created_at: '2026-12-06T10:00:00.000Z',
  updated_at: '2026-12-06T10:00:00.000Z',
  ...overrides,
});

const delivery = (id: number, overrides: Record<string, unknown> = {}) => ({
  id,
  endpoint_id: 1,
  event_id: 40 + id,
  event_type: 'message.created',
  status: 'succeeded',
  attempts: 1,
  response_status: 200,
  last_error: null,
  next_attempt_at: null,
  created_at: '2026-12-06T10:00:00.000Z',
  updated_at: '2026-12-06T10:00:00.000Z',
  ...overrides,
});

describe('WebhooksSection', () => {
  it('adds an endpoint with the events chosen and shows its secret once, with a copy button', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const { calls } = fakeApi({
      'GET /api/auth/me': me,
      'GET /api/webhook-endpoints': { data: [] },
      'POST /api/webhook-endpoints': {
        status: 201,
        body: { ...endpoint(3, { url: 'https://crm.example.com/parley' }), secret: 'whsec_abc123' },
      },
    });
    renderPage(<WebhooksSection />);
    expect(await screen.findByText('No endpoints yet.')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('textbox', { name: 'Endpoint URL' }));
    await userEvent.paste('https://crm.example.com/parley');
    const events = screen.getByRole('group', { name: 'Events to send' });
    for (const type of eventTypes) expect(within(events).getByRole('checkbox', { name: type })).toBeChecked();
    await userEvent.click(within(events).getByRole('checkbox', { name: 'message.updated' }));
    await userEvent.click(within(events).getByRole('checkbox', { name: 'document.progress' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));

    await waitFor(() => expect(calls.some((call) => call.method === 'POST')).toBe(true));
    expect(calls.find((call) => call.method === 'POST')!.body).toEqual({
      url: 'https://crm.example.com/parley',
      events: ['message.created', 'conversation.created', 'conversation.updated', 'support.opened', 'support.resolved'],
      description: '',
    });
    const secret = await screen.findByRole('region', { name: 'Signing secret' });
    expect(within(secret).getByRole('textbox', { name: 'Signing secret' })).toHaveValue('whsec_abc123');
    await userEvent.click(within(secret).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('whsec_abc123');
    expect(await within(secret).findByText('Copied.')).toBeInTheDocument();
    await userEvent.click(within(secret).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('region', { name: 'Signing secret' })).not.toBeInTheDocument();
  }, 30_000);

  it('says why an endpoint was refused', async () => {
    fakeApi({
      'GET /api/auth/me': me,
      'GET /api/webhook-endpoints': { data: [] },
      'POST /api/webhook-endpoints': {
        status: 400,
        body: { error: { code: 'invalid_argument', message: 'url: 10.0.0.5 (private); only public addresses can be reached' } },
      },
    });
    renderPage(<WebhooksSection />);
    await userEvent.click(await screen.findByRole('textbox', { name: 'Endpoint URL' }));
    await userEvent.paste('http://10.0.0.5/hook');
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Not added: url: 10.0.0.5 (private); only public addresses can be reached',
    );
  }, 30_000);

  it('disables, tests, rotates and deletes an endpoint', async () => {
    const { calls } = fakeApi({
      'GET /api/auth/me': me,
      'GET /api/webhook-endpoints': { data: [endpoint(1), endpoint(2, { events: ['support.opened'] })] },
      'PATCH /api/webhook-endpoints/1': endpoint(1, { enabled: false }),
      'POST /api/webhook-endpoints/2/ping': { status: 202, body: delivery(9, { endpoint_id: 2, event_type: 'ping' }) },
      'GET /api/webhook-endpoints/2/deliveries': { data: [], next_cursor: null },
      'POST /api/webhook-endpoints/2/rotate-secret': { ...endpoint(2), secret: 'whsec_new' },
      'DELETE /api/webhook-endpoints/1': { deleted: true, id: 1 },
    });
    renderPage(<WebhooksSection />);
    const row = (await screen.findByRole('rowheader', { name: 'https://hooks.example.com/2' })).closest('tr')!;
    expect(within(row).getByText('support.opened')).toBeInTheDocument();
    expect(screen.getByText('All events')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('checkbox', { name: 'Enabled: https://hooks.example.com/1' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'PATCH')).toBe(true));
    expect(calls.find((call) => call.method === 'PATCH')!.body).toEqual({ enabled: false });

    await userEvent.click(screen.getByRole('button', { name: 'Send a test event to https://hooks.example.com/2' }));
    await waitFor(() => expect(calls.some((call) => call.path === '/api/webhook-endpoints/2/ping')).toBe(true));
    expect(await screen.findByRole('heading', { name: 'Deliveries to https://hooks.example.com/2' })).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Rotate the secret of https://hooks.example.com/2' }));
    const secret = await screen.findByRole('region', { name: 'Signing secret' });
    expect(within(secret).getByRole('textbox', { name: 'Signing secret' })).toHaveValue('whsec_new');

    await userEvent.click(screen.getByRole('button', { name: 'Delete https://hooks.example.com/1' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete endpoint' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
    expect(calls.find((call) => call.method === 'DELETE')!.path).toBe('/api/webhook-endpoints/1');
  }, 30_000);

  it('lists deliveries with their outcome and sends one again', async () => {
    const { calls } = fakeApi({
      'GET /api/auth/me': me,
      'GET /api/webhook-endpoints': { data: [endpoint(1)] },
      'GET /api/webhook-endpoints/1/deliveries': {
        data: [
          delivery(12, {
            status: 'pending',
            attempts: 2,
            response_status: 503,
            last_error: 'the endpoint answered 503',
            next_attempt_at: '2026-12-06T10:05:00.000Z',
          }),
          delivery(11),
          delivery(10, { status: 'failed', attempts: 30, response_status: null, last_error: 'the endpoint could not be reached' }),
        ],
        next_cursor: null,
      },
      'POST /api/webhook-endpoints/1/deliveries/10/redeliver': { status: 202, body: delivery(13, { status: 'pending', attempts: 0 }) },
    });
    renderPage(<WebhooksSection />);
    await userEvent.click(await screen.findByRole('button', { name: 'Deliveries' }));
    const log = await screen.findByRole('region', { name: 'Deliveries to https://hooks.example.com/1' });
    const pending = within(log).getByRole('rowheader', { name: /#12/ }).closest('tr')!;
    expect(within(pending).getByText('pending')).toBeInTheDocument();
    expect(within(pending).getByText('the endpoint answered 503')).toBeInTheDocument();
    expect(within(log).getByText('delivered')).toBeInTheDocument();
    const failed = within(log).getByRole('rowheader', { name: /#10/ }).closest('tr')!;
    expect(within(failed).getByText('failed')).toBeInTheDocument();
    await userEvent.click(within(log).getByRole('button', { name: 'Send delivery 10 again' }));
    await waitFor(() =>
      expect(calls.some((call) => call.path === '/api/webhook-endpoints/1/deliveries/10/redeliver')).toBe(true),
    );
  }, 30_000);

  it('tells agents that webhooks are for owners and admins, in French too', async () => {
    fakeApi({
      'GET /api/auth/me': { ...me, role: 'agent' },
      'GET /api/webhook-endpoints': { status: 403, body: { error: { code: 'permission_denied', message: 'no' } } },
    });
    renderPage(<WebhooksSection />, { language: 'fr' });
    expect(await screen.findByText('Seuls les propriétaires et les administrateurs gèrent les webhooks.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Webhooks' })).toBeInTheDocument();
  }, 30_000);
});
