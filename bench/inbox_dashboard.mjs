// The inbox with a large tenant, in headless Chromium against the real binary on loopback, with the browser tests'
// harness (web/e2e/harness.mjs; `make bench-inbox-dashboard` after `make build`): 10,000 conversations, one of them a
// thread of 5,000 messages. Measures:
//   1. the inbox's first render: from opening /inbox (signed in, cache empty) until the first conversation shows;
//   2. the thread's first render: from opening /inbox/{id} until its newest message shows;
//   3. scroll smoothness: frame times (requestAnimationFrame in the page) while a script scrolls the conversation
//      list down, then the thread up from its newest message (older pages load on the way), by a fixed distance per
//      frame. A frame over 50 ms is a visible stutter.
// Prints one line per measure. CONVERSATIONS, THREAD, RUNS and FRAMES change the sizes.

import { createHmac } from 'node:crypto';
import {
  launchBrowser,
  openPage,
  signIn,
  startFakeGraph,
  startTenant,
  PHONE_NUMBER_ID,
  WHATSAPP_APP_SECRET,
} from '../web/e2e/harness.mjs';

const conversations = Number(process.env.CONVERSATIONS ?? 10_000);
const threadLength = Number(process.env.THREAD ?? 5_000);
const runs = Number(process.env.RUNS ?? 5);
const frames = Number(process.env.FRAMES ?? 600);
const perWebhook = 100;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, ` +
    `max ${sorted[sorted.length - 1].toFixed(1)} ms (n=${sorted.length})`;
}

// One signed webhook carrying several customers' messages, as WhatsApp batches them.
async function postMessages(parley, messages) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
          contacts: messages.map((m) => ({ profile: { name: m.name }, wa_id: m.from })),
          messages: messages.map((m) => ({ from: m.from, id: m.id, timestamp: String(Math.floor(Date.now() / 1000)),
            type: 'text', text: { body: m.text } })),
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
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
}

// Frame intervals while `step` scrolls the element matched by `selector` once per frame, for `count` frames.
function scrollFrames(page, selector, step, count) {
  return page.evaluate(
    ({ selector, step, count }) =>
      new Promise((resolve) => {
        const element = document.querySelector(selector);
        const times = [];
        let last;
        const frame = (now) => {
          if (last !== undefined) times.push(now - last);
          last = now;
          element.scrollTop += step;
          if (times.length < count) requestAnimationFrame(frame);
          else resolve({ times, scrollTop: element.scrollTop, scrollHeight: element.scrollHeight });
        };
        requestAnimationFrame(frame);
      }),
    { selector, step, count },
  );
}

function reportFrames(name, result) {
  const long = result.times.filter((t) => t > 50).length;
  console.log(`${name}: frame ${summary(result.times)}, ${long} frames over 50 ms`);
}

const graph = await startFakeGraph();
// The bot waits ten minutes: the measures see the inbox, not the bot's work on 10,000 conversations.
const parley = await startTenant(graph, { PARLEY_BATCH_WINDOW_MS: '600000', PARLEY_BATCH_MAX_WAIT_MS: '600000' });
const browser = await launchBrowser();
try {
  const loadStart = performance.now();
  const threadFrom = '33700000000';
  for (let i = 0; i < threadLength; i += perWebhook) {
    const batch = [];
    for (let j = i; j < Math.min(threadLength, i + perWebhook); ++j) {
      batch.push({ from: threadFrom, id: `wamid.thread.${j}`, text: `Thread message ${j}`, name: 'Long Thread' });
    }
    await postMessages(parley, batch);
  }
  for (let i = 0; i < conversations - 1; i += perWebhook) {
    const batch = [];
    for (let j = i; j < Math.min(conversations - 1, i + perWebhook); ++j) {
      const from = `3361${String(j).padStart(7, '0')}`;
      batch.push({ from, id: `wamid.inbox.${j}`, text: `Question number ${j} about an order`, name: `Customer ${j}` });
    }
    await postMessages(parley, batch);
  }
  const list = await parley.api('GET', '/api/conversations?q=Long%20Thread&limit=1');
  const threadId = list.data[0].id;
  console.log(`loaded ${conversations} conversations and a ${threadLength}-message thread in ` +
    `${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

  const page = await openPage(browser);
  await signIn(page, parley);

  const inboxTimes = [];
  const threadTimes = [];
  for (let run = 0; run < runs; ++run) {
    // A new page each time: its query cache is empty, as on opening the dashboard; the session cookie stays.
    const fresh = await page.context().newPage();
    let start = performance.now();
    await fresh.goto(parley.url + '/inbox');
    await fresh.getByRole('list', { name: 'Conversations' }).getByRole('link').first().waitFor();
    inboxTimes.push(performance.now() - start);
    start = performance.now();
    await fresh.goto(parley.url + `/inbox/${threadId}`);
    await fresh.getByRole('log', { name: 'Messages' })
      .getByText(`Thread message ${threadLength - 1}`, { exact: true }).waitFor();
    threadTimes.push(performance.now() - start);
    await fresh.close();
  }
  console.log(`inbox first render (10,000 conversations): ${summary(inboxTimes)}`);
  console.log(`thread first render (${threadLength} messages, newest shown): ${summary(threadTimes)}`);

  await page.goto(parley.url + `/inbox/${threadId}`);
  const log = page.getByRole('log', { name: 'Messages' });
  await log.getByText(`Thread message ${threadLength - 1}`, { exact: true }).waitFor();
  const rows = await page.evaluate(() => document.querySelectorAll('[role="log"] li').length);
  const listRows = await page.evaluate(() => document.querySelectorAll('.conversation-scroller li').length);
  console.log(`elements in the page: ${listRows} conversation rows, ${rows} message rows`);

  const listScroll = await scrollFrames(page, '.conversation-scroller', 120, frames);
  const listed = await page.evaluate(() => document.querySelector('.conversation-scroller li:last-child')?.textContent);
  reportFrames(`conversation list scrolled down 120 px a frame`, listScroll);
  console.log(`  reached ${listScroll.scrollTop} px of ${listScroll.scrollHeight} px; last row: ${listed?.slice(0, 40)}`);

  const threadScroll = await scrollFrames(page, '[role="log"]', -120, frames);
  reportFrames(`thread scrolled up 120 px a frame`, threadScroll);
  const oldest = await page.evaluate(() => {
    const texts = [...document.querySelectorAll('[role="log"] p.text')].map((p) => p.textContent);
    return texts[0];
  });
  console.log(`  at ${threadScroll.scrollTop} px of ${threadScroll.scrollHeight} px; first message in view: ${oldest}`);
  page.assertNoErrors();
} finally {
  await browser.close();
  await parley.stop();
  await graph.stop();
}
