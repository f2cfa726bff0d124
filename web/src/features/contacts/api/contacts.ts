// The contacts API (GET/DELETE /api/contacts…, the export) and the tenant's retention setting (GET/PATCH /api/tenant).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type RequestBodyOf, type ResponseOf } from '../../../lib/api/client';
import { queryKeys } from '../../../lib/api/keys';

export type ContactPage = ResponseOf<'/api/contacts'>;
export type ContactDetail = ResponseOf<'/api/contacts/{id}'>;
export type Contact = ContactDetail['contact'];
export type Erasure = ResponseOf<'/api/contacts/{id}', 'delete'>;
export type Tenant = ResponseOf<'/api/tenant'>;
export type TenantUpdate = RequestBodyOf<'/api/tenant', 'patch'>;

export interface ContactFilter {
  q: string;
  channel_id: string;
}

const contactKeys = {
  all: ['contacts'] as const,
  list: (filter: ContactFilter) => ['contacts', 'list', filter] as const,
  detail: (id: number) => ['contacts', 'detail', id] as const,
};
const tenantKey = ['tenant'] as const;

/** Contacts by latest activity, a page at a time (fetchNextPage follows the cursor). */
export function useContacts(filter: ContactFilter) {
  return useInfiniteQuery({
    queryKey: contactKeys.list(filter),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/contacts', {
        query: { q: filter.q.trim(), channel_id: filter.channel_id, cursor: pageParam, limit: 50 },
        signal,
      }),
    getNextPageParam: (page: ContactPage) => page.next_cursor ?? undefined,
  });
}

export function useContact(id: number) {
  return useQuery({
    queryKey: contactKeys.detail(id),
    queryFn: ({ signal }) => api.get('/api/contacts/{id}', { path: { id }, signal }),
  });
}

export function useChannels() {
  return useQuery({ queryKey: queryKeys.channels, queryFn: ({ signal }) => api.get('/api/social-accounts', { signal }) });
}

/** Where a download is handed to the browser; an object so that tests can watch it. */
export const saver = {
  save(blob: Blob, filename: string) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
  },
};

/** Fetches the contact's export and saves it as contact-<id>.json. */
export function useExportContact() {
  return useMutation({
    mutationFn: async (id: number) => {
      const exported = await api.get('/api/contacts/{id}/export', { path: { id } });
      saver.save(new Blob([JSON.stringify(exported, null, 2)], { type: 'application/json' }), `contact-${id}.json`);
    },
  });
}

export function useEraseContact() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete('/api/contacts/{id}', { path: { id } }),
    onSuccess: async () => {
      // Its conversations are gone from the inbox too.
      client.removeQueries({ queryKey: contactKeys.all });
      await client.invalidateQueries({ queryKey: queryKeys.conversations });
    },
  });
}

export function useTenant() {
  return useQuery({ queryKey: tenantKey, queryFn: ({ signal }) => api.get('/api/tenant', { signal }) });
}

export function useUpdateTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (update: TenantUpdate) => api.patch('/api/tenant', { body: update }),
    onSuccess: (tenant) => client.setQueryData(tenantKey, tenant),
  });
}
