// A customer's photo as a person meets it in the inbox: WhatsApp delivers the media id, Parley fetches the bytes
// from the (fake) Graph API, keeps them and the open thread shows a thumbnail that the browser really loads through
// its signed link, with the caption and a link that opens the full photo.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { gradientPng, openPage, screenshot, sendWhatsApp, signIn, useDashboard } from './harness.mjs';

const MEDIA_ID = '1077324873498572';
const WIDTH = 640;
const HEIGHT = 480;

const files = mkdtempSync(path.join(tmpdir(), 'parley-e2e-media-'));
const photo = path.join(files, 'photo.png');
writeFileSync(photo, gradientPng(WIDTH, HEIGHT));
after(() => rmSync(files, { recursive: true, force: true }));

// The channel's token (harness.mjs's startTenant) reaches the photo on the fake Graph API, whose download URL is
// on loopback, which the outbound address policy must be told to allow.
const env = useDashboard(
  { PARLEY_OCR_LANGUAGES: '', PARLEY_OUTBOUND_ALLOW: '127.0.0.1' },
  { graphArgs: ['--media', `${MEDIA_ID},EAAG-e2e-token,${photo},image/png`] },
);

test("a customer's photo shows in the open thread as a thumbnail loaded through its signed link", async () => {
  const customer = { from: '33600000031', name: 'Pia Photo' };
  await sendWhatsApp(env.parley, { ...customer, id: 'wamid.e2e.media.0', text: 'Hello, I have a problem with my order' });
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: /Pia Photo/ }).click();
  const thread = page.getByRole('log', { name: 'Messages' });
  await thread.getByText('Hello, I have a problem with my order', { exact: true }).waitFor();

  // The photo comes while the person watches: fetched in the background, it shows once kept (a live event tells
  // the thread), as a link to the full photo, without a reload.
  const caption = 'Is this cake damaged?';
  await sendWhatsApp(env.parley, {
    ...customer,
    id: 'wamid.e2e.media.1',
    image: { id: MEDIA_ID, mime_type: 'image/png', sha256: 'unused-by-parley', caption },
  });
  await thread.getByText(caption, { exact: true }).waitFor();
  const open = thread.getByRole('link', { name: /^Image \(.+\), opens in a new tab$/ });
  await open.waitFor({ timeout: 15_000 });
  const thumbnail = open.getByRole('img', { name: 'Image' });
  await thumbnail.waitFor();
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumbnail.elementHandle());
  const [width, height] = await thumbnail.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(width <= 256 && height <= 256 && width > height, `a landscape thumbnail, not the original: ${width}×${height}`);

  // The full photo behind the link: the original bytes, served without a session to whoever holds the link.
  const href = await open.getAttribute('href');
  const original = await fetch(new URL(href, env.parley.url));
  assert.equal(original.status, 200);
  assert.equal(original.headers.get('content-type'), 'image/png');
  assert.equal(Buffer.from(await original.arrayBuffer()).length, gradientPng(WIDTH, HEIGHT).length);

  await screenshot(page, 'inbox-photo');
  page.assertNoErrors();
  await page.context().close();
});
