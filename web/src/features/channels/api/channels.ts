import { useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api/client';
import { queryKeys } from '../../../lib/api/keys';

export function useChannelList() {
  return useQuery({ queryKey: queryKeys.channels, queryFn: ({ signal }) => api.get('/api/social-accounts', { signal }) });
}
