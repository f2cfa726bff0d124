// /reset-password?token=…: sets a new password with a one-time link (e-mailed, or printed by
// `parley user reset-password`), then sends the person to sign in.
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { ErrorText } from '../components/Status';
import { api } from '../lib/api/client';
import { useI18n } from '../lib/i18n';
import { NewPasswordField, PublicForm, SubmitButton } from './PublicForm';

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

  const submit = () => {
    setMismatch(password !== repeated);
    if (password === repeated) reset.mutate(password);
  };

  return (
    <PublicForm title={t('auth.reset.title')} onSubmit={submit} footer={<Link to="/sign-in">{t('auth.backToSignIn')}</Link>}>
      {!token ? (
        <ErrorText message={t('auth.reset.noToken')} />
      ) : reset.isSuccess ? (
        <p role="status">{t('auth.reset.done')}</p>
      ) : (
        <>
          <NewPasswordField label={t('auth.reset.password')} value={password} onValue={setPassword} />
          <NewPasswordField label={t('auth.reset.confirm')} value={repeated} onValue={setRepeated} />
          <p className="muted">{t('auth.passwordHint')}</p>
          <ErrorText message={mismatch ? t('auth.reset.mismatch') : reset.error?.message} />
          <SubmitButton pending={reset.isPending}>{t('auth.reset.submit')}</SubmitButton>
        </>
      )}
    </PublicForm>
  );
}
