// An open conversation erased meanwhile (its contact erased, maybe on another dashboard) closes: the live
// conversation.deleted event drops its cache entry (lib/events/cache.ts), and the inbox returns to the list.
import { hashKey, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { queryKeys } from '../../../lib/api/keys';

export function useCloseWhenErased(conversationId: number | undefined, close: () => void): void {
  const client = useQueryClient();
  const latest = useRef(close);
  latest.current = close;
  useEffect(() => {
    if (conversationId === undefined) return undefined;
    const hash = hashKey(queryKeys.conversation(conversationId));
    return client.getQueryCache().subscribe((event) => {
      if (event.type === 'removed' && event.query.queryHash === hash) latest.current();
    });
  }, [client, conversationId]);
}
