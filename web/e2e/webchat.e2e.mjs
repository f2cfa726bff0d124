// The web chat as a business and its visitors use it: the owner adds the chat on the Channels page and copies its
// script tag; a page of the business's site (served from another origin, as a real site is) carries the tag, and a
// visitor chats with the bot there, reloads and finds the conversation again; a person's photo reply shows as a
// thumbnail that opens the full image; a visitor's own photo, sent with "Attach a file", shows in their thread and in
// the inbox; a page of a site the channel does not allow cannot chat at all; a French
// browser gets it in French; the conversation shows in the dashboard's inbox like any other.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { eventually, freePort, gradientPng, openPage, screenshot, signIn, useDashboard } from './harness.mjs';

const VISITOR = 'Wendy Web';
const QUESTION = 'When do you open on Sunday?';
const PHOTO_VISITOR = 'Pablo Photo';
const FILE_VISITOR = 'Fiona File';

// PARLEY_PUBLIC_URL, which the script tag names, is Parley's own address.
const env = useDashboard(async () => {
  const port = await freePort();
  return { PARLEY_LISTEN: `127.0.0.1:${port}`, PARLEY_PUBLIC_URL: `http://127.0.0.1:${port}` };
});

// The business's site: one page with the tag the dashboard gave (`site.script`, set by the first test).
const site = { script: '' };
before(async () => {
  site.server = createServer((request, response) => {
    if (request.url !== '/') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Crumb &amp; Co.</title>
<link rel="icon" href="data:,">${site.script}</head><body><h1>Crumb &amp; Co.</h1><p>Fresh bread every day.</p></body></html>`);
  });
  await new Promise((resolve) => site.server.listen(0, '127.0.0.1', resolve));
  site.port = site.server.address().port;
  site.origin = `http://127.0.0.1:${site.port}`;
});
after(() => new Promise((resolve) => site.server.close(resolve)));

const storedKeys = (page) => page.evaluate(() => Object.keys(localStorage));

test('the owner adds a web chat for the site and gets its script tag', async () => {
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: 'Channels' }).click();
  const form = page.getByRole('region', { name: 'Add a channel' });
  await form.getByLabel('Platform').selectOption('webchat');
  await form.getByLabel('Name', { exact: true }).fill('Crumb & Co.');
  await form.getByLabel('Allowed origins').fill(`${site.origin}\n`);
  await form.getByRole('button', { name: 'Add channel' }).click();
  const tag = form.getByRole('textbox', { name: 'Script tag' });
  await tag.waitFor();
  site.script = await tag.inputValue();
  assert.match(site.script, new RegExp(`^<script src="${env.parley.url}/webchat/widget.js" data-channel="[^"]+" async></script>$`));
  await form.getByRole('button', { name: 'Copy' }).waitFor();
  // The list keeps the tag for later, with the site it serves.
  const row = page.getByRole('row', { name: /Crumb & Co\./ });
  await row.getByText(site.origin).waitFor();
  await row.getByRole('button', { name: 'Copy the script tag' }).waitFor();
  await screenshot(page, 'channels-webchat');
  page.assertNoErrors();
  await page.context().close();
});

// A new visitor on the allowed site: opens the chat and sends `text` under `name`.
async function startChat(name, text) {
  const page = await openPage(env.browser);
  await page.goto(site.origin + '/');
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const dialog = page.getByRole('dialog', { name: 'Chat' });
  await dialog.getByRole('textbox', { name: 'Name (optional)' }).fill(name);
  await dialog.getByRole('textbox', { name: 'Message' }).fill(text);
  await dialog.getByRole('button', { name: 'Send' }).click();
  return { page, dialog };
}

test('a visitor chats with the bot on the allowed site, and a reload keeps the conversation', async () => {
  const { page, dialog } = await startChat(VISITOR, QUESTION);
  const log = dialog.getByRole('log');
  await log.getByText(QUESTION).waitFor();
  // The offline agent answers from the demo bakery's knowledge: Sunday 8:30 to 13:00.
  await log.getByText(/8:30/).waitFor({ timeout: 30_000 });
  assert.equal((await storedKeys(page)).length, 1);
  await screenshot(page, 'webchat-widget');

  await page.reload();
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const again = page.getByRole('dialog', { name: 'Chat' }).getByRole('log');
  await again.getByText(QUESTION).waitFor();
  await again.getByText(/8:30/).waitFor();
  // The session goes on: the name is not asked again.
  assert.equal(await page.getByRole('textbox', { name: 'Name (optional)' }).count(), 0);
  page.assertNoErrors();
  await page.context().close();
});

test("a person's photo reaches the visitor as a thumbnail that opens the full image, after a reload too", async () => {
  const { page, dialog } = await startChat(PHOTO_VISITOR, 'Can I see the rye loaf?');
  const conversation = await eventually(
    async () => (await env.parley.api('GET', '/api/conversations?platform=webchat')).data.find((c) => c.contact.name === PHOTO_VISITOR),
    { what: "the visitor's conversation" },
  );
  // A person of the business answers from the inbox with a photo and its caption.
  const photo = gradientPng(480, 320);
  const form = new FormData();
  form.append('file', new Blob([photo], { type: 'image/png' }), 'rye-loaf.png');
  form.append('text', 'Fresh out of the oven');
  const sent = await fetch(`${env.parley.url}/api/conversations/${conversation.id}/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${env.parley.apiKey}` },
    body: form,
  });
  assert.equal(sent.status, 202, await sent.text());

  // Live, through the visitor's event stream: the thumbnail really loads from Parley on the site's page.
  const seeThumbnail = async (log) => {
    const opener = log.getByRole('link', { name: 'Open image: rye-loaf.png' });
    const thumbnail = opener.getByRole('img', { name: 'rye-loaf.png' });
    await thumbnail.waitFor();
    await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumbnail.elementHandle());
    await log.getByText('Fresh out of the oven').waitFor();
    return opener;
  };
  const opener = await seeThumbnail(dialog.getByRole('log'));
  await screenshot(page, 'webchat-widget-photo');
  // The full photo opens in a new tab, through its signed link, without any session.
  const href = await opener.getAttribute('href');
  assert.match(href, new RegExp(`^${env.parley.url}/api/media/`));
  const [tab] = await Promise.all([page.context().waitForEvent('page'), opener.click()]);
  await tab.waitForLoadState();
  assert.equal(tab.url(), href);
  const full = await fetch(href);
  assert.equal(full.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await full.arrayBuffer()), photo);

  // A reload reads the thread again, with links signed anew.
  await page.reload();
  await page.getByRole('button', { name: 'Chat with us' }).click();
  await seeThumbnail(page.getByRole('dialog', { name: 'Chat' }).getByRole('log'));
  page.assertNoErrors();
  await page.context().close();
});

test('a visitor sends a photo with "Attach a file", seen in their thread and in the inbox as a thumbnail', async () => {
  const { page, dialog } = await startChat(FILE_VISITOR, 'I bought this loaf yesterday');
  // Waited for well before the key press: the first waiter turns on Chromium's interception of file pickers, a
  // command that travels apart from the key's input events, so a picker opened right after it can be missed (it was,
  // once, on a loaded machine).
  const chosen = page.waitForEvent('filechooser');
  const log = dialog.getByRole('log');
  await log.getByText('I bought this loaf yesterday').waitFor();
  // With the keyboard: the button opens the browser's file picker.
  const photo = gradientPng(480, 320);
  await dialog.getByRole('button', { name: 'Attach a file' }).focus();
  await page.keyboard.press('Enter');
  const chooser = await chosen;
  await chooser.setFiles({ name: 'my-loaf.png', mimeType: 'image/png', buffer: photo });
  // Once Parley has checked and kept it, the visitor's stream brings its thumbnail, loaded from Parley.
  const opener = log.getByRole('link', { name: 'Open image: my-loaf.png' });
  const thumbnail = opener.getByRole('img', { name: 'my-loaf.png' });
  await thumbnail.waitFor({ timeout: 15_000 });
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumbnail.elementHandle());
  const [width, height] = await thumbnail.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(width <= 256 && height <= 256, `the thumbnail, not the original: ${width}×${height}`);
  const full = await fetch(await opener.getAttribute('href'));
  assert.deepEqual(Buffer.from(await full.arrayBuffer()), photo);
  await screenshot(page, 'webchat-widget-visitor-photo');
  page.assertNoErrors();
  await page.context().close();

  // The inbox shows it as it shows a WhatsApp photo.
  const inbox = await openPage(env.browser);
  await signIn(inbox, env.parley);
  await inbox.getByRole('link', { name: new RegExp(FILE_VISITOR) }).click();
  const thread = inbox.getByRole('log', { name: 'Messages' });
  const open = thread.getByRole('link', { name: /^Image \(.+\), opens in a new tab$/ });
  const shown = open.getByRole('img', { name: 'Image' });
  await shown.waitFor();
  await inbox.waitForFunction((img) => img.complete && img.naturalWidth > 0, await shown.elementHandle());
  inbox.assertNoErrors();
  await inbox.context().close();
});

test("a French browser gets the widget in French", async () => {
  const page = await openPage(env.browser, { locale: 'fr-FR' });
  await page.goto(site.origin + '/');
  await page.getByRole('button', { name: 'Discuter avec nous' }).click();
  const dialog = page.getByRole('dialog', { name: 'Discussion' });
  await dialog.getByRole('textbox', { name: 'Message' }).waitFor();
  await dialog.getByRole('button', { name: 'Envoyer' }).waitFor();
  await dialog.getByText('Bonjour ! Comment pouvons-nous vous aider ?').waitFor();
  page.assertNoErrors();
  await page.context().close();
});

test('a page of a site the channel does not allow cannot chat, and nothing is stored', async () => {
  const before = await env.parley.api('GET', '/api/conversations');
  const page = await openPage(env.browser);
  // Parley refuses the origin (403 without CORS headers), which Chromium reports in the console.
  page.allowErrors(/CORS policy|Failed to load resource/);
  await page.goto(`http://localhost:${site.port}/`);
  await page.getByRole('button', { name: 'Chat with us' }).click();
  await page.getByRole('alert').filter({ hasText: 'The chat is not available right now.' }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Message' }).count(), 0);
  assert.deepEqual(await storedKeys(page), []);
  const afterwards = await env.parley.api('GET', '/api/conversations');
  assert.equal(afterwards.data.length, before.data.length);
  page.assertNoErrors();
  await page.context().close();
});

test("the visitor's conversation shows in the inbox as a web chat", async () => {
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: new RegExp(VISITOR) }).click();
  await page.getByRole('log', { name: 'Messages' }).getByText(QUESTION, { exact: true }).waitFor();
  const conversations = await env.parley.api('GET', '/api/conversations?platform=webchat');
  assert.ok(conversations.data.some((conversation) => conversation.platform === 'webchat'));
  page.assertNoErrors();
  await page.context().close();
});
