import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, me, renderPage } from '../test/utils';
import { SignInPage } from './SignInPage';

describe('SignInPage', () => {
  it('signs in with email and password and goes to the inbox', async () => {
    let signedIn = false;
    const { calls } = fakeApi({
      'GET /api/auth/me': () => (signedIn ? me : { status: 401, body: { error: { code: 'unauthenticated', message: 'no session' } } }),
      'POST /api/auth/login': () => {
        signedIn = true;
        return { token: 't', csrf_token: 'csrf-1', user: me.user };
      },
    });
    renderPage(<SignInPage />, { route: '/sign-in', path: '/sign-in' });

    await userEvent.type(await screen.findByRole('textbox', { name: 'Email' }), 'ana@shop.test');
    await userEvent.type(screen.getByLabelText('Password'), 'secret');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('elsewhere')).toBeInTheDocument();
    const login = calls.find((call) => call.method === 'POST' && call.path === '/api/auth/login');
    expect(login?.body).toEqual({ email: 'ana@shop.test', password: 'secret' });
  });

  it('shows why the sign-in failed', async () => {
    fakeApi({
      'GET /api/auth/me': { status: 401, body: { error: { code: 'unauthenticated', message: 'no session' } } },
      'POST /api/auth/login': { status: 401, body: { error: { code: 'unauthenticated', message: 'wrong email or password' } } },
    });
    renderPage(<SignInPage />, { route: '/sign-in', path: '/sign-in' });
    await userEvent.type(await screen.findByRole('textbox', { name: 'Email' }), 'ana@shop.test');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('wrong email or password');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled());
  });

  it('is labelled from the French catalog in French', async () => {
    fakeApi({ 'GET /api/auth/me': { status: 401, body: { error: { code: 'unauthenticated', message: '' } } } });
    renderPage(<SignInPage />, { route: '/sign-in', path: '/sign-in', language: 'fr' });
    expect(await screen.findByRole('textbox', { name: 'E-mail' })).toBeInTheDocument();
    expect(screen.getByLabelText('Mot de passe')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Se connecter' })).toBeInTheDocument();
  });
});
