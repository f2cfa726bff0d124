import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api/client';

/** Leaving the dashboard for Stripe's pages; a separate object so that tests can watch it. */
export const browser = {
  go(url: string) {
    window.location.assign(url);
  },
};

export function usePlans() {
  return useQuery({ queryKey: ['billing', 'plans'], queryFn: ({ signal }) => api.get('/api/plans', { signal }) });
}

export function useUsage() {
  return useQuery({ queryKey: ['billing', 'usage'], queryFn: ({ signal }) => api.get('/api/usage', { signal }) });
}

export function useSubscription() {
  return useQuery({
    queryKey: ['billing', 'subscription'],
    queryFn: ({ signal }) => api.get('/api/subscriptions', { signal }),
  });
}

/**
 * Whether the subscription still runs (and bills), as the server decides it: a second Checkout would double it. One
 * whose status has not arrived from Stripe yet ("none") counts as running.
 */
export function subscriptionRuns(subscription: { status: string; stripe_subscription_id: string | null }): boolean {
  return subscription.stripe_subscription_id !== null && !['canceled', 'incomplete_expired'].includes(subscription.status);
}

/** Opens a Stripe Checkout Session that subscribes the tenant to `plan`. */
export function useCheckout() {
  return useMutation({
    mutationFn: async (plan: string) => {
      const answer = await api.post('/api/billing/checkout', { body: { plan } });
      browser.go(answer.url);
    },
  });
}

/** Opens the Customer Portal: the home page, or changing the running subscription's plan. */
export function usePortal() {
  return useMutation({
    mutationFn: async (changePlan: boolean) => {
      const answer = await api.post('/api/billing/portal', { body: changePlan ? { change_plan: true } : {} });
      browser.go(answer.url);
    },
  });
}
