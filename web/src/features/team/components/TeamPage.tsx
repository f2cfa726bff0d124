// The Team page: one's own e-mail preferences, then, for owners and admins, people and roles, invitations, API keys
// and the audit log.
import { Loading } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useMe } from '../../../lib/session';
import { ApiKeysSection } from './ApiKeysSection';
import { AuditLog } from './AuditLog';
import { EmailPreferences } from './EmailPreferences';
import { InvitationsSection } from './InvitationsSection';
import { PeopleSection } from './PeopleSection';

export function TeamPage() {
  const { t } = useI18n();
  const me = useMe();
  if (!me.data) return <Loading />;
  const admin = me.data.role === 'owner' || me.data.role === 'admin';
  return (
    <div className="page">
      <h1>{t('team.title')}</h1>
      <EmailPreferences me={me.data} />
      {admin ? (
        <>
          <PeopleSection me={me.data} />
          <InvitationsSection me={me.data} />
          <ApiKeysSection me={me.data} />
          <AuditLog />
        </>
      ) : (
        <p className="muted">{t('team.forbidden')}</p>
      )}
    </div>
  );
}
