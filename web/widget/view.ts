// The widget on the host page: a launcher button and a chat dialog in a shadow root, rendered from the Chat's state.
// Plain DOM, no framework: the host page may have none, and the whole widget must stay a few kilobytes.
import { createApi, type Attachment, type WidgetConfig } from './api';
import { Chat, type Item } from './chat';
import { styles } from './styles';
import { builtInTexts, pickLanguage, textsFor } from './texts';

export interface MountOptions {
  /** Where Parley answers: the origin of the widget's own script. */
  origin: string;
  /** The channel's public id (the script tag's data-channel). */
  publicId: string;
  /** What the widget would otherwise take from the page (tests give fakes). */
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
  storage?: Storage | null;
  languages?: readonly string[];
}

export interface Widget {
  /** The element to add to the page; everything else is in its open shadow root. */
  host: HTMLElement;
  root: ShadowRoot;
  /** Settles once the config was read (or could not be). */
  ready: Promise<void>;
}

const kDefaultColor = '#0b5cff';
// What the server takes (docs/media.md): pictures, recordings, videos and documents. A hint for the picker only: the
// server reads each file's type from its bytes.
const kAccepted = 'image/jpeg,image/png,image/gif,image/webp,audio/*,video/mp4,video/3gpp,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx';
const kPaperclip =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7"/></svg>';

/** The widget's options from its script tag, or null when the tag names no channel. */
export function scriptOptions(script: HTMLScriptElement): MountOptions | null {
  const publicId = script.dataset.channel;
  if (!publicId || !script.src) return null;
  return { origin: new URL(script.src, script.baseURI).origin, publicId };
}

/** Black or white, whichever reads better on `hex` (#rgb or #rrggbb). */
export function textColorOn(hex: string): string {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((d) => d + d) : [hex.slice(1, 3), hex.slice(3, 5), hex.slice(5, 7)];
  const [r, g, b] = digits.map((d) => {
    const c = parseInt(d, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#111' : '#fff';
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/**
 * Makes `parent`'s children `wanted` (the false ones left out), moving only what is out of place: hiding by removal
 * keeps a closed dialog and its state out of the accessibility tree, and the element that has focus stays put.
 */
function setChildren(parent: Element, wanted: (Element | false)[]) {
  const children = wanted.filter((child): child is Element => child !== false);
  for (const child of [...parent.children]) if (!children.includes(child)) child.remove();
  children.forEach((child, index) => {
    if (parent.children[index] !== child) parent.insertBefore(child, parent.children[index] ?? null);
  });
}

export function mount(options: MountOptions): Widget {
  const host = el('div', { 'data-parley-webchat': '' });
  const root = host.attachShadow({ mode: 'open' });
  const api = createApi(options.origin, options.publicId, options.fetch ?? fetch.bind(globalThis));
  let storage: Storage | null = null;
  try {
    storage = options.storage === undefined ? localStorage : options.storage;
  } catch {
    // Storage disabled by the browser: sessions last as long as the page.
  }
  const visitorLanguages = options.languages ?? navigator.languages ?? [navigator.language];
  let language = pickLanguage(visitorLanguages, Object.keys(builtInTexts));
  let texts = textsFor(language);
  let business = '';
  // null while the config loads, false when it could not be read (the origin is refused, the channel is gone).
  let available: boolean | null = null;
  let chat: Chat | null = null;

  const launcher = el('button', { type: 'button', class: 'launch', 'aria-expanded': 'false' });
  const title = el('h2', { id: 'parley-title' });
  const close = el('button', { type: 'button', class: 'close' }, document.createTextNode('×'));
  const greeting = el('p', { class: 'msg' });
  const list = el('div', { class: 'list', role: 'log', 'aria-live': 'polite' });
  const scroller = el('div', { class: 'log' }, greeting, list);
  const typing = el('p', { class: 'typing' });
  const error = el('p', { class: 'error', role: 'alert' });
  // Labels name their field by id (the shadow root scopes ids to this widget), not by wrapping it.
  const nameLabel = el('label', { for: 'parley-name' });
  const emailLabel = el('label', { for: 'parley-email' });
  const messageLabel = el('label', { for: 'parley-message', class: 'hidden' });
  const nameInput = el('input', { id: 'parley-name', autocomplete: 'name', maxlength: '100' });
  const emailInput = el('input', { id: 'parley-email', type: 'email', autocomplete: 'email', maxlength: '254' });
  const profile = el('div', { class: 'fields' }, nameLabel, nameInput, emailLabel, emailInput);
  const textarea = el('textarea', { id: 'parley-message', required: '', maxlength: '4096', rows: '2' });
  const messageField = el('div', { class: 'fields' }, messageLabel, textarea);
  const send = el('button', { type: 'submit', class: 'send' });
  // A real button opens the browser's file picker (the input itself stays out of sight and of the tab order), so the
  // control has a name, a focus ring and Enter and Space like the others.
  const fileInput = el('input', { type: 'file', class: 'hidden', tabindex: '-1', 'aria-hidden': 'true', accept: kAccepted });
  const attach = el('button', { type: 'button', class: 'attach' });
  attach.innerHTML = kPaperclip; // A constant: nothing of the visitor's or the server's.
  const actions = el('div', { class: 'actions' }, attach, fileInput, send);
  const form = el('form');
  const header = el('header', {}, title, close);
  const panel = el('div', { class: 'panel', role: 'dialog', id: 'parley-chat', 'aria-labelledby': 'parley-title' });
  launcher.setAttribute('aria-controls', 'parley-chat');
  const widget = el('div', { class: 'widget' });
  root.append(el('style', {}, document.createTextNode(styles)), widget);
  let isOpen = false;
  const rendered = new Map<string, HTMLElement>();

  // A link of Parley's, absolute: the server's may be a path on its origin. Only http(s) links are followed.
  function href(link: string | null): string | null {
    const url = link ? new URL(link, options.origin) : null;
    return url && /^https?:$/.test(url.protocol) ? url.href : null;
  }

  // A person's file: a thumbnail opening the full image, a player, or a download link with the name and size. Each
  // opens in a new tab: an expired link shows its refusal there instead of replacing the host page. Documents are
  // never shown inline (Parley serves them as attachments).
  function renderFile(file: Attachment): HTMLElement {
    const name = file.filename || texts.file;
    const url = href(file.url);
    const link = (label: string, ...children: Node[]) =>
      el('a', { class: 'file', href: url!, target: '_blank', rel: 'noopener noreferrer', 'aria-label': label }, ...children);
    if (url && file.type === 'image') {
      return link(`${texts.open_image}: ${name}`, el('img', { src: href(file.thumbnail_url) ?? url, alt: name, loading: 'lazy' }));
    }
    if (url && (file.type === 'audio' || file.type === 'video')) {
      const label = `${file.type === 'audio' ? texts.audio : texts.video}: ${name}`;
      return el(file.type, { class: 'file', src: url, controls: '', preload: 'metadata', 'aria-label': label });
    }
    const [unit, scale] = file.bytes >= 1e6 ? ['megabyte', 1e6] : file.bytes >= 1e3 ? ['kilobyte', 1e3] : ['byte', 1];
    const size = new Intl.NumberFormat(language, { style: 'unit', unit, maximumFractionDigits: 1 }).format(file.bytes / scale);
    const label = file.bytes > 0 ? `${name} (${size})` : name;
    return url ? link(`${texts.download}: ${label}`, document.createTextNode(label)) : el('span', { class: 'file' }, document.createTextNode(label));
  }

  function renderItem(item: Item): HTMLElement {
    const key = item.client_id || item.id;
    let element = rendered.get(key);
    // Without the links, signed anew at each read: a refresh keeps a playing recording playing.
    const file = item.media ? `${!!item.media.url}${item.media.bytes}` : '';
    const signature = `${item.role}|${item.status ?? ''}|${item.refusal ?? ''}|${item.text}|${file}`;
    if (element?.dataset.signature === signature) return element;
    element ??= el('div');
    rendered.set(key, element);
    element.className = `msg ${item.role}`;
    element.dataset.signature = signature;
    const sender = el('span', { class: 'hidden' }, document.createTextNode(`${item.role === 'visitor' ? texts.you : business}: `));
    element.replaceChildren(sender, ...(item.media ? [renderFile(item.media)] : []), document.createTextNode(item.text));
    if (item.status === 'pending') element.append(el('small', {}, document.createTextNode(texts.sending)));
    if (item.refusal) {
      element.append(el('small', {}, document.createTextNode(texts[item.refusal])));
    } else if (item.status === 'failed') {
      const retry = el('button', { type: 'button', class: 'retry' }, document.createTextNode(texts.retry));
      retry.addEventListener('click', () => void chat?.retry(key));
      element.append(el('small', {}, document.createTextNode(texts.failed), retry));
    }
    return element;
  }

  function render() {
    launcher.textContent = texts.launcher;
    title.textContent = texts.title;
    close.setAttribute('aria-label', texts.close);
    greeting.textContent = texts.greeting;
    nameLabel.textContent = texts.name_label;
    emailLabel.textContent = texts.email_label;
    messageLabel.textContent = texts.message_label;
    send.textContent = texts.send;
    attach.setAttribute('aria-label', texts.attach);
    attach.title = texts.attach;
    typing.textContent = texts.typing;
    error.textContent = texts.unavailable;
    setChildren(widget, [isOpen && panel, launcher]);
    setChildren(panel, [header, scroller, !!chat?.state.typing && typing, available === false && error, !!available && form]);
    setChildren(scroller, [!!texts.greeting && greeting, list]);
    setChildren(form, [!chat?.state.started && profile, messageField, actions]);

    const items = chat?.state.items ?? [];
    const keys = new Set(items.map((item) => item.client_id || item.id));
    for (const key of rendered.keys()) if (!keys.has(key)) rendered.delete(key);
    const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 24;
    setChildren(list, items.map(renderItem));
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  function open() {
    isOpen = true;
    launcher.setAttribute('aria-expanded', 'true');
    render();
    (available ? textarea : close).focus();
    void chat?.open();
  }

  function hide() {
    isOpen = false;
    launcher.setAttribute('aria-expanded', 'false');
    render();
    launcher.focus();
  }

  launcher.addEventListener('click', () => (isOpen ? hide() : open()));
  close.addEventListener('click', hide);
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') hide();
  });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  const visitor = () => {
    const name = nameInput.value.trim();
    const email = emailInput.value.trim();
    return { ...(name && { name }), ...(email && { email }) };
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text || !chat) return;
    textarea.value = '';
    void chat.send(text, visitor());
  });
  attach.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = ''; // The same file may be chosen again.
    if (file && chat) void chat.sendFile(file, visitor());
  });

  render();
  const ready = api.config().then(
    (config: WidgetConfig) => {
      language = pickLanguage(visitorLanguages, Object.keys(config.languages ?? {}));
      texts = textsFor(language, config.languages?.[language] ?? config.texts);
      business = config.name;
      const color = /^#([0-9a-f]{3}){1,2}$/i.test(config.color) ? config.color : kDefaultColor;
      host.style.setProperty('--c', color);
      host.style.setProperty('--f', textColorOn(color));
      available = true;
      chat = new Chat({
        api,
        storage,
        storageKey: `parley-webchat:${options.publicId}`,
        language,
        EventSource: options.EventSource ?? globalThis.EventSource,
        onChange: render,
        maxFileBytes: config.max_file_bytes ?? 0,
      });
      if (isOpen) open();
      else render();
    },
    () => {
      available = false;
      render();
    },
  );
  host.style.setProperty('--c', kDefaultColor);
  host.style.setProperty('--f', '#fff');
  return { host, root, ready };
}
