// A customer's photo as a person meets it in the inbox: WhatsApp delivers the media id, Parley fetches the bytes
// from the (fake) Graph API, keeps them and the open thread shows a thumbnail that the browser really loads through
// its signed link, with the caption and a link that opens the full photo. A voice note is transcribed by the (fake)
// OpenAI-compatible endpoint and shows as a player with what was said.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { gradientPng, openPage, recording, screenshot, sendWhatsApp, signIn, useDashboard } from './harness.mjs';

const MEDIA_ID = '1077324873498572';
const VOICE_ID = '2077324873498571';
const SAID = 'Do you deliver on Sundays?';
const WIDTH = 640;
const HEIGHT = 480;

const files = mkdtempSync(path.join(tmpdir(), 'parley-e2e-media-'));
const photo = path.join(files, 'photo.png');
writeFileSync(photo, gradientPng(WIDTH, HEIGHT));
const voice = path.join(files, 'voice.ogg');
writeFileSync(voice, recording(SAID));
after(() => rmSync(files, { recursive: true, force: true }));

// The channel's token (harness.mjs's startTenant) reaches the photo on the fake Graph API, whose download URL is
// on loopback, which the outbound address policy must be told to allow.
const env = useDashboard(
  { PARLEY_OCR_LANGUAGES: '', PARLEY_OUTBOUND_ALLOW: '127.0.0.1' },
  {
    graphArgs: [
      '--media',
      `${MEDIA_ID},EAAG-e2e-token,${photo},image/png`,
      '--media',
      `${VOICE_ID},EAAG-e2e-token,${voice},audio/ogg`,
    ],
    transcriber: true,
  },
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

test("a customer's voice note shows as a player with what was said, transcribed before anyone listens", async () => {
  const customer = { from: '33600000032', name: 'Vic Voice' };
  await sendWhatsApp(env.parley, { ...customer, id: 'wamid.e2e.voice.0', text: 'Hello' });
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: /Vic Voice/ }).click();
  const thread = page.getByRole('log', { name: 'Messages' });
  await thread.getByText('Hello', { exact: true }).waitFor();

  await sendWhatsApp(env.parley, {
    ...customer,
    id: 'wamid.e2e.voice.1',
    audio: { id: VOICE_ID, mime_type: 'audio/ogg; codecs=opus', sha256: 'unused-by-parley', voice: true },
  });
  const player = thread.getByLabel('Voice message');
  await player.waitFor({ timeout: 15_000 });
  assert.equal(await player.evaluate((element) => element.tagName), 'AUDIO');
  await thread.getByText(`Transcript: ${SAID}`, { exact: true }).waitFor();

  // The player's link serves the recording itself, without a session.
  const src = await player.getAttribute('src');
  const served = await fetch(new URL(src, env.parley.url));
  assert.equal(served.status, 200);
  assert.equal(Buffer.from(await served.arrayBuffer()).toString(), recording(SAID).toString());

  await screenshot(page, 'inbox-voice-note');
  page.assertNoErrors();
  await page.context().close();
});
