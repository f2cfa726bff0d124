// The conversation, apart from the page: the visitor's session (kept in localStorage so a reload continues it), the
// messages merged by id from the list and the event stream, and sends that can fail and be retried without being
// stored twice (the same client_id). The view renders `state` whenever `onChange` fires.
import { ApiError, type Api, type Attachment, type Message, type Profile, type Session } from './api';

/** A message shown: the server's, or the visitor's own while it is being sent (pending) or after it failed. */
export interface Item extends Message {
  status?: 'pending' | 'failed';
  /** The visitor's file while it is being sent, kept to send it again. */
  file?: File;
  /** Why the server refused the visitor's file (413, 415): sending it again would not help. */
  refusal?: 'too_large' | 'file_type';
}

export interface ChatState {
  items: Item[];
  /** A reply is being written (the server's `typing` event), until the next reply or a few seconds pass. */
  typing: boolean;
  /** The visitor has a session: the optional name and e-mail were asked already. */
  started: boolean;
}

export interface ChatOptions {
  api: Api;
  storage: Storage | null;
  storageKey: string;
  language: string;
  EventSource: typeof EventSource | undefined;
  onChange: () => void;
  /** The largest file the server reads (the config's max_file_bytes); 0: no limit known. */
  maxFileBytes?: number;
}

const kTypingMs = 15_000;
const kMaxReconnectMs = 60_000;
const kMaxRetryAfterS = 60;

const timeOf = (message: Message) => Date.parse(message.created_at) || 0;

/**
 * `current` with `incoming` merged in: one item per id (the newest copy wins), oldest first, then the visitor's
 * pending or failed messages that no incoming message delivered (same client_id).
 */
export function mergeMessages(current: readonly Item[], incoming: readonly Message[]): Item[] {
  const byId = new Map<string, Item>();
  const unsent: Item[] = [];
  for (const item of current) {
    if (item.status) unsent.push(item);
    else byId.set(item.id, item);
  }
  for (const message of incoming) byId.set(message.id, message);
  const delivered = new Set([...byId.values()].map((message) => message.client_id));
  const sorted = [...byId.values()].sort((a, b) => timeOf(a) - timeOf(b));
  return sorted.concat(unsent.filter((item) => !delivered.has(item.client_id)));
}

/** What the visitor's file shows while it is sent: its name, size and kind, as the browser tells them. */
export function localAttachment(file: File): Attachment {
  const kind = file.type.split('/')[0];
  const type = kind === 'image' || kind === 'audio' || kind === 'video' ? kind : 'document';
  return { type, mime_type: file.type, bytes: file.size, filename: file.name, status: 'pending', url: null, thumbnail_url: null };
}

/** The session stored for the channel, or null when there is none or it cannot be read. */
export function loadSession(storage: Storage | null, key: string): Session | null {
  try {
    const stored = JSON.parse(storage?.getItem(key) ?? 'null');
    return typeof stored?.token === 'string' ? stored : null;
  } catch {
    return null;
  }
}

/** A random id for a message, so that sending it again is recognised (randomUUID needs a secure context). */
export function newClientId(): string {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class Chat {
  readonly state: ChatState = { items: [], typing: false, started: false };
  private session: Session | null;
  private starting: Promise<Session> | null = null;
  private events: EventSource | null = null;
  private reconnectMs = 1000;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ChatOptions) {
    this.session = loadSession(options.storage, options.storageKey);
    this.state.started = this.session !== null;
  }

  /** Shows the stored conversation and follows it live; nothing happens without a session. */
  async open(): Promise<void> {
    if (!this.session) return;
    this.listen();
    await this.refresh();
  }

  /** Sends `text`, starting a session with `profile` first if there is none; a failure leaves it failed. */
  async send(text: string, profile: Profile): Promise<void> {
    const item: Item = {
      id: '',
      role: 'visitor',
      text,
      created_at: new Date().toISOString(),
      client_id: newClientId(),
      status: 'pending',
    };
    this.update([...this.state.items, item]);
    await this.deliver(item, profile);
  }

  /**
   * Sends the visitor's file as a message of its own, starting a session first if there is none. A file over the
   * server's upload limit is refused here, without sending it; one the server refuses (too large for its kind, of a
   * type it does not take) stays failed with the reason, and has no retry.
   */
  async sendFile(file: File, profile: Profile): Promise<void> {
    const item: Item = {
      id: '',
      role: 'visitor',
      text: '',
      created_at: new Date().toISOString(),
      client_id: newClientId(),
      media: localAttachment(file),
      file,
      status: 'pending',
    };
    this.update([...this.state.items, item]);
    const limit = this.options.maxFileBytes ?? 0;
    if (limit > 0 && file.size > limit) {
      Object.assign(item, { status: 'failed', refusal: 'too_large' });
      this.update(this.state.items);
      return;
    }
    await this.deliver(item, profile);
  }

  /**
   * Sends a failed message again with its client_id, so the server stores it once whatever happened before. A message
   * refused for going too fast (429) is sent again by itself once the server's Retry-After has passed.
   */
  async retry(clientId: string): Promise<void> {
    const item = this.state.items.find((candidate) => candidate.client_id === clientId && candidate.status === 'failed');
    if (!item || item.refusal) return;
    item.status = 'pending';
    this.update(this.state.items);
    await this.deliver(item, {});
  }

  private async deliver(item: Item, profile: Profile): Promise<void> {
    const { api } = this.options;
    const post = async () => {
      const { token } = await this.ensureSession(profile);
      return item.file ? api.sendFile(token, item.file, item.client_id!) : api.send(token, item.text, item.client_id!);
    };
    try {
      let sent;
      try {
        sent = await post();
      } catch (error) {
        // The token expired or the server forgot it: the visitor starts again in a new session.
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        this.forget();
        sent = await post();
      }
      const { status: _pending, file: _file, ...message } = item;
      this.update(mergeMessages(this.state.items, [{ ...message, id: sent.id, created_at: sent.created_at }]));
    } catch (error) {
      item.status = 'failed';
      if (error instanceof ApiError && error.status === 413) item.refusal = 'too_large';
      if (error instanceof ApiError && error.status === 415) item.refusal = 'file_type';
      this.update(this.state.items);
      if (error instanceof ApiError && error.status === 429) {
        const seconds = Math.min(Math.max(error.retryAfter, 1), kMaxRetryAfterS);
        setTimeout(() => void this.retry(item.client_id!), seconds * 1000);
      }
    }
  }

  private ensureSession(profile: Profile): Promise<Session> {
    if (this.session) return Promise.resolve(this.session);
    this.starting ??= this.options.api
      .startSession({ ...profile, language: this.options.language })
      .then((session) => {
        this.session = { token: session.token, visitor_id: session.visitor_id };
        try {
          this.options.storage?.setItem(this.options.storageKey, JSON.stringify(this.session));
        } catch {
          // Storage refused (private mode, quota): the conversation lasts as long as the page.
        }
        this.state.started = true;
        this.listen();
        return this.session;
      })
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  /** Fetches the list and merges it; a refused token ends the session (the next message starts a new one). */
  private async refresh(): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      this.update(mergeMessages(this.state.items, await this.options.api.messages(session.token)));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && this.session === session) this.forget();
    }
  }

  private forget(): void {
    this.session = null;
    this.events?.close();
    this.events = null;
    try {
      this.options.storage?.removeItem(this.options.storageKey);
    } catch {
      // Nothing stored to remove.
    }
    this.state.started = false;
    this.update(this.state.items.filter((item) => item.status));
  }

  // The event stream: every (re)connection fetches the list again, since events sent while disconnected are lost.
  // EventSource retries by itself after a dropped connection; a refused one (401) closes it, so the list is fetched
  // (which ends a refused session) and the stream opened again later.
  private listen(): void {
    const EventSourceImpl = this.options.EventSource;
    if (!this.session || this.events || !EventSourceImpl) return;
    const events = new EventSourceImpl(this.options.api.eventsUrl(this.session.token));
    this.events = events;
    events.onopen = () => {
      this.reconnectMs = 1000;
      void this.refresh();
    };
    events.onerror = () => {
      if (events.readyState !== EventSourceImpl.CLOSED || this.events !== events) return;
      this.events = null;
      void this.refresh().then(() => {
        setTimeout(() => this.listen(), this.reconnectMs);
        this.reconnectMs = Math.min(this.reconnectMs * 2, kMaxReconnectMs);
      });
    };
    events.addEventListener('message', (event) => {
      const message = JSON.parse((event as MessageEvent).data) as Message;
      if (message.role !== 'visitor') this.setTyping(false);
      this.update(mergeMessages(this.state.items, [message]));
    });
    events.addEventListener('typing', () => this.setTyping(true));
  }

  private setTyping(typing: boolean): void {
    clearTimeout(this.typingTimer);
    if (typing) this.typingTimer = setTimeout(() => this.setTyping(false), kTypingMs);
    this.state.typing = typing;
    this.options.onChange();
  }

  private update(items: Item[]): void {
    this.state.items = items;
    this.options.onChange();
  }
}
