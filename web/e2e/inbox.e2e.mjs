// The shared inbox, live: customers write on WhatsApp (signed webhooks, as Meta sends them) while a person watches
// the dashboard; the person takes a conversation over, answers it (the answer reaches the Graph API) and hands it
// back; a dropped event stream loses nothing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  eventually,
  openPage,
  screenshot,
  sendWhatsApp,
  signIn,
  useDashboard,
} from './harness.mjs';

// The fake Graph API, Parley and Chromium, started once for this file's tests.
const env = useDashboard();

// The page's document stays the same one (no reload, no navigation that reloads) while `action` runs.
async function withoutReload(page, action) {
  await page.evaluate(() => {
    window.e2eDocument = 'kept';
  });
  await action();
  assert.equal(await page.evaluate(() => window.e2eDocument), 'kept', 'the page was reloaded');
}

const thread = (page) => page.getByRole('log', { name: 'Messages' });

test('a customer message appears in the open inbox and in the open thread without a reload', async () => {
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await withoutReload(page, async () => {
    await sendWhatsApp(env.parley, { from: '33600000001', id: 'wamid.e2e.live.1', text: 'Hello!', name: 'Lina Live' });
    await page.getByRole('link', { name: /Lina Live/ }).click();
    await thread(page).getByText('Hello!', { exact: true }).waitFor();

    const question = 'Do you deliver on Sunday morning?';
    await sendWhatsApp(env.parley, { from: '33600000001', id: 'wamid.e2e.live.2', text: question, name: 'Lina Live' });
    await thread(page).getByText(question, { exact: true }).waitFor();
  });
  await screenshot(page, 'inbox-conversation');
  page.assertNoErrors();
  await page.context().close();
});

test('a person takes over, replies through the Graph API, and hands back to the bot', async () => {
  const customer = '33600000002';
  await sendWhatsApp(env.parley, { from: customer, id: 'wamid.e2e.takeover.1', text: 'Hello', name: 'Theo Takeover' });
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: /Theo Takeover/ }).click();
  await thread(page).getByText('Hello', { exact: true }).waitFor();
  // The bot greets the customer and stays in charge.
  await eventually(async () => (await env.graph.sends()).some((s) => s.body.to === customer), { what: "the bot's greeting" });

  await page.getByRole('button', { name: 'Take over' }).click();
  await page.getByText('A person answers').waitFor();
  const answer = 'Hi Theo, this is Olivia from the bakery. How can I help?';
  await page.getByRole('textbox', { name: 'Reply' }).fill(answer);
  await page.getByRole('button', { name: 'Send' }).click();
  await thread(page).getByText(answer, { exact: true }).waitFor();
  await eventually(
    async () => (await env.graph.sends()).some((s) => s.body.to === customer && s.body.text?.body === answer),
    { what: "the person's reply at the Graph API" },
  );
  await screenshot(page, 'inbox-taken-over');

  await page.getByRole('button', { name: 'Hand back to bot' }).click();
  await page.getByText('The bot answers').waitFor();
  await page.getByRole('button', { name: 'Take over' }).waitFor();
  const conversations = await env.parley.api('GET', `/api/conversations?q=${customer}`);
  assert.equal(conversations.data[0].mode, 'bot');
  page.assertNoErrors();
  await page.context().close();
});

test('messages sent while the event stream is down all show once it is back', async () => {
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await sendWhatsApp(env.parley, { from: '33600000003', id: 'wamid.e2e.burst.0', text: 'Hello', name: 'Bruno Burst' });
  await page.getByRole('link', { name: /Bruno Burst/ }).click();
  await thread(page).getByText('Hello', { exact: true }).waitFor();
  const streamState = page.getByRole('status').filter({ hasText: /^(Live|Reconnecting…)$/ });
  await streamState.getByText('Live').waitFor();

  // The browser is offline (so it cannot reconnect) when the server restarts, which drops the open stream; a
  // burst arrives while it is away. The failed reconnections show in the console.
  page.allowErrors(/ERR_INTERNET_DISCONNECTED/);
  await page.context().setOffline(true);
  await env.parley.restart();
  await streamState.getByText('Reconnecting…').waitFor();
  const burst = Array.from({ length: 8 }, (_, i) => `Burst message number ${i + 1}`);
  for (const [i, text] of burst.entries()) {
    await sendWhatsApp(env.parley, { from: '33600000003', id: `wamid.e2e.burst.${i + 1}`, text, name: 'Bruno Burst' });
  }
  await page.context().setOffline(false);
  await streamState.getByText('Live').waitFor({ timeout: 15_000 });
  for (const text of burst) await thread(page).getByText(text, { exact: true }).waitFor();
  page.assertNoErrors();
  await page.context().close();
});

test("on a phone's width the list and the thread are separate views, and a person answers from there", async () => {
  await sendWhatsApp(env.parley, { from: '33600000004', id: 'wamid.e2e.phone.1', text: 'Hello', name: 'Paula Phone' });
  const page = await openPage(env.browser, { viewport: { width: 390, height: 844 } });
  await signIn(page, env.parley);
  await screenshot(page, 'inbox-phone');
  await page.getByRole('link', { name: /Paula Phone/ }).click();
  await page.getByRole('textbox', { name: 'Reply' }).waitFor();
  await page.getByRole('list', { name: 'Conversations' }).waitFor({ state: 'hidden' });
  await screenshot(page, 'inbox-phone-thread');
  await page.getByRole('link', { name: 'Back to conversations' }).click();
  await page.getByRole('link', { name: /Paula Phone/ }).waitFor();
  page.assertNoErrors();
  await page.context().close();
});
