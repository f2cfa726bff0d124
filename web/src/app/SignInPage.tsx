import { useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { ErrorText } from '../components/Status';
import { useI18n } from '../lib/i18n';
import { useMe, useSignIn } from '../lib/session';
import { PublicForm, SubmitButton, TextField } from './PublicForm';

export function SignInPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const me = useMe();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const next = (location.state as { from?: string } | null)?.from ?? '/inbox';

  if (me.data) return <Navigate to={next} replace />;

  return (
    <PublicForm
      title={t('signIn.title')}
      onSubmit={() => signIn.mutate({ email, password }, { onSuccess: () => navigate(next, { replace: true }) })}
      footer={<Link to="/forgot-password">{t('auth.forgotLink')}</Link>}
    >
      <TextField label={t('signIn.email')} type="email" autoComplete="username" required value={email} onValue={setEmail} />
      <TextField
        label={t('signIn.password')}
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onValue={setPassword}
      />
      <ErrorText message={signIn.error?.message} />
      <SubmitButton pending={signIn.isPending}>{signIn.isPending ? t('signIn.submitting') : t('signIn.submit')}</SubmitButton>
    </PublicForm>
  );
}
