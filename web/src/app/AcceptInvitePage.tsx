// /accept-invite?token=…: says what the invitation is for (or why it cannot be accepted any more), takes a name and a
// password, creates the account and signs in, then opens the inbox.
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { LanguagePicker } from '../components/LanguagePicker';
import { ErrorMessage, Loading } from '../components/Status';
import { ApiError, api, setCsrfToken } from '../lib/api/client';
import { queryKeys } from '../lib/api/keys';
import { useI18n } from '../lib/i18n';
import { fetchMe } from '../lib/session';

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

  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate();
  };

  const invitation = lookup.data;
  let refusal: string | null = null;
  if (!token || (lookup.error instanceof ApiError && lookup.error.status === 404)) refusal = t('auth.invite.unknown');
  else if (invitation?.status === 'expired') refusal = t('auth.invite.expired');
  else if (invitation?.status === 'accepted') refusal = t('auth.invite.accepted');
  else if (invitation?.status === 'revoked') refusal = t('auth.invite.revoked');
  else if (invitation?.email_taken) refusal = t('auth.invite.taken', { email: invitation.email });

  return (
    <main className="sign-in" id="main">
      <form className="card sign-in-form" onSubmit={submit} aria-labelledby="invite-title">
        <h1 id="invite-title">{t('auth.invite.title', { tenant: invitation?.tenant_name ?? 'Parley' })}</h1>
        {refusal ? (
          <p className="error" role="alert">
            {refusal}
          </p>
        ) : lookup.isPending ? (
          <Loading />
        ) : lookup.error ? (
          <ErrorMessage error={lookup.error} onRetry={() => void lookup.refetch()} />
        ) : (
          <>
            <p>{t('auth.invite.as', { role: code('role', invitation?.role), email: invitation?.email ?? '' })}</p>
            <label className="field">
              <span>{t('auth.invite.name')}</span>
              <input autoComplete="name" maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
            </label>
            <label className="field">
              <span>{t('auth.invite.password')}</span>
              <input
                type="password"
                autoComplete="new-password"
                required
                minLength={8}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            </label>
            <p className="muted">{t('auth.passwordHint')}</p>
            {accept.error && (
              <p className="error" role="alert">
                {accept.error.message}
              </p>
            )}
            <button type="submit" className="button primary" disabled={accept.isPending}>
              {t('auth.invite.submit')}
            </button>
          </>
        )}
        <Link to="/sign-in">{t('auth.backToSignIn')}</Link>
        <LanguagePicker />
      </form>
    </main>
  );
}
