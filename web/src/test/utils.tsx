// Rendering with the app's providers, and a fake API: tests answer requests by "METHOD /path" and see every call.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { vi } from 'vitest';
import { I18nProvider } from '../lib/i18n';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

type Handler = (call: Call) => unknown;

/** Stubs fetch: a handler's return value is the JSON answer (an `{status, body}` object for another status). */
export function fakeApi(handlers: Record<string, Handler | unknown>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const call: Call = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
      headers: (init.headers ?? {}) as Record<string, string>,
    };
    calls.push(call);
    const handler = handlers[`${method} ${url.pathname}`];
    if (handler === undefined) {
      return new Response(JSON.stringify({ error: { code: 'not_found', message: `no route ${method} ${url.pathname}` } }), {
        status: 404,
      });
    }
    const answer = typeof handler === 'function' ? (handler as Handler)(call) : handler;
    if (answer && typeof answer === 'object' && 'status' in answer && 'body' in answer) {
      const { status, body } = answer as { status: number; body: unknown };
      return new Response(status === 204 ? null : JSON.stringify(body), { status });
    }
    return new Response(JSON.stringify(answer ?? {}), { status: 200, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export function testQueryClient() {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } });
}

interface Options {
  route?: string;
  path?: string;
  language?: string;
  client?: QueryClient;
}

export function renderPage(ui: ReactElement, { route = '/', path = '*', language = 'en', client = testQueryClient() }: Options = {}) {
  const result = render(
    <QueryClientProvider client={client}>
      <I18nProvider language={language}>
        <MemoryRouter initialEntries={[route]}>
          <Routes>
            <Route path={path} element={ui} />
            <Route path="*" element={<div>elsewhere</div>} />
          </Routes>
        </MemoryRouter>
      </I18nProvider>
    </QueryClientProvider>,
  );
  return { ...result, client };
}

export const me = { tenant_id: 1, role: 'owner', user: { id: 7, email: 'ana@shop.test', name: 'Ana' }, csrf_token: 'csrf-1' };

export function conversation(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    platform: 'whatsapp',
    channel_id: 1,
    contact: { platform_id: `1555000000${id}`, name: `Customer ${id}` },
    status: 'open',
    mode: 'bot',
    handoff_reason: null,
    human_until: null,
    assignee_id: null,
    created_at: '2026-12-06T10:00:00.000Z',
    last_message_at: `2026-12-06T10:${String(10 + id).padStart(2, '0')}:00.000Z`,
    window_closes_at: '2999-01-01T00:00:00.000Z',
    unread_count: 0,
    last_message: { id: id * 10, direction: 'in', type: 'text', text: `Hello from ${id}`, created_at: '2026-12-06T10:00:00.000Z' },
    ...overrides,
  };
}

export function message(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    conversation_id: 1,
    direction: 'in',
    type: 'text',
    text: `Message ${id}`,
    platform_message_id: null,
    status: 'received',
    created_at: '2026-12-06T10:00:00.000Z',
    error: null,
    ...overrides,
  };
}
