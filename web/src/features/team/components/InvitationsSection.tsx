// Invitations: the form, and the list with each e-mail's state, resend and revoke. Without e-mail (no SMTP) the
// answer to an invitation or a resend carries the link, shown once here to copy and hand over.
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DataTable } from '../../../components/DataTable';
import { SecretPanel } from '../../../components/SecretPanel';
import { ErrorText, QueryState } from '../../../components/Status';
import type { Me } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useInvitations, useInvite, useResendInvitation, useRevokeInvitation, type Invitation } from '../api/invitations';

const kLanguages = ['en', 'fr'] as const;

export function InvitationsSection({ me }: { me: Me }) {
  const { t, code, language, formatDateTime } = useI18n();
  const invitations = useInvitations();
  const invite = useInvite();
  const resend = useResendInvitation();
  const revoke = useRevokeInvitation();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Invitation['role']>('agent');
  const [mailLanguage, setMailLanguage] = useState(kLanguages.includes(language as 'en') ? language : 'en');
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const emailEnabled = invitations.data?.email_enabled ?? false;

  const showLink = (answer: Invitation) => setLink(answer.link ? { email: answer.email, url: answer.link } : null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate(
      { email, role, language: mailLanguage },
      {
        onSuccess: (answer) => {
          setEmail('');
          showLink(answer);
        },
      },
    );
  };

  const delivery = (invitation: Invitation) => {
    const mail = invitation.email_delivery;
    if (!mail) return t('team.invitations.noEmail');
    if (mail.status === 'sent') return t('team.invitations.sent', { when: mail.sent_at ? formatDateTime(mail.sent_at) : '' });
    if (mail.status === 'failed') return t('team.invitations.failed', { error: mail.last_error ?? '' });
    return mail.attempts > 0
      ? t('team.invitations.retrying', { attempts: mail.attempts, error: mail.last_error ?? '' })
      : t('team.invitations.queued');
  };

  const pending = (invitations.data?.data ?? []).filter(
    (invitation: Invitation) => invitation.status === 'pending' || invitation.status === 'expired',
  );

  return (
    <section aria-labelledby="team-invitations">
      <h2 id="team-invitations">{t('team.invitations.title')}</h2>
      <form className="row wrap" onSubmit={submit} aria-label={t('team.invitations.form')}>
        <label className="field">
          <span>{t('team.invitations.email')}</span>
          <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label className="field">
          <span>{t('team.role')}</span>
          <select value={role} onChange={(event) => setRole(event.target.value as Invitation['role'])}>
            {(['agent', 'admin', 'owner'] as const)
              .filter((option) => me.role === 'owner' || option !== 'owner')
              .map((option) => (
                <option key={option} value={option}>
                  {code('role', option)}
                </option>
              ))}
          </select>
        </label>
        <label className="field">
          <span>{t('team.invitations.language')}</span>
          <select value={mailLanguage} onChange={(event) => setMailLanguage(event.target.value)}>
            {kLanguages.map((option) => (
              <option key={option} value={option}>
                {t(option === 'fr' ? 'team.language.fr' : 'team.language.en')}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button primary" disabled={invite.isPending}>
          {t('team.invitations.invite')}
        </button>
      </form>
      {!invitations.isPending && !emailEnabled && <p className="muted">{t('team.invitations.noSmtp')}</p>}
      {link && (
        <SecretPanel
          label={t('team.invitations.linkFor', { email: link.email })}
          value={link.url}
          copyLabel={t('team.invitations.copyLink')}
        />
      )}
      <ErrorText message={(invite.error ?? resend.error ?? revoke.error)?.message} />
      <QueryState query={invitations} isEmpty={pending.length === 0} empty={t('team.invitations.none')}>
        <DataTable
          caption={t('team.invitations.pending')}
          columns={[
            t('team.email'),
            t('team.role'),
            t('team.invitations.state'),
            t('team.invitations.expires'),
            t('team.actions'),
          ]}
        >
          {pending.map((invitation: Invitation) => (
            <tr key={invitation.id}>
              <th scope="row">{invitation.email}</th>
              <td>{code('role', invitation.role)}</td>
              <td>{invitation.status === 'expired' ? t('team.invitations.expired') : delivery(invitation)}</td>
              <td>{formatDateTime(invitation.expires_at)}</td>
              <td className="row">
                <button
                  type="button"
                  className="button"
                  disabled={resend.isPending}
                  onClick={() => resend.mutate(invitation.id, { onSuccess: showLink })}
                >
                  {t('team.invitations.resend', { email: invitation.email })}
                </button>
                <button type="button" className="button danger" onClick={() => setRevoking(invitation)}>
                  {t('team.invitations.revoke', { email: invitation.email })}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      </QueryState>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={t('team.invitations.revokeTitle')}
        description={t('team.invitations.revokeConfirm', { email: revoking?.email ?? '' })}
        confirmLabel={t('team.invitations.revokeButton')}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      />
    </section>
  );
}
