// /accept-invite?token=…: says what the invitation is for (or why it cannot be accepted any more), takes a name and a
// password, creates the account and signs in, then opens the inbox.
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorMessage, ErrorText, Loading } from '../components/Status';
import { ApiError, api, setCsrfToken } from '../lib/api/client';
import { queryKeys } from '../lib/api/keys';
import { useI18n } from '../lib/i18n';
import { fetchMe } from '../lib/session';
import { NewPasswordField, PublicForm, SubmitButton, TextField } from './PublicForm';

export function AcceptInvitePage() {
  const { t, code } = useI18n();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const lookup = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.post('/api/invitations/lookup', { body: { token } }),
    enabled: token !== '',
    retry: false,
  });
  const accept = useMutation({
    mutationFn: () => api.post('/api/invitations/accept', { body: { token, name, password } }),
    onSuccess: async (answer) => {
      setCsrfToken(answer.csrf_token);
      client.removeQueries();
      await client.fetchQuery({ queryKey: queryKeys.me, queryFn: fetchMe });
      navigate('/inbox', { replace: true });
    },
  });

  const invitation = lookup.data;
  let refusal: string | null = null;
  if (!token || (lookup.error instanceof ApiError && lookup.error.status === 404)) refusal = t('auth.invite.unknown');
  else if (invitation?.status === 'expired') refusal = t('auth.invite.expired');
  else if (invitation?.status === 'accepted') refusal = t('auth.invite.accepted');
  else if (invitation?.status === 'revoked') refusal = t('auth.invite.revoked');
  else if (invitation?.email_taken) refusal = t('auth.invite.taken', { email: invitation.email });

  return (
    <PublicForm
      title={t('auth.invite.title', { tenant: invitation?.tenant_name ?? 'Parley' })}
      onSubmit={() => accept.mutate()}
      footer={<Link to="/sign-in">{t('auth.backToSignIn')}</Link>}
    >
      {refusal ? (
        <ErrorText message={refusal} />
      ) : lookup.isPending ? (
        <Loading />
      ) : lookup.error ? (
        <ErrorMessage error={lookup.error} onRetry={() => void lookup.refetch()} />
      ) : (
        <>
          <p>{t('auth.invite.as', { role: code('role', invitation?.role), email: invitation?.email ?? '' })}</p>
          <TextField label={t('auth.invite.name')} autoComplete="name" maxLength={200} value={name} onValue={setName} />
          <NewPasswordField label={t('auth.invite.password')} value={password} onValue={setPassword} />
          <p className="muted">{t('auth.passwordHint')}</p>
          <ErrorText message={accept.error?.message} />
          <SubmitButton pending={accept.isPending}>{t('auth.invite.submit')}</SubmitButton>
        </>
      )}
    </PublicForm>
  );
}
