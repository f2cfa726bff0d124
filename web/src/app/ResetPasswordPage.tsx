// /reset-password?token=…: sets a new password with a one-time link (e-mailed, or printed by
// `parley user reset-password`), then sends the person to sign in.
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { LanguagePicker } from '../components/LanguagePicker';
import { api } from '../lib/api/client';
import { useI18n } from '../lib/i18n';

export function ResetPasswordPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation({
    mutationFn: (typed: string) => api.post('/api/auth/password-reset', { body: { token, password: typed } }),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMismatch(password !== repeated);
    if (password === repeated) reset.mutate(password);
  };

  return (
    <main className="sign-in" id="main">
      <form className="card sign-in-form" onSubmit={submit} aria-labelledby="reset-title">
        <h1 id="reset-title">{t('auth.reset.title')}</h1>
        {!token ? (
          <p className="error" role="alert">
            {t('auth.reset.noToken')}
          </p>
        ) : reset.isSuccess ? (
          <p role="status">{t('auth.reset.done')}</p>
        ) : (
          <>
            <label className="field">
              <span>{t('auth.reset.password')}</span>
              <input
                type="password"
                autoComplete="new-password"
                required
                minLength={8}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            </label>
            <label className="field">
              <span>{t('auth.reset.confirm')}</span>
              <input
                type="password"
                autoComplete="new-password"
                required
                minLength={8}
                value={repeated}
                onChange={(event) => setRepeated(event.target.value)}
              />
            </label>
            <p className="muted">{t('auth.passwordHint')}</p>
            {(mismatch || reset.error) && (
              <p className="error" role="alert">
                {mismatch ? t('auth.reset.mismatch') : reset.error?.message}
              </p>
            )}
            <button type="submit" className="button primary" disabled={reset.isPending}>
              {t('auth.reset.submit')}
            </button>
          </>
        )}
        <Link to="/sign-in">{t('auth.backToSignIn')}</Link>
        <LanguagePicker />
      </form>
    </main>
  );
}
