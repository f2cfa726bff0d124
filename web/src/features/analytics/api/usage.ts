import { useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api/client';

/** Messages and AI replies per day of the current month, from the usage the server meters. */
export function useDailyUsage() {
  return useQuery({ queryKey: ['analytics', 'usage'], queryFn: ({ signal }) => api.get('/api/usage', { signal }) });
}
