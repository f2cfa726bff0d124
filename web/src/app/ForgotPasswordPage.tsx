// /forgot-password: asks for a reset link by e-mail. The answer is the same whether or not the address has an
// account (the server says 202 either way), so the page says "if".
import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { ErrorText } from '../components/Status';
import { api } from '../lib/api/client';
import { useI18n } from '../lib/i18n';
import { PublicForm, SubmitButton, TextField } from './PublicForm';

export function ForgotPasswordPage() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const ask = useMutation({ mutationFn: (address: string) => api.post('/api/auth/forgot-password', { body: { email: address } }) });

  return (
    <PublicForm
      title={t('auth.forgot.title')}
      onSubmit={() => ask.mutate(email)}
      footer={<Link to="/sign-in">{t('auth.backToSignIn')}</Link>}
    >
      {ask.isSuccess ? (
        <p role="status">{t('auth.forgot.sent', { email: ask.variables ?? email })}</p>
      ) : (
        <>
          <p className="muted">{t('auth.forgot.intro')}</p>
          <TextField label={t('signIn.email')} type="email" autoComplete="username" required value={email} onValue={setEmail} />
          <ErrorText message={ask.error?.message} />
          <SubmitButton pending={ask.isPending}>{t('auth.forgot.submit')}</SubmitButton>
        </>
      )}
    </PublicForm>
  );
}
