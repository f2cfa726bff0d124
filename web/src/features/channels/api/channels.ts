import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type RequestBodyOf } from '../../../lib/api/client';
import { queryKeys } from '../../../lib/api/keys';

export type NewChannel = RequestBodyOf<'/api/social-accounts', 'post'>;
export type ConnectPlatform = 'whatsapp' | 'instagram';

/** Leaving the dashboard for Meta's login; a separate object so that tests can watch it. */
export const browser = {
  go(url: string) {
    window.location.assign(url);
  },
};

/** The platforms this server serves, with their traits (messaging windows, templates); fixed while it runs. */
export function usePlatforms() {
  return useQuery({
    queryKey: queryKeys.platforms,
    queryFn: ({ signal }) => api.get('/api/platforms', { signal }),
    staleTime: Infinity,
  });
}

/** A platform's traits, once the platforms are known. */
export function usePlatformTraits(platform: string | undefined) {
  const platforms = usePlatforms();
  return platforms.data?.data.find((described) => described.name === platform)?.traits;
}

export function useChannelList() {
  return useQuery({ queryKey: queryKeys.channels, queryFn: ({ signal }) => api.get('/api/social-accounts', { signal }) });
}

/** Adds a channel; the server checks the token with Meta first and answers its refusal as a 400. */
export function useAddChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (channel: NewChannel) => api.post('/api/social-accounts', { body: channel }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.channels }),
  });
}

export function useRemoveChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete('/api/social-accounts/{id}', { path: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.channels }),
  });
}

/**
 * Starts connecting with Meta's login: the server seals who asks into the OAuth state and answers the dialog's URL,
 * where the browser goes. Meta sends it back to the server's callback, which sends it on to /channels with the
 * outcome in the query (see connectOutcome).
 */
export function useConnectWithMeta() {
  return useMutation({
    mutationFn: async (platform: ConnectPlatform) => {
      const start = await api.get('/api/social-accounts/connect/{platform}', { path: { platform } });
      browser.go(start.authorization_url);
    },
  });
}

export interface ConnectOutcome {
  ok: boolean;
  platform: string;
  saved: number;
  skipped: number;
  reason: string;
}

/** What the OAuth callback put in the page's query (`connect=ok|error&platform&saved&skipped&reason`), if anything. */
export function connectOutcome(search: URLSearchParams): ConnectOutcome | null {
  const connect = search.get('connect');
  if (connect !== 'ok' && connect !== 'error') return null;
  return {
    ok: connect === 'ok',
    platform: search.get('platform') ?? '',
    saved: Number(search.get('saved') ?? 0),
    skipped: Number(search.get('skipped') ?? 0),
    reason: search.get('reason') ?? '',
  };
}
