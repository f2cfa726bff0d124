// People of the tenant: list, change a role, remove, and one's own e-mail preferences.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type RequestBodyOf } from '../../../lib/api/client';
import { queryKeys } from '../../../lib/api/keys';

export function useTeam() {
  return useQuery({ queryKey: queryKeys.users, queryFn: ({ signal }) => api.get('/api/users', { signal }) });
}

export type UserUpdate = RequestBodyOf<'/api/users/{id}', 'patch'>;

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, update }: { id: number; update: UserUpdate }) =>
      api.patch('/api/users/{id}', { path: { id }, body: update }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.users });
      void client.invalidateQueries({ queryKey: queryKeys.me });
      void client.invalidateQueries({ queryKey: teamKeys.audit });
    },
  });
}

export function useRemoveUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete('/api/users/{id}', { path: { id } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.users });
      void client.invalidateQueries({ queryKey: teamKeys.audit });
    },
  });
}

/** The Team page's own cache entries. */
export const teamKeys = {
  invitations: ['team', 'invitations'] as const,
  apiKeys: ['team', 'api-keys'] as const,
  audit: ['team', 'audit'] as const,
};
