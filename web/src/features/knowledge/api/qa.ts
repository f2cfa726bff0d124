import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type RequestBodyOf, type ResponseOf } from '../../../lib/api/client';

export type QaPair = ResponseOf<'/api/faq-qa/{id}'>;
export type QaPairInput = RequestBodyOf<'/api/faq-qa', 'post'>;

const qaKey = ['knowledge', 'qa'] as const;
// A bound on what the editor reads: far more pairs than a business writes by hand.
const maxPages = 20;

/** Every Q&A pair of the tenant, read page by page (500 a page). */
export function useQaPairs() {
  return useQuery({
    queryKey: qaKey,
    queryFn: async ({ signal }) => {
      const pairs: QaPair[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < maxPages; ++page) {
        const answer: ResponseOf<'/api/faq-qa'> = await api.get('/api/faq-qa', {
          query: { limit: 500, cursor },
          signal,
        });
        pairs.push(...(answer.data as QaPair[]));
        cursor = answer.next_cursor ?? null;
        if (!cursor) break;
      }
      return pairs;
    },
  });
}

function useQaMutation<T>(mutationFn: (value: T) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({ mutationFn, onSettled: () => void client.invalidateQueries({ queryKey: qaKey }) });
}

export function useAddQa() {
  return useQaMutation((pair: QaPairInput) => api.post('/api/faq-qa', { body: pair }));
}

export function useUpdateQa() {
  return useQaMutation(({ id, pair }: { id: number; pair: QaPairInput }) =>
    api.put('/api/faq-qa/{id}', { path: { id }, body: pair }),
  );
}

export function useDeleteQa() {
  return useQaMutation((id: number) => api.delete('/api/faq-qa/{id}', { path: { id } }));
}
