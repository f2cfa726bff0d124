// /forgot-password: asks for a reset link by e-mail. The answer is the same whether or not the address has an
// account (the server says 202 either way), so the page says "if".
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { LanguagePicker } from '../components/LanguagePicker';
import { api } from '../lib/api/client';
import { useI18n } from '../lib/i18n';

export function ForgotPasswordPage() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const ask = useMutation({ mutationFn: (address: string) => api.post('/api/auth/forgot-password', { body: { email: address } }) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    ask.mutate(email);
  };

  return (
    <main className="sign-in" id="main">
      <form className="card sign-in-form" onSubmit={submit} aria-labelledby="forgot-title">
        <h1 id="forgot-title">{t('auth.forgot.title')}</h1>
        {ask.isSuccess ? (
          <p role="status">{t('auth.forgot.sent', { email: ask.variables ?? email })}</p>
        ) : (
          <>
            <p className="muted">{t('auth.forgot.intro')}</p>
            <label className="field">
              <span>{t('signIn.email')}</span>
              <input
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(event) => setEmail(event.target.value)}
              />
            </label>
            {ask.error && (
              <p className="error" role="alert">
                {ask.error.message}
              </p>
            )}
            <button type="submit" className="button primary" disabled={ask.isPending}>
              {t('auth.forgot.submit')}
            </button>
          </>
        )}
        <Link to="/sign-in">{t('auth.backToSignIn')}</Link>
        <LanguagePicker />
      </form>
    </main>
  );
}
