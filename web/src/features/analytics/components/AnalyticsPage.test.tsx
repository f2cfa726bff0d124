import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, me, renderPage, type Call } from '../../../test/utils';
import { AnalyticsPage } from './AnalyticsPage';

const figures = (overrides: Record<string, unknown> = {}) => ({
  conversations_started: 0,
  conversations_answered_by_bot: 0,
  conversations_handed_off: 0,
  conversations_automated: 0,
  automation_rate: null,
  messages_in: 0,
  messages_out_bot: 0,
  messages_out_person: 0,
  escalations: 0,
  escalations_by_reason: {},
  first_response_bot_median_s: null,
  first_response_person_median_s: null,
  resolution_median_s: null,
  credits: 0,
  ...overrides,
});

function analytics(call: Call) {
  const weeks = call.query.get('granularity') === 'week';
  return {
    time_zone: 'Europe/Paris',
    granularity: weeks ? 'week' : 'day',
    from: weeks ? '2026-11-30' : '2026-12-05',
    to: weeks ? '2026-12-06' : '2026-12-06',
    channel_id: call.query.get('channel') ? Number(call.query.get('channel')) : null,
    complete: true,
    series: weeks
      ? [{ period: '2026-11-30', ...figures({ conversations_started: 12 }) }]
      : [
          {
            period: '2026-12-05',
            ...figures({
              conversations_started: 4,
              messages_in: 9,
              messages_out_bot: 6,
              automation_rate: 0.75,
              conversations_automated: 3,
              conversations_handed_off: 1,
              escalations: 1,
              escalations_by_reason: { complaint: 1 },
              first_response_bot_median_s: 2.4,
              credits: 6,
            }),
          },
          { period: '2026-12-06', ...figures({ conversations_started: 8, messages_in: 8, first_response_person_median_s: 185 }) },
        ],
    totals: figures({
      conversations_started: weeks ? 12 : 12,
      messages_in: 17,
      messages_out_bot: 6,
      automation_rate: 0.75,
      escalations: 1,
      escalations_by_reason: { complaint: 1 },
      first_response_bot_median_s: 2.4,
      first_response_person_median_s: 185,
      credits: 6,
    }),
  };
}

const channels = {
  data: [
    { id: 2, platform: 'whatsapp', account_id: '1555', display_name: 'Shop WhatsApp', enabled: true },
    { id: 3, platform: 'instagram', account_id: '1777', display_name: null, username: 'shop', enabled: true },
  ],
};

function setup(role = 'owner', overrides: Record<string, unknown> = {}) {
  return fakeApi({
    'GET /api/auth/me': { ...me, role },
    'GET /api/tenant': { id: 1, name: 'Shop', time_zone: 'Europe/Paris', message_retention_days: null },
    'GET /api/social-accounts': channels,
    'GET /api/analytics': analytics,
    ...overrides,
  });
}

// Each test renders five Recharts charts in jsdom: seconds on a quiet machine, far more on a loaded one.
describe('AnalyticsPage', { timeout: 60_000 }, () => {
  it('shows the totals, a chart per figure and the table of days in the tenant time zone', async () => {
    setup();
    renderPage(<AnalyticsPage />);
    const list = await screen.findByLabelText('Totals for the range');
    expect(within(list).getByText('75%')).toBeInTheDocument();
    expect(within(list).getByText('2.4 s')).toBeInTheDocument();
    expect(within(list).getByText('3 min 5 s')).toBeInTheDocument();
    for (const name of [
      'Conversations and messages',
      'Automation rate (%)',
      'Escalations by reason',
      'Response and resolution times (median, seconds)',
      'Credits used',
    ]) {
      expect(screen.getByRole('figure', { name })).toBeInTheDocument();
    }
    const table = screen.getByRole('table', { name: 'Figures per day (Europe/Paris)' });
    const day = within(table).getByRole('row', { name: /2026-12-05/ });
    expect(within(day).getAllByRole('cell').map((cell) => cell.textContent)).toEqual([
      '4', '9', '6', '0', '75%', '1', '1', '2.4 s', '—', '—', '6',
    ]);
    expect(within(table).getByRole('columnheader', { name: 'Escalations: complaint' })).toBeInTheDocument();
    expect(within(table).getByRole('row', { name: /Total/ })).toBeInTheDocument();
  });

  it('asks for weeks and a channel, and exports the same range as CSV', async () => {
    const { calls } = setup();
    renderPage(<AnalyticsPage />);
    await screen.findByRole('table');
    const filters = within(screen.getByRole('form', { name: 'Range and filters' }));
    await userEvent.selectOptions(filters.getByRole('combobox', { name: 'Per' }), 'week');
    await screen.findByRole('table', { name: 'Figures per week (Europe/Paris)' });
    const channel = filters.getByRole('combobox', { name: 'Channel' });
    expect(within(channel).getAllByRole('option').map((option) => option.textContent)).toEqual([
      'All channels',
      'Shop WhatsApp',
      'shop',
    ]);
    await userEvent.selectOptions(channel, 'Shop WhatsApp');
    await waitFor(() => {
      const last = calls.filter((call) => call.path === '/api/analytics').at(-1)!;
      expect(last.query.get('granularity')).toBe('week');
      expect(last.query.get('channel')).toBe('2');
    });
    const csv = filters.getByRole('link', { name: 'Export CSV' });
    expect(csv).toHaveAttribute('href', '/api/analytics.csv?granularity=week&channel=2');
    expect(csv).toHaveAttribute('download');
  });

  it('sends a chosen range', async () => {
    const { calls } = setup();
    renderPage(<AnalyticsPage />);
    await screen.findByRole('table');
    const from = screen.getByLabelText('From');
    expect(from).toHaveValue('2026-12-05');
    fireEvent.change(from, { target: { value: '2026-11-01' } });
    await waitFor(() =>
      expect(calls.some((call) => call.path === '/api/analytics' && call.query.get('from') === '2026-11-01')).toBe(true),
    );
  });

  it('lets an admin change the time zone', async () => {
    const { calls } = setup('admin', {
      'PATCH /api/tenant': (call: Call) => ({
        id: 1,
        name: 'Shop',
        time_zone: (call.body as { time_zone: string }).time_zone,
        message_retention_days: null,
      }),
    });
    renderPage(<AnalyticsPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Change time zone' }));
    const zone = screen.getByRole('combobox', { name: 'Time zone' });
    expect(zone).toHaveValue('Europe/Paris');
    const save = screen.getByRole('button', { name: 'Save time zone' });
    expect(save).toBeDisabled();
    await userEvent.selectOptions(zone, 'America/New_York');
    await userEvent.click(save);
    await waitFor(() => expect(calls.find((call) => call.method === 'PATCH')?.body).toEqual({ time_zone: 'America/New_York' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Time zone saved.');
    expect(screen.getByText(/Days are counted in the America\/New_York time zone/)).toBeInTheDocument();
    // The figures are asked for again, now counted in the new zone.
    await waitFor(() => expect(calls.filter((call) => call.path === '/api/analytics').length).toBeGreaterThan(1));
  });

  it('shows agents the time zone without a setting', async () => {
    setup('agent');
    renderPage(<AnalyticsPage />);
    expect(await screen.findByText('Days are counted in the Europe/Paris time zone.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Change time zone' })).not.toBeInTheDocument();
  });

  it('speaks French', async () => {
    setup();
    renderPage(<AnalyticsPage />, { language: 'fr' });
    expect(await screen.findByRole('table', { name: 'Chiffres par jour (Europe/Paris)' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Exporter en CSV' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Changer de fuseau horaire' })).toBeInTheDocument();
    expect(screen.getByRole('figure', { name: 'Escalades par motif' })).toBeInTheDocument();
  });
});
