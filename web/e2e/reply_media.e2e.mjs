// A person answers with a photo: "Attach file" in the reply box of a WhatsApp conversation, a caption typed, Send.
// Parley uploads the photo to the (fake) Graph API (POST /{phone-number-id}/media) and sends it by the media id it
// got back, with the caption; the thread shows the sent photo as its thumbnail, whichever comes first: the live event
// of the reply (which carries its media object) or the POST's answer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PHONE_NUMBER_ID, eventually, openPage, screenshot, sendWhatsApp, signIn, useDashboard } from './harness.mjs';

const env = useDashboard({ PARLEY_OCR_LANGUAGES: '' });

// A 320 × 240 gradient as a PNG file, drawn by the browser.
async function drawnPng(page) {
  const url = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    const context = canvas.getContext('2d');
    const gradient = context.createLinearGradient(0, 0, 320, 240);
    gradient.addColorStop(0, '#c05a2a');
    gradient.addColorStop(1, '#2a6ac0');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 320, 240);
    return canvas.toDataURL('image/png');
  });
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}

test('a person attaches a photo to a WhatsApp reply: uploaded, sent by its media id with the caption, shown', async () => {
  await sendWhatsApp(env.parley, { from: '33600000041', name: 'Rita Receipt', id: 'wamid.e2e.reply.0', text: 'Can I have my receipt?' });
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: /Rita Receipt/ }).click();
  const thread = page.getByRole('log', { name: 'Messages' });
  await thread.getByText('Can I have my receipt?', { exact: true }).waitFor();

  const photo = await drawnPng(page);
  await page.getByLabel('Attach file').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: photo });
  await page.getByText('Attached: receipt.png').waitFor();
  await page.getByRole('button', { name: 'Remove receipt.png' }).waitFor();
  const caption = 'Here is your receipt';
  await page.getByRole('textbox', { name: 'Reply' }).fill(caption);
  await page.getByRole('button', { name: 'Send' }).click();

  // The fake Graph API got the upload, then the message by the id it answered, with the caption.
  const { upload, send } = await eventually(
    async () => {
      const recorded = await env.graph.recorded();
      const upload = recorded.find((r) => r.method === 'POST' && r.path === `/${PHONE_NUMBER_ID}/media`);
      const send = recorded.find((r) => r.send && r.body.type === 'image');
      return upload && send && { upload, send };
    },
    { timeout: 15_000, what: 'the upload and the send by media id' },
  );
  assert.equal(upload.body.messaging_product, 'whatsapp');
  assert.equal(upload.body.type, 'image/png');
  assert.deepEqual(upload.body.file, { filename: 'receipt.png', content_type: 'image/png', bytes: photo.length });
  assert.equal(send.body.to, '33600000041');
  assert.deepEqual(send.body.image, { id: upload.body.id, caption });

  // The thread shows what was sent: the caption and the photo's thumbnail through its signed link.
  await thread.getByText(caption, { exact: true }).waitFor();
  const open = thread.getByRole('link', { name: /^Image \(.+\), opens in a new tab$/ });
  const thumbnail = open.getByRole('img', { name: 'Image' });
  await thumbnail.waitFor();
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumbnail.elementHandle());
  await assert.doesNotReject(() => page.getByText('Attached: receipt.png').waitFor({ state: 'detached' }));

  await screenshot(page, 'inbox-reply-photo');
  page.assertNoErrors();
  await page.context().close();
});
