// What the browser end-to-end tests stand on: the real `parley serve` binary on loopback with a fresh data
// directory, the fake Graph API (tests/fakes/fake_graph_server.cpp) in place of Meta's, signed WhatsApp webhooks as
// Meta sends them, and Debian's Chromium driven by playwright-core.
//
// Paths come from the environment CTest sets (web/CMakeLists.txt); run by hand from the checkout they default to
// build/: PARLEY_BINARY, FAKE_GRAPH_SERVER, PARLEY_WEB_DIR (the dashboard's built files), PARLEY_SCREENSHOT_DIR,
// CHROMIUM (default /usr/bin/chromium). Tests wait on conditions (waitFor, eventually), never on fixed sleeps.

import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const checkout = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const paths = {
  parley: process.env.PARLEY_BINARY ?? path.join(checkout, 'build/parley'),
  fakeGraph: process.env.FAKE_GRAPH_SERVER ?? path.join(checkout, 'build/tests/fake_graph_server'),
  fakeOpenAi: process.env.FAKE_OPENAI_SERVER ?? path.join(checkout, 'build/tests/fake_openai_server'),
  webDir: process.env.PARLEY_WEB_DIR ?? path.join(checkout, 'build/web'),
  screenshots: process.env.PARLEY_SCREENSHOT_DIR ?? path.join(checkout, 'build/screenshots'),
  chromium: process.env.CHROMIUM ?? '/usr/bin/chromium',
};

export const WHATSAPP_APP_SECRET = 'e2e-whatsapp-app-secret';
export const PHONE_NUMBER_ID = '106540352240099';
export const OWNER = { email: 'owner@e2e.test', password: 'e2e-owner-password-1' };

// Polls `probe` until it returns a truthy value (which is returned) or `timeout` ms pass (which throws with
// `what`, and the last error the probe threw).
export async function eventually(probe, { timeout = 10_000, interval = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

// A free loopback port, for an address a test must name before its server starts (PARLEY_PUBLIC_URL, a redirect URI).
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Reads JSON lines from `stream` until one satisfies `match`; resolves with it, rejects when the stream ends
// first or after `timeout` ms. Every line is also handed to `onLine`.
function waitForJsonLine(stream, match, { timeout = 20_000, onLine = () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stream });
    let found = false;
    const timer = setTimeout(() => reject(new Error('no start line within ' + timeout + ' ms')), timeout);
    lines.on('line', (line) => {
      onLine(line);
      if (found || !line.startsWith('{')) return;
      let value;
      try {
        value = JSON.parse(line);
      } catch {
        return;
      }
      if (match(value)) {
        found = true;
        clearTimeout(timer);
        resolve(value);
      }
    });
    lines.on('close', () => {
      clearTimeout(timer);
      if (!found) reject(new Error('the process ended before it was listening'));
    });
  });
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

// The fake Graph API: `graphUrl` for Parley, `recorded()` for what it received, `sends()` for the messages sent
// to customers (not read receipts or typing indicators). `args` are fake_graph_server's options (the businesses a
// token reaches, the Meta app and who signs in at its Login dialog: see tests/fakes/fake_graph_server.cpp).
export async function startFakeGraph(args = []) {
  const child = spawn(paths.fakeGraph, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const ready = await waitForJsonLine(child.stdout, (v) => v.event === 'listening');
  const recorded = async () => (await fetch(ready.control_url + '/_recorded')).json();
  return {
    graphUrl: ready.graph_url,
    recorded,
    sends: async () => (await recorded()).filter((r) => r.send),
    stop: () => stopProcess(child),
  };
}

// The fake OpenAI-compatible server (tests/fakes/fake_openai_server.cpp): `url` for PARLEY_TRANSCRIPTION_BASE_URL,
// which transcribes a test recording (`recording(words)`) into its words.
export async function startFakeOpenAi() {
  const child = spawn(paths.fakeOpenAi, [], { stdio: ['ignore', 'pipe', 'ignore'] });
  const ready = await waitForJsonLine(child.stdout, (v) => v.event === 'listening');
  return { url: ready.url, stop: () => stopProcess(child) };
}

// A voice note the fake OpenAI server transcribes into `words`: Ogg's magic number, so that Parley takes it for
// audio/ogg, then "SAID:" and the words (FakeOpenAi::Recording).
export function recording(words) {
  return Buffer.from(`OggS fake-opus-pages SAID:${words}`);
}

// `parley` with a fresh data directory: `cli(...)` runs a command to completion, `start()` serves on a free
// loopback port and resolves once its "listening" log line names the port.
export class Parley {
  constructor(env = {}) {
    this.dataDir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-'));
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? this.dataDir,
      PARLEY_DATA_DIR: this.dataDir,
      PARLEY_LISTEN: '127.0.0.1:0',
      PARLEY_LOG_LEVEL: 'info',
      PARLEY_WEB_DIR: paths.webDir,
      WHATSAPP_APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: 'e2e-verify-token',
      ...env,
    };
    this.logs = [];
  }

  cli(...args) {
    // Its log lines (stderr) show only in the error when it fails.
    const out = execFileSync(paths.parley, args, { env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().startsWith('{') ? JSON.parse(out) : out;
  }

  async start() {
    this.child = spawn(paths.parley, ['serve'], { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    const listening = await waitForJsonLine(this.child.stderr, (v) => v.event === 'listening', {
      onLine: (line) => this.logs.push(line),
    }).catch((error) => {
      throw new Error(`${error.message}\n${this.logs.join('\n')}`);
    });
    this.url = `http://127.0.0.1:${listening.port}`;
    return this;
  }

  // Stops the server (SIGTERM, as a deployment does) and starts it again on the same port and data: every open
  // connection, the event stream's included, is dropped.
  async restart() {
    await stopProcess(this.child);
    this.env.PARLEY_LISTEN = new URL(this.url).host;
    await this.start();
  }

  async stop() {
    if (this.child) await stopProcess(this.child);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  // A call to the API with the tenant's API key.
  async api(method, route, body) {
    const response = await fetch(this.url + route, {
      method,
      headers: { Authorization: `Bearer ${this.apiKey}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
}

// A tenant with an owner who signs in, a WhatsApp number whose replies go to `graph` and the demo bakery's
// knowledge (scripts/demo/demo-business.md), served by a started Parley. The bot answers at once (short batching
// window): a greeting gets the greeting, a question the knowledge answers gets its answer, others a person.
export async function startTenant(graph, env = {}) {
  const parley = new Parley({
    PARLEY_GRAPH_API_BASE_URL: graph.graphUrl,
    PARLEY_BATCH_WINDOW_MS: '100',
    PARLEY_BATCH_MAX_WAIT_MS: '1000',
    ...env,
  });
  const tenant = parley.cli('tenant', 'create', '--name', 'E2E Bakery');
  parley.tenantId = String(tenant.tenant_id);
  parley.apiKey = tenant.api_key;
  parley.cli('user', 'create', '--tenant', parley.tenantId, '--email', OWNER.email, '--name', 'Olivia Owner',
    '--role', 'owner', '--password', OWNER.password);
  parley.cli('channel', 'add', 'whatsapp', '--tenant', parley.tenantId, '--phone-number-id', PHONE_NUMBER_ID,
    '--access-token', 'EAAG-e2e-token');
  parley.cli('kb', 'add', '--tenant', parley.tenantId, path.join(checkout, 'scripts/demo/demo-business.md'));
  await parley.start();
  return parley;
}

// A customer's WhatsApp text message, with `image` ({id, mime_type, caption}) a photo, or with `audio` ({id,
// mime_type, voice}) a voice note, in the shape and with the signature (X-Hub-Signature-256: HMAC-SHA256 of the raw
// body with the app secret) Meta uses. Resolves with the webhook's answer and when its 200 arrived.
export async function sendWhatsApp(parley, { from, id, text, image, audio, name = 'Camille Client' }) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const message = image
    ? { from, id, timestamp, type: 'image', image }
    : audio
      ? { from, id, timestamp, type: 'audio', audio }
      : { from, id, timestamp, type: 'text', text: { body: text } };
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
          contacts: [{ profile: { name }, wa_id: from }],
          messages: [message],
        },
      }],
    }],
  });
  const signature = 'sha256=' + createHmac('sha256', WHATSAPP_APP_SECRET).update(body).digest('hex');
  const response = await fetch(parley.url + '/api/whatsapp/webhook', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature },
    body,
  });
  const acceptedAt = performance.now();
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  return { acceptedAt };
}

// Chromium as this machine runs it: Debian's build, headless, without the background connections a closed
// network refuses. playwright-core gives every launch a new empty profile (its own --user-data-dir).
export function launchBrowser() {
  return chromium.launch({
    executablePath: paths.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A page that records every console error and uncaught exception; `assertNoErrors()` fails on any, except those
// matching one of `allowed` (regular expressions), for failures a test provokes on purpose.
export async function openPage(browser, { locale = 'en-US', viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ locale, viewport });
  const page = await context.newPage();
  const errors = [];
  // Before sign-in the page asks /api/auth/me who is signed in; nobody is, and that 401 is how it learns it
  // (Chromium reports every 4xx answer to a fetch in the console).
  const allowed = [/status of 401 .*\/api\/auth\/me/];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error.message}`));
  page.allowErrors = (...patterns) => allowed.push(...patterns);
  page.assertNoErrors = () => {
    const unexpected = errors.filter((e) => !allowed.some((pattern) => pattern.test(e)));
    if (unexpected.length > 0) throw new Error('errors in the browser:\n' + unexpected.join('\n'));
  };
  return page;
}

// Signs in through the form, as a person does, and resolves once the inbox shows.
export async function signIn(page, parley, { email = OWNER.email, password = OWNER.password } = {}) {
  await page.goto(parley.url + '/');
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Inbox' }).waitFor();
}

// A screenshot of the whole page under the build directory (never the source tree); `make docs` copies them to
// docs/screenshots/.
export async function screenshot(page, name) {
  mkdirSync(paths.screenshots, { recursive: true });
  await page.screenshot({ path: path.join(paths.screenshots, `${name}.png`), fullPage: true });
}

// Starts the fake Graph API, a Parley with its tenant, and Chromium before the file's tests, and stops them after:
// the returned object's `graph`, `parley` and `browser` are set once the tests run. `env` is Parley's extra
// environment, or a function of the started fake Graph API that resolves to it; `graphArgs` go to the fake. With
// `transcriber`, the fake OpenAI server is started too, as Parley's transcription endpoint.
export function useDashboard(env = {}, { graphArgs = [], transcriber = false } = {}) {
  const started = {};
  before(async () => {
    started.graph = await startFakeGraph(graphArgs);
    started.openai = transcriber ? await startFakeOpenAi() : undefined;
    const transcription = started.openai ? { PARLEY_TRANSCRIPTION_BASE_URL: started.openai.url } : {};
    const extra = typeof env === 'function' ? await env(started.graph) : env;
    started.parley = await startTenant(started.graph, { ...transcription, ...extra });
    started.browser = await launchBrowser();
  });
  after(async () => {
    await started.browser?.close();
    await started.parley?.stop();
    await started.openai?.stop();
    await started.graph?.stop();
  });
  return started;
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

// A `width` × `height` RGB gradient as a PNG file (a photo's stand-in that any decoder reads).
export function gradientPng(width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x++) rows.set([(x * 255) / width, (y * 255) / height, 160], row + 1 + x * 3);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
