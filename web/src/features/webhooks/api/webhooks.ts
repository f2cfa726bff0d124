// Outbound webhook endpoints and their deliveries (GET/POST /api/webhook-endpoints…, owners and admins).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type RequestBodyOf, type ResponseOf } from '../../../lib/api/client';

export type WebhookEndpoint = ResponseOf<'/api/webhook-endpoints'>['data'][number];
export type WebhookEndpointCreated = ResponseOf<'/api/webhook-endpoints', 'post'>;
export type WebhookDelivery = ResponseOf<'/api/webhook-endpoints/{id}/deliveries'>['data'][number];
export type NewWebhookEndpoint = RequestBodyOf<'/api/webhook-endpoints', 'post'>;
export type WebhookEndpointChange = RequestBodyOf<'/api/webhook-endpoints/{id}', 'patch'>;

/** The event types an endpoint may receive, as the API names them; a new endpoint receives them all. */
export const eventTypes = [
  'message.created',
  'message.updated',
  'conversation.created',
  'conversation.updated',
  'support.opened',
  'support.resolved',
  'document.progress',
] as const;

export const webhookKeys = {
  endpoints: ['webhooks', 'endpoints'] as const,
  deliveries: (endpointId: number) => ['webhooks', 'deliveries', endpointId] as const,
};

export function useEndpoints() {
  return useQuery({
    queryKey: webhookKeys.endpoints,
    queryFn: ({ signal }) => api.get('/api/webhook-endpoints', { signal }),
  });
}

/** Answers the new endpoint with its signing secret, which no other answer carries. */
export function useCreateEndpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewWebhookEndpoint) => api.post('/api/webhook-endpoints', { body }),
    onSettled: () => void client.invalidateQueries({ queryKey: webhookKeys.endpoints }),
  });
}

export function useUpdateEndpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: number; change: WebhookEndpointChange }) =>
      api.patch('/api/webhook-endpoints/{id}', { path: { id }, body: change }),
    onSettled: () => void client.invalidateQueries({ queryKey: webhookKeys.endpoints }),
  });
}

export function useDeleteEndpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete('/api/webhook-endpoints/{id}', { path: { id } }),
    onSettled: () => void client.invalidateQueries({ queryKey: webhookKeys.endpoints }),
  });
}

/** Answers the endpoint with its new secret; the old one stops signing at once. */
export function useRotateSecret() {
  return useMutation({
    mutationFn: (id: number) => api.post('/api/webhook-endpoints/{id}/rotate-secret', { path: { id } }),
  });
}

export function useDeliveries(endpointId: number) {
  return useQuery({
    queryKey: webhookKeys.deliveries(endpointId),
    queryFn: ({ signal }) =>
      api.get('/api/webhook-endpoints/{id}/deliveries', { path: { id: endpointId }, query: { limit: 50 }, signal }),
    // Pending deliveries change on their own (attempts, retries): the log follows them while it is open.
    refetchInterval: 5000,
  });
}

export function usePing() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post('/api/webhook-endpoints/{id}/ping', { path: { id } }),
    onSettled: (_data, _error, id) => void client.invalidateQueries({ queryKey: webhookKeys.deliveries(id) }),
  });
}

export function useRedeliver(endpointId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: number) =>
      api.post('/api/webhook-endpoints/{id}/deliveries/{delivery_id}/redeliver', {
        path: { id: endpointId, delivery_id: deliveryId },
      }),
    onSettled: () => void client.invalidateQueries({ queryKey: webhookKeys.deliveries(endpointId) }),
  });
}
