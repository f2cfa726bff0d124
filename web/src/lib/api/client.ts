// The one way the dashboard talks to Parley's API: fetch with the session cookie, the CSRF token on every request
// that changes something, and the API's {"error": {"code", "message"}} answers turned into ApiError.
import type { paths } from './schema.gen';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** An answer other than 2xx. `code` is the API's error code ("not_found", "permission_denied", …). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

// Types read from the generated OpenAPI document. Until the server describes a response fully, its schema is a bare
// object (Record<string, never>) or missing; such types read as `any` so code written against the real shape compiles
// now and is checked as soon as the document is complete.
type IsBare<T> = [T] extends [never]
  ? true
  : [T] extends [undefined]
    ? true
    : unknown extends T
    ? true
    : string extends keyof T
      ? [T[keyof T & string]] extends [never]
        ? true
        : false
      : false;
export type Loose<T> = IsBare<T> extends true ? any : T;

type OperationOf<P, M extends Method> = P extends keyof paths
  ? M extends keyof paths[P]
    ? NonNullable<paths[P][M]>
    : never
  : never;
type JsonContent<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;
type SuccessOf<O> = O extends { responses: infer R } ? JsonContent<R[Extract<keyof R, 200 | 201 | 202>]> : never;
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/** The JSON a successful call of `M path` answers, as the OpenAPI document describes it. */
export type ResponseOf<P extends string, M extends Method = 'get'> = Loose<SuccessOf<OperationOf<P, M>>>;
/** The JSON body `M path` takes. */
export type RequestBodyOf<P extends string, M extends Method> = Loose<BodyOf<OperationOf<P, M>>>;

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions<B> {
  /** Values for the `{name}` segments of the path. */
  path?: Record<string, string | number>;
  query?: Record<string, QueryValue>;
  body?: B | FormData;
  signal?: AbortSignal;
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** The token that login and /api/auth/me give a cookie session; sent as X-CSRF-Token on non-GET requests. */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

/** Called when the API answers 401 (the session expired or was ended elsewhere). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/** `/api/conversations/{id}` with {id: 12} and a query → `/api/conversations/12?…`; undefined and null are left out. */
export function buildUrl(path: string, params?: Record<string, string | number>, query?: Record<string, QueryValue>) {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${filled}?${text}` : filled;
}

async function request(method: Method, path: string, options: RequestOptions<unknown> = {}): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'get' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(buildUrl(path, options.path, options.query), {
    method: method.toUpperCase(),
    headers,
    body,
    credentials: 'same-origin',
    signal: options.signal,
  });
  const text = response.status === 204 ? '' : await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    if (response.status === 401 && onUnauthorized) onUnauthorized();
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.message === 'string' ? error.message : response.statusText || `HTTP ${response.status}`,
    );
  }
  return json;
}

// Each verb is typed by its path: a path the OpenAPI document knows gets its response type, and `body` its request
// body type.
export const api = {
  get<P extends string>(path: P, options?: RequestOptions<never>): Promise<ResponseOf<P, 'get'>> {
    return request('get', path, options) as Promise<ResponseOf<P, 'get'>>;
  },
  post<P extends string>(path: P, options?: RequestOptions<RequestBodyOf<P, 'post'>>): Promise<ResponseOf<P, 'post'>> {
    return request('post', path, options) as Promise<ResponseOf<P, 'post'>>;
  },
  put<P extends string>(path: P, options?: RequestOptions<RequestBodyOf<P, 'put'>>): Promise<ResponseOf<P, 'put'>> {
    return request('put', path, options) as Promise<ResponseOf<P, 'put'>>;
  },
  patch<P extends string>(
    path: P,
    options?: RequestOptions<RequestBodyOf<P, 'patch'>>,
  ): Promise<ResponseOf<P, 'patch'>> {
    return request('patch', path, options) as Promise<ResponseOf<P, 'patch'>>;
  },
  delete<P extends string>(path: P, options?: RequestOptions<never>): Promise<ResponseOf<P, 'delete'>> {
    return request('delete', path, options) as Promise<ResponseOf<P, 'delete'>>;
  },
};
