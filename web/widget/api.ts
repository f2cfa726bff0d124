// The web-chat channel's public API (/api/webchat/{public_id}/…, docs/channels.md), as the widget calls it from the
// host page's origin: the token travels in a header (or the query for the event stream), never in a cookie.
import type { Texts } from './texts';

export interface WidgetConfig {
  name: string;
  color: string;
  texts: Partial<Texts>;
  languages: Record<string, Partial<Texts>>;
  /** The largest upload the server reads: a larger file is refused before it is sent. */
  max_file_bytes?: number;
}

export type Role = 'visitor' | 'assistant' | 'agent';

/**
 * A file of the thread, the visitor's or a person's (WebchatFile): links signed at each read, which need no session
 * and expire; `url` is null while the visitor's file is being prepared (`status` pending) and once the file is no
 * longer kept. Absolute, or a path on Parley's origin.
 */
export interface Attachment {
  type: 'image' | 'audio' | 'video' | 'document';
  mime_type: string;
  bytes: number;
  filename: string | null;
  status?: 'pending' | 'ready' | 'failed' | 'refused';
  url: string | null;
  thumbnail_url: string | null;
}

export interface Accepted {
  id: string;
  created_at: string;
}

export interface Message {
  id: string;
  role: Role;
  /** The message, or a file's caption (may be empty). */
  text: string;
  created_at: string;
  client_id: string | null;
  media?: Attachment | null;
}

export interface Session {
  token: string;
  visitor_id: string;
}

export interface Profile {
  name?: string;
  email?: string;
  language?: string;
}

/**
 * A refused call: the HTTP status (0 when no answer could be read: network, or CORS refusing the origin), and for a
 * 429 the seconds the server asks to wait (Retry-After, which it exposes to the widget's origin).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly retryAfter = 0,
  ) {
    super(`${status} ${code}`);
  }
}

export type Api = ReturnType<typeof createApi>;

export function createApi(origin: string, publicId: string, fetchImpl: typeof fetch) {
  const base = `${origin}/api/webchat/${encodeURIComponent(publicId)}`;

  // A FormData body goes as multipart/form-data (the browser writes its boundary), anything else as JSON.
  async function call<T>(path: string, token?: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    const form = body instanceof FormData;
    if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetchImpl(base + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers,
        body: body === undefined ? undefined : form ? body : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network');
    }
    if (!response.ok) {
      const answer = await response.json().catch(() => null);
      throw new ApiError(response.status, answer?.error?.code ?? '', Number(response.headers.get('Retry-After')) || 0);
    }
    return response.json() as Promise<T>;
  }

  return {
    config: () => call<WidgetConfig>('/config'),
    startSession: (profile: Profile) => call<Session>('/sessions', undefined, profile),
    messages: (token: string) => call<{ data: Message[] }>('/messages', token).then((answer) => answer.data),
    send: (token: string, text: string, clientId: string) => call<Accepted>('/messages', token, { text, client_id: clientId }),
    sendFile: (token: string, file: File, clientId: string) => {
      const form = new FormData();
      form.append('client_id', clientId);
      form.append('file', file, file.name);
      return call<Accepted>('/files', token, form);
    },
    eventsUrl: (token: string) => `${base}/events?token=${encodeURIComponent(token)}`,
  };
}
