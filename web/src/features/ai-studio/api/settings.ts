import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type RequestBodyOf, type ResponseOf } from '../../../lib/api/client';

export type AiSettings = ResponseOf<'/api/ai-settings'>;
export type AiSettingsChanges = RequestBodyOf<'/api/ai-settings', 'put'>;
export type Tenant = ResponseOf<'/api/tenant'>;

const settingsKey = ['ai-studio', 'settings'] as const;

/** The assistant's settings (API keys shown only as set or not). */
export function useAiSettings() {
  return useQuery({
    queryKey: settingsKey,
    queryFn: ({ signal }) => api.get('/api/ai-settings', { signal }),
  });
}

/** Sends the fields that changed; the answer is the settings as they now are. */
export function useSaveAiSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (changes: AiSettingsChanges) => api.put('/api/ai-settings', { body: changes }),
    onSuccess: (saved) => client.setQueryData(settingsKey, saved),
  });
}

/** The tenant's settings, for its time zone: business hours are read in it. */
export function useTenant() {
  return useQuery({
    queryKey: ['ai-studio', 'tenant'],
    queryFn: ({ signal }) => api.get('/api/tenant', { signal }),
  });
}
