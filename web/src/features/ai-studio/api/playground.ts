import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api/client';

/** Asks the tenant's agent as a customer would, without sending anything to anyone. */
export function useAsk() {
  return useMutation({
    mutationFn: (question: string) => api.post('/api/playground/ask', { body: { question } }),
  });
}
