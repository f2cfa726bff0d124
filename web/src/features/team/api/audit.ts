// The audit log, newest first, a page at a time.
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, type ResponseOf } from '../../../lib/api/client';
import { teamKeys } from './users';

export type AuditPage = ResponseOf<'/api/audit-logs'>;
export type AuditEntry = AuditPage['data'][number];

export const kAuditPageSize = 25;

export function useAuditLog() {
  return useInfiniteQuery({
    queryKey: teamKeys.audit,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/audit-logs', { query: { cursor: pageParam, limit: kAuditPageSize }, signal }),
    getNextPageParam: (last: AuditPage) => last.next_cursor ?? undefined,
  });
}
