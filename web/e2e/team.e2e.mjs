// Bringing a person in, as people do: the owner invites an address on the Team page (no SMTP here, so the page gives
// the link to copy), the invitee opens the link in another browser, chooses a password and lands in the inbox,
// signed in as themselves.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, screenshot, signIn, useDashboard } from './harness.mjs';

const env = useDashboard();

test('an invitation link accepted in another browser signs the new person in', async () => {
  const owner = await openPage(env.browser);
  await signIn(owner, env.parley);
  await owner.getByRole('link', { name: 'Team' }).click();
  await owner.getByRole('textbox', { name: 'Email address to invite' }).fill('new.agent@e2e.test');
  await owner.getByRole('button', { name: 'Invite' }).click();
  const region = owner.getByRole('region', { name: 'Invitation link for new.agent@e2e.test' });
  await region.waitFor();
  const link = (await region.locator('code').textContent()).trim();
  assert.match(link, /\/accept-invite\?token=pri_/);
  await owner.getByRole('rowheader', { name: 'new.agent@e2e.test' }).waitFor();
  await screenshot(owner, 'team');
  owner.assertNoErrors();

  const invitee = await openPage(env.browser);
  // The test's server listens on port 0 without PARLEY_PUBLIC_URL, so the link's origin names port 0: follow its
  // path on the address the server actually took.
  const invitation = new URL(link);
  const reachable = env.parley.url + invitation.pathname + invitation.search;
  await invitee.goto(reachable);
  await invitee.getByRole('heading', { name: /^Join .* on Parley$/ }).waitFor();
  await invitee.getByRole('textbox', { name: 'Your name' }).fill('Nadia Agent');
  await invitee.getByLabel('Choose a password').fill('nadia-password-1');
  await screenshot(invitee, 'accept-invite');
  await invitee.getByRole('button', { name: 'Join' }).click();
  await invitee.getByRole('link', { name: 'Inbox' }).waitFor();
  assert.match(new URL(invitee.url()).pathname, /^\/inbox/);
  const me = await invitee.evaluate(async () => (await fetch('/api/auth/me')).json());
  assert.equal(me.user.email, 'new.agent@e2e.test');
  assert.equal(me.role, 'agent');
  invitee.assertNoErrors();

  // The link works once: opened again, it says so.
  const again = await openPage(env.browser);
  await again.goto(reachable);
  await again.getByText('This invitation was already used. Sign in instead.').waitFor();
  again.assertNoErrors();
  for (const page of [owner, invitee, again]) await page.context().close();
});
