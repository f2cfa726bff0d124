import { useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api/client';

export function useUsage() {
  return useQuery({ queryKey: ['billing', 'usage'], queryFn: ({ signal }) => api.get('/api/usage', { signal }) });
}

export function useSubscription() {
  return useQuery({
    queryKey: ['billing', 'subscription'],
    queryFn: ({ signal }) => api.get('/api/subscriptions', { signal }),
  });
}
