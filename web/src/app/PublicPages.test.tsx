import { configure, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, me, renderPage } from '../test/utils';
import { AcceptInvitePage } from './AcceptInvitePage';
import { ForgotPasswordPage } from './ForgotPasswordPage';
import { ResetPasswordPage } from './ResetPasswordPage';

const lookup = {
  email: 'cleo@shop.test',
  role: 'agent',
  language: 'en',
  tenant_name: 'Shop',
  status: 'pending',
  email_taken: false,
  expires_at: '2026-12-13T10:00:00.000Z',
};

afterEach(() => vi.unstubAllGlobals());
// Generous waits: a page's first render pays for its imports, which is slow on a loaded machine.
configure({ asyncUtilTimeout: 8000 });

describe('AcceptInvitePage', { timeout: 20000 }, () => {
  it('creates the account with the invitation and signs in', async () => {
    let signedIn = false;
    const { calls } = fakeApi({
      'POST /api/invitations/lookup': lookup,
      'POST /api/invitations/accept': () => {
        signedIn = true;
        return { status: 201, body: { token: 't', token_type: 'Bearer', csrf_token: 'csrf-2', user: me.user } };
      },
      'GET /api/auth/me': () => (signedIn ? me : { status: 401, body: { error: { code: 'unauthenticated', message: '' } } }),
    });
    renderPage(<AcceptInvitePage />, { route: '/accept-invite?token=pri_abc', path: '/accept-invite' });
    expect(await screen.findByRole('heading', { name: 'Join Shop on Parley' })).toBeInTheDocument();
    expect(screen.getByText(/cleo@shop.test/)).toBeInTheDocument();
    await userEvent.type(screen.getByRole('textbox', { name: 'Your name' }), 'Cleo');
    await userEvent.type(screen.getByLabelText('Choose a password'), 'cleo-password');
    await userEvent.click(screen.getByRole('button', { name: 'Join' }));
    expect(await screen.findByText('elsewhere')).toBeInTheDocument();
    expect(calls.find((call) => call.path === '/api/invitations/accept')?.body).toEqual({
      token: 'pri_abc',
      name: 'Cleo',
      password: 'cleo-password',
    });
  });

  it.each([
    [{ ...lookup, status: 'expired' }, 'This invitation has expired. Ask for a new one.'],
    [{ ...lookup, status: 'accepted' }, 'This invitation was already used. Sign in instead.'],
    [{ ...lookup, status: 'revoked' }, 'This invitation was revoked.'],
    [{ ...lookup, email_taken: true }, 'An account already uses cleo@shop.test. Sign in instead.'],
  ])('says why an invitation cannot be accepted', async (answer, why) => {
    fakeApi({ 'POST /api/invitations/lookup': answer });
    renderPage(<AcceptInvitePage />, { route: '/accept-invite?token=pri_abc', path: '/accept-invite' });
    expect(await screen.findByRole('alert')).toHaveTextContent(why);
    expect(screen.queryByRole('button', { name: 'Join' })).not.toBeInTheDocument();
  });

  it('says an unknown link is unknown, in French too', async () => {
    fakeApi({ 'POST /api/invitations/lookup': { status: 404, body: { error: { code: 'not_found', message: 'unknown' } } } });
    renderPage(<AcceptInvitePage />, { route: '/accept-invite?token=pri_zzz', path: '/accept-invite', language: 'fr' });
    expect(await screen.findByRole('alert')).toHaveTextContent('Ce lien d’invitation est inconnu. Demandez-en un nouveau.');
  });
});

describe('ForgotPasswordPage', { timeout: 20000 }, () => {
  it('asks for a link and answers the same whatever the address', async () => {
    const { calls } = fakeApi({ 'POST /api/auth/forgot-password': { status: 202, body: {} } });
    renderPage(<ForgotPasswordPage />, { route: '/forgot-password', path: '/forgot-password' });
    await userEvent.type(screen.getByRole('textbox', { name: 'Email' }), 'ana@shop.test');
    await userEvent.click(screen.getByRole('button', { name: 'Send me a link' }));
    expect(await screen.findByRole('status')).toHaveTextContent('If ana@shop.test belongs to an account');
    expect(calls[0]?.body).toEqual({ email: 'ana@shop.test' });
    expect(screen.getByRole('link', { name: 'Back to sign-in' })).toHaveAttribute('href', '/sign-in');
  });
});

describe('ResetPasswordPage', { timeout: 20000 }, () => {
  it('refuses two different passwords, then sets the new one', async () => {
    const { calls } = fakeApi({ 'POST /api/auth/password-reset': { status: 204, body: null } });
    renderPage(<ResetPasswordPage />, { route: '/reset-password?token=prr_abc', path: '/reset-password' });
    await userEvent.type(screen.getByLabelText('New password'), 'new-password-1');
    await userEvent.type(screen.getByLabelText('Repeat the new password'), 'new-password-2');
    await userEvent.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The two passwords differ.');
    expect(calls).toHaveLength(0);

    await userEvent.clear(screen.getByLabelText('Repeat the new password'));
    await userEvent.type(screen.getByLabelText('Repeat the new password'), 'new-password-1');
    await userEvent.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Your password is set.');
    expect(calls[0]?.body).toEqual({ token: 'prr_abc', password: 'new-password-1' });
  });

  it('shows why a used link is refused', async () => {
    fakeApi({
      'POST /api/auth/password-reset': {
        status: 400,
        body: { error: { code: 'invalid_argument', message: 'this password reset link is unknown, used or expired' } },
      },
    });
    renderPage(<ResetPasswordPage />, { route: '/reset-password?token=prr_old', path: '/reset-password' });
    await userEvent.type(screen.getByLabelText('New password'), 'new-password-1');
    await userEvent.type(screen.getByLabelText('Repeat the new password'), 'new-password-1');
    await userEvent.click(screen.getByRole('button', { name: 'Set password' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('unknown, used or expired'));
  });
});
