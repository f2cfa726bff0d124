import { useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api/client';

/** The latest conversations (one page, newest activity first), the contacts are read from. */
export function useRecentConversations(q: string) {
  return useQuery({
    queryKey: ['contacts', 'conversations', q],
    queryFn: ({ signal }) => api.get('/api/conversations', { query: { q, limit: 500 }, signal }),
  });
}
