import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, buildUrl, type ResponseOf } from '../../../lib/api/client';

export type Analytics = ResponseOf<'/api/analytics'>;
export type Figures = Analytics['totals'];
export type Period = Analytics['series'][number];
export type Tenant = ResponseOf<'/api/tenant'>;

export interface AnalyticsParams {
  from?: string;
  to?: string;
  granularity: 'day' | 'week';
  channel?: number;
}

const key = (params: AnalyticsParams) => ['analytics', params] as const;

/** The series and totals for a range; empty from/to: the server's default (the last 30 days in the tenant's zone). */
export function useAnalytics(params: AnalyticsParams) {
  return useQuery({
    queryKey: key(params),
    queryFn: ({ signal }) => api.get('/api/analytics', { query: { ...params }, signal }),
    placeholderData: (previous) => previous,
  });
}

/** The CSV download of the same figures (a GET the browser makes with the session cookie). */
export function csvUrl(params: AnalyticsParams): string {
  return buildUrl('/api/analytics.csv', undefined, { ...params });
}

export function useChannelOptions() {
  return useQuery({ queryKey: ['analytics', 'channels'], queryFn: ({ signal }) => api.get('/api/social-accounts', { signal }) });
}

export function useTenant() {
  return useQuery({ queryKey: ['tenant'], queryFn: ({ signal }) => api.get('/api/tenant', { signal }) });
}

/** PATCH /api/tenant with a new time zone; the figures are then recounted in it. */
export function useSetTimeZone() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (timeZone: string) => api.patch('/api/tenant', { body: { time_zone: timeZone } }),
    onSuccess: (tenant) => {
      client.setQueryData(['tenant'], tenant);
      void client.invalidateQueries({ queryKey: ['analytics'] });
    },
  });
}
