// The widget against an in-memory Parley (the public API of docs/channels.md) and a fake EventSource, found as a
// visitor finds it: by role and name, inside its shadow root.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createApi, type Api, type Attachment, type Message } from './api';
import { Chat, mergeMessages } from './chat';
import { pickLanguage, textsFor } from './texts';
import { mount, scriptOptions, textColorOn, type MountOptions } from './view';

const ORIGIN = 'https://parley.example';
const CHANNEL = 'wc_pub1';
const KEY = `parley-webchat:${CHANNEL}`;

class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static all: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, ((event: MessageEvent) => void)[]>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }
  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }
  emit(type: string, data: unknown) {
    for (const listener of this.listeners.get(type) ?? []) listener(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

const config = {
  name: 'Shop',
  color: '#ffcc00',
  texts: { launcher: 'Chat with us', title: 'Chat with Shop', greeting: 'Hello! Ask us anything.' },
  languages: {
    en: { launcher: 'Chat with us', title: 'Chat with Shop', greeting: 'Hello! Ask us anything.' },
    fr: { launcher: 'Discuter avec nous', title: 'Discuter avec Shop', message_label: 'Message', send: 'Envoyer' },
  },
};

interface Call {
  method: string;
  path: string;
  token: string | null;
  body: Record<string, unknown> | undefined;
  form: FormData | undefined;
}

/** Parley's web-chat API in memory: sessions, messages stored once per client_id, and failures on demand. */
function fakeParley({ refuseOrigin = false } = {}) {
  const calls: Call[] = [];
  const messages: Message[] = [];
  const tokens = new Set<string>();
  let sendFailures = 0;
  let fileRefusal: { status: number; code: string } | null = null;
  let clock = Date.parse('2026-12-07T10:00:00Z');
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    if (refuseOrigin) throw new TypeError('Failed to fetch');
    const url = new URL(String(input));
    const headers = (init.headers ?? {}) as Record<string, string>;
    const call: Call = {
      method: init.method ?? 'GET',
      path: url.pathname.replace(`/api/webchat/${CHANNEL}`, ''),
      token: headers.Authorization?.replace('Bearer ', '') ?? null,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      form: init.body instanceof FormData ? init.body : undefined,
    };
    calls.push(call);
    const route = `${call.method} ${call.path}`;
    if (route === 'GET /config') return json(200, { ...config, max_file_bytes: 1_000_000 });
    if (route === 'POST /sessions') {
      const token = `token-${tokens.size + 1}`;
      tokens.add(token);
      return json(201, { token, visitor_id: `v${tokens.size}`, expires_at: '2027-01-06T10:00:00Z' });
    }
    if (!call.token || !tokens.has(call.token)) return json(401, { error: { code: 'invalid_token', message: 'no' } });
    if (route === 'GET /messages') return json(200, { data: messages });
    if (route === 'POST /messages') {
      if (sendFailures > 0) {
        sendFailures -= 1;
        return json(503, { error: { code: 'unavailable', message: 'try later' } });
      }
      const clientId = call.body!.client_id as string;
      let stored = messages.find((message) => message.client_id === clientId);
      if (!stored) {
        stored = { id: `m${messages.length + 1}`, role: 'visitor', text: call.body!.text as string, created_at: new Date((clock += 1000)).toISOString(), client_id: clientId };
        messages.push(stored);
      }
      return json(202, { id: stored.id, created_at: stored.created_at });
    }
    if (route === 'POST /files') {
      if (fileRefusal) return json(fileRefusal.status, { error: { code: fileRefusal.code, message: 'refused' } });
      const clientId = call.form!.get('client_id') as string;
      const file = call.form!.get('file') as File;
      let stored = messages.find((message) => message.client_id === clientId);
      if (!stored) {
        const media: Attachment = { type: 'image', mime_type: 'image/png', bytes: 0, filename: file.name, status: 'pending', url: null, thumbnail_url: null };
        stored = { id: `m${messages.length + 1}`, role: 'visitor', text: '', created_at: new Date((clock += 1000)).toISOString(), client_id: clientId, media };
        messages.push(stored);
      }
      return json(202, { id: stored.id, created_at: stored.created_at });
    }
    return json(404, { error: { code: 'not_found', message: route } });
  });
  return {
    fetch: fetchMock as unknown as typeof fetch,
    calls,
    messages,
    tokens,
    failNextSends(count: number) {
      sendFailures = count;
    },
    refuseFiles(status: number, code: string) {
      fileRefusal = { status, code };
    },
    reply(text: string): Message {
      const message: Message = { id: `m${messages.length + 1}`, role: 'assistant', text, created_at: new Date((clock += 1000)).toISOString(), client_id: null };
      messages.push(message);
      return message;
    },
  };
}

async function open(server: ReturnType<typeof fakeParley>, options: Partial<MountOptions> = {}) {
  const widget = mount({
    origin: ORIGIN,
    publicId: CHANNEL,
    fetch: server.fetch,
    EventSource: FakeEventSource as unknown as typeof EventSource,
    storage: localStorage,
    languages: ['en-US'],
    ...options,
  });
  document.body.append(widget.host);
  await widget.ready;
  const view = within(widget.root.querySelector<HTMLElement>('.widget')!);
  return { widget, view };
}

afterEach(() => {
  FakeEventSource.all = [];
  document.body.replaceChildren();
});

describe('mergeMessages', () => {
  const message = (id: string, second: number, extra: Partial<Message> = {}): Message => ({
    id,
    role: 'assistant',
    text: id,
    created_at: `2026-12-07T10:00:${String(second).padStart(2, '0')}Z`,
    client_id: null,
    ...extra,
  });

  it('keeps one copy per id, oldest first', () => {
    const merged = mergeMessages([message('b', 2), message('a', 1)], [message('b', 2, { text: 'b2' }), message('c', 3)]);
    expect(merged.map((m) => [m.id, m.text])).toEqual([['a', 'a'], ['b', 'b2'], ['c', 'c']]);
  });

  it("drops the visitor's pending message once a message with its client_id arrives, and keeps the others last", () => {
    const pending = { ...message('', 9, { role: 'visitor', client_id: 'c1' }), status: 'pending' as const };
    const failed = { ...message('', 9, { role: 'visitor', client_id: 'c2' }), status: 'failed' as const };
    const merged = mergeMessages([pending, failed], [message('x', 5, { role: 'visitor', client_id: 'c1' })]);
    expect(merged.map((m) => [m.id, m.client_id, m.status])).toEqual([['x', 'c1', undefined], ['', 'c2', 'failed']]);
  });
});

describe('Chat', () => {
  afterEach(() => vi.useRealTimers());

  it("reads a refusal's code and Retry-After, and calls a network failure status 0", async () => {
    const limited = new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }), {
      status: 429,
      headers: { 'Retry-After': '7' },
    });
    const api = createApi(ORIGIN, CHANNEL, vi.fn(async () => limited));
    await expect(api.send('t', 'Hi', 'c1')).rejects.toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 7 });
    const offline = createApi(ORIGIN, CHANNEL, vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(offline.config()).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it("sends a message refused for going too fast again by itself once the server's Retry-After has passed", async () => {
    vi.useFakeTimers();
    const send = vi
      .fn<Api['send']>()
      .mockRejectedValueOnce(new ApiError(429, 'rate_limited', 3))
      .mockResolvedValueOnce({ id: 'm1', created_at: '2026-12-07T10:00:00Z' });
    const api = {
      startSession: vi.fn(async () => ({ token: 't', visitor_id: 'v' })),
      send,
      eventsUrl: () => '',
    } as unknown as Api;
    const chat = new Chat({ api, storage: null, storageKey: KEY, language: 'en', EventSource: undefined, onChange: () => {} });
    await chat.send('Hello', {});
    expect(chat.state.items.map((item) => item.status)).toEqual(['failed']);
    await vi.advanceTimersByTimeAsync(2900);
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[1]![2]).toBe(send.mock.calls[0]![2]);
    expect(chat.state.items.map((item) => [item.id, item.status])).toEqual([['m1', undefined]]);
  });
});

describe('languages', () => {
  it("takes the first of the visitor's languages the server has, by its primary subtag, else English", () => {
    expect(pickLanguage(['fr-CA'], ['en', 'fr'])).toBe('fr');
    expect(pickLanguage(['de-DE', 'fr'], ['en', 'fr'])).toBe('fr');
    expect(pickLanguage(['de-DE'], ['en', 'fr'])).toBe('en');
  });

  it("puts the business's words over the built-ins and ignores keys it does not know", () => {
    const texts = textsFor('fr', { launcher: 'Une question ?', bogus: 'x' } as never);
    expect(texts.launcher).toBe('Une question ?');
    expect(texts.send).toBe('Envoyer');
    expect('bogus' in texts).toBe(false);
  });
});

describe('the script tag', () => {
  it("names the channel and the API's origin (the script's own)", () => {
    const script = document.createElement('script');
    script.src = 'https://chat.shop.example:8443/webchat/widget.js';
    script.dataset.channel = 'wc_abc';
    expect(scriptOptions(script)).toEqual({ origin: 'https://chat.shop.example:8443', publicId: 'wc_abc' });
    delete script.dataset.channel;
    expect(scriptOptions(script)).toBeNull();
  });

  it('reads text in black or white, whichever contrasts with the colour', () => {
    expect(textColorOn('#ffcc00')).toBe('#111');
    expect(textColorOn('#0b5cff')).toBe('#fff');
    expect(textColorOn('#000')).toBe('#fff');
  });
});

describe('the widget', () => {
  it('opens from its launcher, starts a session with the name given and shows the reply live', async () => {
    const user = userEvent.setup();
    const server = fakeParley();
    const { widget, view } = await open(server);
    expect(widget.host.style.getPropertyValue('--c')).toBe('#ffcc00');
    const launcher = view.getByRole('button', { name: 'Chat with us' });
    expect(launcher).toHaveAttribute('aria-expanded', 'false');
    await user.click(launcher);
    const dialog = view.getByRole('dialog', { name: 'Chat with Shop' });
    expect(within(dialog).getByText('Hello! Ask us anything.')).toBeInTheDocument();
    const box = within(dialog).getByRole('textbox', { name: 'Message' });
    expect(widget.root.activeElement).toBe(box);

    await user.type(within(dialog).getByRole('textbox', { name: 'Name (optional)' }), 'Camille');
    await user.type(box, 'Do you deliver?');
    await user.click(within(dialog).getByRole('button', { name: 'Send' }));

    const log = within(dialog).getByRole('log');
    await within(log).findByText('Do you deliver?');
    await waitFor(() => expect(server.messages).toHaveLength(1));
    expect(server.calls.find((call) => call.path === '/sessions')?.body).toEqual({ name: 'Camille', language: 'en' });
    const sent = server.calls.find((call) => call.method === 'POST' && call.path === '/messages')!;
    expect(sent.token).toBe('token-1');
    expect(sent.body?.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(localStorage.getItem(KEY)!)).toEqual({ token: 'token-1', visitor_id: 'v1' });
    await waitFor(() => expect(within(dialog).queryByRole('textbox', { name: 'Name (optional)' })).toBeNull());

    const events = FakeEventSource.all[0]!;
    expect(events.url).toBe(`${ORIGIN}/api/webchat/${CHANNEL}/events?token=token-1`);
    events.emit('typing', {});
    expect(within(dialog).getByText('Typing…')).toBeInTheDocument();
    events.emit('message', server.reply('Yes, within 5 km.'));
    expect(within(log).getByText('Yes, within 5 km.')).toBeInTheDocument();
    expect(within(dialog).queryByText('Typing…')).toBeNull();
    expect(log.querySelectorAll('.msg')).toHaveLength(2);

    await user.keyboard('{Escape}');
    expect(view.queryByRole('dialog')).toBeNull();
    expect(widget.root.activeElement).toBe(launcher);
    expect(launcher).toHaveAttribute('aria-expanded', 'false');
  });

  it('continues the stored conversation after a reload, and fetches it again when the stream reconnects', async () => {
    const user = userEvent.setup();
    const server = fakeParley();
    server.tokens.add('kept');
    server.messages.push({ id: 'm1', role: 'visitor', text: 'Hi', created_at: '2026-12-07T09:00:00Z', client_id: 'c1' });
    server.reply('Hello Camille');
    localStorage.setItem(KEY, JSON.stringify({ token: 'kept', visitor_id: 'v9' }));
    const { view } = await open(server);
    await user.click(view.getByRole('button', { name: 'Chat with us' }));
    const log = view.getByRole('log');
    await within(log).findByText('Hello Camille');
    expect(within(log).getByText('Hi')).toBeInTheDocument();
    expect(view.queryByRole('textbox', { name: 'Name (optional)' })).toBeNull();

    server.reply('Anything else?');
    FakeEventSource.all[0]!.open();
    await within(log).findByText('Anything else?');
    expect(log.querySelectorAll('.msg')).toHaveLength(3);
  });

  it('starts a new session when the stored token is refused', async () => {
    const user = userEvent.setup();
    const server = fakeParley();
    localStorage.setItem(KEY, JSON.stringify({ token: 'forged', visitor_id: 'v9' }));
    const { view } = await open(server);
    await user.click(view.getByRole('button', { name: 'Chat with us' }));
    await view.findByRole('textbox', { name: 'Name (optional)' });
    expect(localStorage.getItem(KEY)).toBeNull();
    expect(FakeEventSource.all[0]!.closed).toBe(true);

    await user.type(view.getByRole('textbox', { name: 'Message' }), 'Hello again');
    await user.click(view.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(server.messages).toHaveLength(1));
    expect(JSON.parse(localStorage.getItem(KEY)!).token).toBe('token-1');
  });

  it('shows a failed message with Retry, and sends it again with the same client_id, stored once', async () => {
    const user = userEvent.setup();
    const server = fakeParley();
    const { view } = await open(server);
    await user.click(view.getByRole('button', { name: 'Chat with us' }));
    server.failNextSends(1);
    await user.type(view.getByRole('textbox', { name: 'Message' }), 'Open on Sunday?{Enter}');
    const retry = await view.findByRole('button', { name: 'Retry' });
    expect(view.getByText('Not sent.')).toBeInTheDocument();
    expect(server.messages).toHaveLength(0);

    await user.click(retry);
    await waitFor(() => expect(view.queryByRole('button', { name: 'Retry' })).toBeNull());
    const sends = server.calls.filter((call) => call.method === 'POST' && call.path === '/messages');
    expect(sends).toHaveLength(2);
    expect(sends[1]!.body?.client_id).toBe(sends[0]!.body?.client_id);
    expect(server.messages).toHaveLength(1);
    expect(within(view.getByRole('log')).getByText('Open on Sunday?')).toBeInTheDocument();
  });

  it("speaks the visitor's language with the business's French texts", async () => {
    const user = userEvent.setup();
    const server = fakeParley();
    const { view } = await open(server, { languages: ['fr-FR', 'en'] });
    await user.click(view.getByRole('button', { name: 'Discuter avec nous' }));
    view.getByRole('dialog', { name: 'Discuter avec Shop' });
    view.getByRole('textbox', { name: 'Nom (facultatif)' });
    await user.type(view.getByRole('textbox', { name: 'Message' }), 'Bonjour');
    await user.click(view.getByRole('button', { name: 'Envoyer' }));
    await waitFor(() => expect(server.messages).toHaveLength(1));
    expect(server.calls.find((call) => call.path === '/sessions')?.body).toEqual({ language: 'fr' });
  });

  it("shows a person's files: a thumbnail opening the image, players and download links, live and after a reload", async () => {
    const user = userEvent.setup();
    const server = fakeParley();
    server.tokens.add('kept');
    localStorage.setItem(KEY, JSON.stringify({ token: 'kept', visitor_id: 'v9' }));
    const link = (id: string, thumbnail = false) => `/api/media/${id}${thumbnail ? '/thumbnail' : ''}?tenant=1&expires=9&sig=ab`;
    const file = (type: Attachment['type'], filename: string | null, bytes: number, url: string | null, thumbnail: string | null = null): Attachment =>
      ({ type, mime_type: `${type}/x`, bytes, filename, url, thumbnail_url: thumbnail });
    server.reply('Here is your receipt').media = file('image', 'receipt.jpg', 48_000, link('p1'), link('p1', true));
    server.reply('').media = file('document', 'invoice.pdf', 12_345, `https://desk.example/${link('d1')}`);
    server.reply('Removed').media = file('document', 'old.pdf', 1_500_000, null);
    const { widget, view } = await open(server);
    await user.click(view.getByRole('button', { name: 'Chat with us' }));
    const log = view.getByRole('log');

    const image = await within(log).findByRole('link', { name: 'Open image: receipt.jpg' });
    expect(image).toHaveAttribute('href', `${ORIGIN}${link('p1')}`);
    expect(image).toHaveAttribute('target', '_blank');
    expect(within(image).getByRole('img', { name: 'receipt.jpg' })).toHaveAttribute('src', `${ORIGIN}${link('p1', true)}`);
    expect(within(log).getByText('Here is your receipt')).toBeInTheDocument();
    const pdf = within(log).getByRole('link', { name: 'Download: invoice.pdf (12.3 kB)' });
    expect(pdf).toHaveAttribute('href', `https://desk.example/${link('d1')}`);
    expect(pdf).toHaveAttribute('rel', 'noopener noreferrer');
    // A file no longer kept keeps its name and size, without a link.
    expect(within(log).getByText('old.pdf (1.5 MB)').closest('a')).toBeNull();
    expect(within(log).queryByRole('link', { name: /old\.pdf/ })).toBeNull();
    // Nothing is rendered in a frame: documents are downloaded.
    expect(widget.root.querySelector('iframe, object, embed')).toBeNull();

    const events = FakeEventSource.all[0]!;
    const voice = server.reply('Listen');
    voice.media = file('audio', 'note.ogg', 900, link('a1'));
    events.emit('message', voice);
    const player = within(log).getByLabelText('Audio: note.ogg');
    expect(player.tagName).toBe('AUDIO');
    expect(player).toHaveAttribute('controls');
    expect(player).toHaveAttribute('src', `${ORIGIN}${link('a1')}`);
    const clip = server.reply('');
    clip.media = file('video', null, 2_000_000, link('v1'));
    events.emit('message', clip);
    expect(within(log).getByLabelText('Video: File').tagName).toBe('VIDEO');
    // A link that is not http(s) is not followed.
    const odd = server.reply('');
    odd.media = file('document', 'x.pdf', 10, 'javascript:alert(1)');
    events.emit('message', odd);
    expect(within(log).getByText('x.pdf (10 byte)').closest('a')).toBeNull();
  });

  it("names a file's controls and size in the visitor's language", async () => {
    const user = userEvent.setup();
    const server = fakeParley();
    server.tokens.add('kept');
    localStorage.setItem(KEY, JSON.stringify({ token: 'kept', visitor_id: 'v9' }));
    server.reply('Votre photo').media = { type: 'image', mime_type: 'image/jpeg', bytes: 10, filename: 'photo.jpg', url: '/p', thumbnail_url: null };
    server.reply('').media = { type: 'document', mime_type: 'application/pdf', bytes: 12_345, filename: 'facture.pdf', url: '/d', thumbnail_url: null };
    const { view } = await open(server, { languages: ['fr-FR'] });
    await user.click(view.getByRole('button', { name: 'Discuter avec nous' }));
    const photo = await view.findByRole('link', { name: 'Ouvrir l’image: photo.jpg' });
    // Without a thumbnail the image itself is shown.
    expect(within(photo).getByRole('img', { name: 'photo.jpg' })).toHaveAttribute('src', `${ORIGIN}/p`);
    // French puts a no-break space before the unit.
    view.getByRole('link', { name: /^Télécharger: facture\.pdf \(12,3\sko\)$/ });
  });

  it('sends a file chosen with the keyboard through "Attach a file", and shows it once the server has kept it', async () => {
    const user = userEvent.setup();
    const server = fakeParley();
    const { widget, view } = await open(server);
    await user.click(view.getByRole('button', { name: 'Chat with us' }));
    const attach = view.getByRole('button', { name: 'Attach a file' });
    const picker = widget.root.querySelector<HTMLInputElement>('input[type="file"]')!;
    const opened = vi.spyOn(picker, 'click');
    // A real button: Enter and Space open the browser's picker.
    attach.focus();
    await user.keyboard('{Enter}');
    expect(opened).toHaveBeenCalledTimes(1);
    await user.keyboard(' ');
    expect(opened).toHaveBeenCalledTimes(2);
    // The picker itself is out of the tab order and of the accessibility tree.
    expect(picker).toHaveAttribute('tabindex', '-1');
    expect(picker).toHaveAttribute('aria-hidden', 'true');

    const photo = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], 'photo.png', { type: 'image/png' });
    await user.upload(picker, photo);
    await waitFor(() => expect(server.messages).toHaveLength(1));
    const upload = server.calls.find((call) => call.path === '/files')!;
    expect(upload.method).toBe('POST');
    expect(upload.token).toBe('token-1');
    expect(upload.form!.get('client_id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((upload.form!.get('file') as File).name).toBe('photo.png');
    const log = view.getByRole('log');
    // Until the server has prepared it, the file shows by its name and size.
    await within(log).findByText('photo.png (7 byte)');
    expect(within(log).queryByText('Not sent.')).toBeNull();

    const kept = { ...server.messages[0]! };
    kept.media = { ...kept.media!, status: 'ready', bytes: 7, url: '/api/media/p1?sig=a', thumbnail_url: '/api/media/p1/thumbnail?sig=a' };
    FakeEventSource.all[0]!.emit('message', kept);
    const link = await within(log).findByRole('link', { name: 'Open image: photo.png' });
    expect(link).toHaveAttribute('href', `${ORIGIN}/api/media/p1?sig=a`);
    expect(log.querySelectorAll('.msg')).toHaveLength(1);
  });

  it('says why a file was refused, without a retry, and sends nothing over the upload limit', async () => {
    // The picker's accept list is a hint: a visitor may still choose any file.
    const user = userEvent.setup({ applyAccept: false });
    const server = fakeParley();
    const { widget, view } = await open(server);
    await user.click(view.getByRole('button', { name: 'Chat with us' }));
    const picker = widget.root.querySelector<HTMLInputElement>('input[type="file"]')!;
    const log = view.getByRole('log');

    server.refuseFiles(415, 'unsupported_media_type');
    await user.upload(picker, new File(['\x7fELF'], 'tool.exe'));
    await within(log).findByText('Not sent: this type of file cannot be sent.');
    server.refuseFiles(413, 'payload_too_large');
    await user.upload(picker, new File(['x'.repeat(10)], 'scan.png', { type: 'image/png' }));
    await within(log).findByText('Not sent: this file is too large.');
    expect(server.calls.filter((call) => call.path === '/files')).toHaveLength(2);

    // Over the config's max_file_bytes: refused in the page, never uploaded.
    await user.upload(picker, new File([new Uint8Array(1_000_001)], 'film.mp4', { type: 'video/mp4' }));
    await waitFor(() => expect(within(log).getAllByText('Not sent: this file is too large.')).toHaveLength(2));
    expect(within(log).getByText('film.mp4 (1 MB)')).toBeInTheDocument();
    expect(server.calls.filter((call) => call.path === '/files')).toHaveLength(2);
    expect(view.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(server.messages).toHaveLength(0);
  });

  it('says the chat is unavailable when the server refuses the origin, and stores nothing', async () => {
    const user = userEvent.setup();
    const server = fakeParley({ refuseOrigin: true });
    const { widget, view } = await open(server);
    await user.click(view.getByRole('button', { name: 'Chat with us' }));
    expect(view.getByRole('alert')).toHaveTextContent('The chat is not available right now.');
    expect(view.queryByRole('textbox', { name: 'Message' })).toBeNull();
    expect(widget.root.activeElement).toBe(view.getByRole('button', { name: 'Close' }));
    expect(localStorage.length).toBe(0);
    expect(FakeEventSource.all).toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Chat with us' })).toBeNull();
  });
});
