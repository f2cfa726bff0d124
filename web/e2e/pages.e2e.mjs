// The pages beside the inbox, used as a business owner does: a document uploaded in Knowledge becomes ready and the
// playground in AI studio answers from it; Analytics shows its charts and the table of days.

import { test } from 'node:test';
import {
  openPage,
  screenshot,
  sendWhatsApp,
  signIn,
  useDashboard,
} from './harness.mjs';

// The fake Graph API, Parley and Chromium, started once for this file's tests.
const env = useDashboard();

const PARKING = `# Parking

Customers can park for free in the car park behind the bakery, on Rue des Lilas, for up to one hour.
`;

test('an uploaded document becomes ready, and the playground answers from it', async () => {
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: 'Knowledge' }).click();
  await page.getByLabel('Upload files').setInputFiles({
    name: 'parking.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from(PARKING),
  });
  await page.getByRole('row', { name: /parking\.md\s+ready/ }).waitFor({ timeout: 20_000 });
  await screenshot(page, 'knowledge-uploaded');

  await page.getByRole('link', { name: 'AI studio' }).click();
  await page.getByRole('tab', { name: 'Playground' }).click();
  await page.getByRole('textbox', { name: 'Question' }).fill('Where can I park my car?');
  await page.getByRole('button', { name: 'Ask' }).click();
  const answer = page.getByRole('region', { name: 'Answer' });
  await answer.getByText(/Rue des Lilas/).first().waitFor();
  await answer.getByText('parking.md').first().waitFor();
  await screenshot(page, 'ai-studio-playground');
  page.assertNoErrors();
  await page.context().close();
});

test("analytics show the day's messages", async () => {
  await sendWhatsApp(env.parley, { from: '33600000010', id: 'wamid.e2e.analytics.1', text: 'Hello', name: 'Ana Lytics' });
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  await page.getByRole('link', { name: 'Analytics' }).click();
  // Charts (Recharts, in the page's lazy chunk) and the same figures as a table, counted in the tenant's zone.
  await page.getByRole('figure', { name: 'Conversations and messages' }).locator('svg').first().waitFor();
  await page.getByRole('table', { name: 'Figures per day (UTC)' }).getByRole('row').nth(1).waitFor();
  await page.getByRole('link', { name: 'Export CSV' }).waitFor();
  await screenshot(page, 'analytics-usage');
  page.assertNoErrors();
  await page.context().close();
});
