// API keys: list (prefixes only), create (the key is in that answer only), revoke.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type RequestBodyOf, type ResponseOf } from '../../../lib/api/client';
import { teamKeys } from './users';

export type ApiKey = ResponseOf<'/api/api-keys'>['data'][number];
export type NewApiKey = RequestBodyOf<'/api/api-keys', 'post'>;

export function useApiKeys() {
  return useQuery({ queryKey: teamKeys.apiKeys, queryFn: ({ signal }) => api.get('/api/api-keys', { signal }) });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: NewApiKey) => api.post('/api/api-keys', { body: key }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: teamKeys.apiKeys });
      void client.invalidateQueries({ queryKey: teamKeys.audit });
    },
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete('/api/api-keys/{id}', { path: { id } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: teamKeys.apiKeys });
      void client.invalidateQueries({ queryKey: teamKeys.audit });
    },
  });
}
