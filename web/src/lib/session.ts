// Who is signed in. The session itself is an HttpOnly cookie the server sets at login; what the page keeps is the
// answer of /api/auth/me (role, user) and its CSRF token, which state-changing requests must carry.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, setCsrfToken } from './api/client';
import { queryKeys } from './api/keys';
import type { Me } from './api/types';

/** The caller, or null when nobody is signed in (401). */
export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api.get('/api/auth/me');
    setCsrfToken(me.csrf_token);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: fetchMe, staleTime: 5 * 60_000, retry: false });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (credentials: { email: string; password: string }) => {
      const answer = await api.post('/api/auth/login', { body: credentials });
      setCsrfToken(answer.csrf_token);
      return answer;
    },
    onSuccess: async () => {
      client.removeQueries();
      await client.fetchQuery({ queryKey: queryKeys.me, queryFn: fetchMe });
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post('/api/auth/logout'),
    onSettled: () => {
      setCsrfToken(null);
      client.clear();
      client.setQueryData(queryKeys.me, null);
    },
  });
}
