// Signing in and finding one's way, as a person does: the sign-in form, the navigation to every page (with a
// screenshot of each), signing out, and the same in French.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, OWNER, screenshot, signIn, useDashboard } from './harness.mjs';

// The navigation links the contract names, in English and French.
const PAGES = [
  { en: 'Inbox', fr: 'Boîte de réception', path: '/inbox' },
  { en: 'Contacts', fr: 'Contacts', path: '/contacts' },
  { en: 'Knowledge', fr: 'Connaissances', path: '/knowledge' },
  { en: 'AI studio', fr: 'Studio IA', path: '/ai-studio' },
  { en: 'Channels', fr: 'Canaux', path: '/channels' },
  { en: 'Analytics', fr: 'Statistiques', path: '/analytics' },
  { en: 'Billing', fr: 'Facturation', path: '/billing' },
  { en: 'Team', fr: 'Équipe', path: '/team' },
];

// The fake Graph API, Parley and Chromium, started once for this file's tests.
const env = useDashboard();

test('a wrong password is refused on the form, the right one opens the inbox', async () => {
  const page = await openPage(env.browser);
  // The refused sign-in is a 401 the browser reports in its console.
  page.allowErrors(/status of 401/);
  await page.goto(env.parley.url + '/');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await screenshot(page, 'sign-in');

  await page.getByRole('textbox', { name: 'Email' }).fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Inbox' }).count(), 0);

  await signIn(page, env.parley);
  assert.match(new URL(page.url()).pathname, /^\/inbox/);
  // The session is a cookie the page's scripts cannot read.
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'parley_session');
  assert.ok(session, 'a parley_session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  assert.equal(await page.evaluate(() => document.cookie.includes('parley_session')), false);
  page.assertNoErrors();
  await page.context().close();
});

test('every navigation link opens its page, and a reload keeps the person signed in', async () => {
  const page = await openPage(env.browser);
  await signIn(page, env.parley);
  for (const { en, path } of PAGES) {
    await page.getByRole('link', { name: en }).click();
    await page.waitForURL((url) => url.pathname.startsWith(path));
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await screenshot(page, path.slice(1));
  }
  await page.reload();
  await page.getByRole('link', { name: 'Inbox' }).waitFor();
  page.assertNoErrors();
  await page.context().close();
});

test('the interface speaks French to a French browser', async () => {
  const page = await openPage(env.browser, { locale: 'fr-FR' });
  await page.goto(env.parley.url + '/');
  await page.getByRole('textbox', { name: 'E-mail' }).fill(OWNER.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(OWNER.password);
  await screenshot(page, 'sign-in-fr');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  for (const { fr } of PAGES) await page.getByRole('link', { name: fr, exact: true }).waitFor();
  await screenshot(page, 'inbox-fr');
  page.assertNoErrors();
  await page.context().close();
});
