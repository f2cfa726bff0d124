import { ErrorMessage, Loading } from '../../../components/Status';
import { ApiError } from '../../../lib/api/client';
import type { User } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useTeam } from '../api/users';

export function TeamPage() {
  const { t, code, formatDateTime } = useI18n();
  const team = useTeam();
  const list = (team.data?.data ?? []) as User[];
  return (
    <div className="page">
      <h1>{t('team.title')}</h1>
      {team.isPending ? (
        <Loading />
      ) : team.error instanceof ApiError && team.error.status === 403 ? (
        <p className="muted">{t('team.forbidden')}</p>
      ) : team.error ? (
        <ErrorMessage error={team.error} onRetry={() => void team.refetch()} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('team.email')}</th>
                <th scope="col">{t('team.name')}</th>
                <th scope="col">{t('team.role')}</th>
                <th scope="col">{t('team.lastLogin')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((user) => (
                <tr key={user.id}>
                  <th scope="row">{user.email}</th>
                  <td>{user.name || t('app.none')}</td>
                  <td>{code('role', user.role)}</td>
                  <td>{user.last_login_at ? formatDateTime(user.last_login_at) : t('team.never')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
