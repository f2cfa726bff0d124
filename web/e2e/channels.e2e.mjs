// The Channels page as a business owner uses it: a WhatsApp number added with a token that Meta (the fake Graph
// API) checks, refused first with a wrong token; removed again after confirmation; and a number connected through
// Meta's login, from the page to Meta's dialog, back through Parley's callback to the page, with its WhatsApp
// Business Account found on the way.

import { test } from 'node:test';
import { freePort, openPage, screenshot, signIn, useDashboard } from './harness.mjs';

const ADDED = { token: 'EAAG-e2e-added-number', waba: '102290129340555', phone: '106540352240555' };
const LOGIN = { token: 'EAAG-e2e-login-user', waba: '102290129340777', phone: '106540352240777' };
const APP = { id: '4242424242', secret: 'e2e-meta-app-secret' };

const env = useDashboard(
  async (graph) => {
    const port = await freePort();
    return {
      PARLEY_LISTEN: `127.0.0.1:${port}`,
      PARLEY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      META_CLIENT_ID: APP.id,
      META_CLIENT_SECRET: APP.secret,
      META_REDIRECT_URI: `http://127.0.0.1:${port}/api/social-accounts/connect/{platform}/callback`,
      PARLEY_META_OAUTH_DIALOG_URL: `${graph.graphUrl}/dialog/oauth`,
    };
  },
  {
    graphArgs: [
      '--whatsapp-business', `${ADDED.token},${ADDED.waba},${ADDED.phone}`,
      '--whatsapp-business', `${LOGIN.token},${LOGIN.waba},${LOGIN.phone}`,
      '--app', `${APP.id},${APP.secret}`,
      '--login', LOGIN.token,
    ],
  },
);

test('a WhatsApp number is added with a token Meta accepts, and removed', async () => {
  const page = await openPage(env.browser);
  // The wrong token's refusal is a 400 answer, which Chromium reports in the console.
  page.allowErrors(/status of 400 .*\/api\/social-accounts/);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: 'Channels' }).click();
  const form = page.getByRole('region', { name: 'Add a channel' });
  await form.getByLabel('Phone number ID').fill(ADDED.phone);
  await form.getByLabel('Access token').fill('EAAG-not-a-token-meta-knows');
  await form.getByLabel(/WhatsApp Business Account ID/).fill(ADDED.waba);
  await form.getByLabel('Name (optional)').fill('Side door');
  await form.getByRole('button', { name: 'Add channel' }).click();
  await form.getByRole('alert').filter({ hasText: 'WhatsApp refused the credentials' }).waitFor();

  await form.getByLabel('Access token').fill(ADDED.token);
  await form.getByRole('button', { name: 'Add channel' }).click();
  const row = page.getByRole('row', { name: /Side door/ });
  await row.getByText(ADDED.waba).waitFor();
  await row.getByText('+1 555 0100').waitFor();
  await screenshot(page, 'channels');

  await page.getByRole('button', { name: 'Remove Side door' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove Side door?' });
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await row.waitFor({ state: 'detached' });
  const left = await env.parley.api('GET', '/api/social-accounts');
  if (left.data.some((channel) => channel.account_id === ADDED.phone)) throw new Error('the channel is still listed');
  page.assertNoErrors();
  await page.context().close();
});

test("a WhatsApp number is connected through Meta's login and back", async () => {
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: 'Channels' }).click();
  await page.getByRole('button', { name: 'Connect WhatsApp with Meta' }).click();
  // Meta's dialog (the fake grants at once) → Parley's callback → this page, told the outcome.
  await page.getByText('Connected with Meta: 1 WhatsApp channel(s) added or renewed.').waitFor();
  if (new URL(page.url()).pathname !== '/channels') throw new Error(`landed on ${page.url()}`);
  if (new URL(page.url()).search !== '') throw new Error(`the outcome stayed in the address: ${page.url()}`);
  const row = page.getByRole('row', { name: new RegExp(`ID ${LOGIN.phone}`) });
  await row.getByText(LOGIN.waba).waitFor();
  await screenshot(page, 'channels-connected');
  page.assertNoErrors();
  await page.context().close();
});
