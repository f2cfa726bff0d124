import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, me, renderPage } from '../../../test/utils';
import { browser } from '../api/billing';
import { BillingPage } from './BillingPage';

const plan = (name: string, display: string, cents: number, replies: number | null, channels: number | null) => ({
  name,
  display_name: display,
  monthly_price_cents: cents,
  features: { images: true, audio: true, max_channels: channels, max_knowledge_bytes: null, max_knowledge_documents: null },
  quotas: { monthly_ai_replies: replies, monthly_credits: replies === null ? null : replies * 2 },
});
const catalog = [plan('free', 'Free', 0, 100, 1), plan('pro', 'Pro', 4900, 10000, 5), plan('business', 'Business', 19900, 100000, 20)];

const usage = {
  plan: 'free',
  range: { from: '2026-12-01', to: '2026-12-31' },
  days: [],
  month: {
    from: '2026-12-01',
    to: '2026-12-31',
    totals: { ai_replies: 42, credits: 60, prompt_tokens: 1, completion_tokens: 1, messages_in: 80, messages_out: 50 },
  },
  quotas: { ai_replies: 100, credits: 200 },
  remaining: { ai_replies: 58, credits: 140 },
  storage: { media_bytes: 2_500_000 },
};

const noSubscription = {
  plan: 'free',
  status: 'none',
  current_period_end: null,
  stripe_customer_id: null,
  stripe_subscription_id: null,
  price_id: null,
};
const subscribed = {
  plan: 'pro',
  status: 'active',
  current_period_end: '2027-01-06T10:00:00.000Z',
  stripe_customer_id: 'cus_A',
  stripe_subscription_id: 'sub_A',
  price_id: 'price_pro',
};

function api(overrides: Record<string, unknown> = {}) {
  return fakeApi({
    'GET /api/auth/me': me,
    'GET /api/plans': { data: catalog, current_plan: 'free', billing_enabled: true, checkout_plans: ['business', 'pro'] },
    'GET /api/usage': usage,
    'GET /api/subscriptions': noSubscription,
    ...overrides,
  });
}

afterEach(() => vi.restoreAllMocks());

describe('BillingPage', () => {
  it("shows the plan and this month's use against its quotas", async () => {
    api();
    renderPage(<BillingPage />);
    const used = await screen.findByRole('region', { name: 'Usage this month (2026-12-01 to 2026-12-31)' });
    expect(within(used).getByText('42 of 100')).toBeInTheDocument();
    expect(within(used).getByRole('progressbar', { name: 'AI replies used' })).toHaveAttribute('value', '42');
    expect(within(used).getByText('60 of 200')).toBeInTheDocument();
    expect(within(used).getByText('Media kept').nextElementSibling).toHaveTextContent('2.5 MB');
    const yours = screen.getByRole('region', { name: 'Your plan' });
    expect(within(yours).getByText('Free')).toBeInTheDocument();
    expect(within(yours).getByText('No subscription')).toBeInTheDocument();
  });

  it('sends the owner to Stripe Checkout for a plan', async () => {
    const go = vi.spyOn(browser, 'go').mockImplementation(() => {});
    const { calls } = api({ 'POST /api/billing/checkout': { url: 'https://checkout.stripe.com/c/pay/cs_test_1' } });
    renderPage(<BillingPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Upgrade to Pro' }));
    await waitFor(() => expect(go).toHaveBeenCalledWith('https://checkout.stripe.com/c/pay/cs_test_1'));
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({ plan: 'pro' });
    expect(screen.getByRole('row', { name: /Free/ })).toHaveTextContent('Current plan');
    expect(screen.queryByRole('button', { name: 'Manage billing' })).not.toBeInTheDocument();
  });

  it("opens the Customer Portal for a subscribed tenant, and no second Checkout", async () => {
    const go = vi.spyOn(browser, 'go').mockImplementation(() => {});
    const { calls } = api({
      'GET /api/plans': { data: catalog, current_plan: 'pro', billing_enabled: true, checkout_plans: ['business', 'pro'] },
      'GET /api/subscriptions': subscribed,
      'POST /api/billing/portal': { url: 'https://billing.stripe.com/p/session/test_1' },
    });
    renderPage(<BillingPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Change plan' }));
    await waitFor(() => expect(go).toHaveBeenCalledTimes(1));
    expect(calls.filter((call) => call.method === 'POST').at(-1)?.body).toEqual({ change_plan: true });
    await userEvent.click(screen.getByRole('button', { name: 'Manage billing' }));
    await waitFor(() => expect(go).toHaveBeenCalledTimes(2));
    expect(calls.filter((call) => call.method === 'POST').at(-1)?.body).toEqual({});
    expect(screen.queryByRole('button', { name: /Upgrade to|Switch to/ })).not.toBeInTheDocument();
  });

  it("shows Stripe's or the server's refusal", async () => {
    api({
      'POST /api/billing/checkout': {
        status: 503,
        body: { error: { code: 'unavailable', message: "Stripe refused the request: No such price: 'price_pro'" } },
      },
    });
    renderPage(<BillingPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Upgrade to Business' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "Stripe could not be opened: Stripe refused the request: No such price: 'price_pro'",
    );
  });

  it('has no Stripe buttons when billing is off', async () => {
    api({
      'GET /api/plans': { data: catalog, current_plan: 'free', billing_enabled: false, checkout_plans: [] },
    });
    renderPage(<BillingPage />);
    await screen.findByRole('region', { name: 'Plans' });
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByText('Subscription status')).not.toBeInTheDocument();
  });

  it('leaves the buttons to the owner', async () => {
    api({ 'GET /api/auth/me': { ...me, role: 'admin' } });
    renderPage(<BillingPage />);
    expect(await screen.findByText('Only the owner can change the plan or the payment details.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Upgrade/ })).not.toBeInTheDocument();
  });

  it('thanks the owner back from Checkout', async () => {
    api();
    renderPage(<BillingPage />, { route: '/billing?checkout=success' });
    expect(await screen.findByRole('status')).toHaveTextContent('Your new plan starts as soon as Stripe confirms the payment.');
  });

  it('tells agents billing is not theirs', async () => {
    const forbidden = { status: 403, body: { error: { code: 'permission_denied', message: 'forbidden' } } };
    api({ 'GET /api/plans': forbidden, 'GET /api/usage': forbidden, 'GET /api/subscriptions': forbidden });
    renderPage(<BillingPage />);
    expect(await screen.findByText('Only owners and admins see billing.')).toBeInTheDocument();
  });

  it('speaks French', async () => {
    api();
    renderPage(<BillingPage />, { language: 'fr' });
    expect(await screen.findByRole('button', { name: 'Passer à Pro' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Votre formule' })).toBeInTheDocument();
  });
});
