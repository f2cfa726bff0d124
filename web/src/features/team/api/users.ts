import { useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api/client';
import { queryKeys } from '../../../lib/api/keys';

export function useTeam() {
  return useQuery({ queryKey: queryKeys.users, queryFn: ({ signal }) => api.get('/api/users', { signal }) });
}
