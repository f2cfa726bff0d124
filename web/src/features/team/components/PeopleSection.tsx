// The tenant's people: their role (changed in place) and removal. Nobody acts above their own role, and the last
// owner can be neither demoted nor removed (the server refuses too; the controls say so first).
import { useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DataTable } from '../../../components/DataTable';
import { ErrorText, QueryState } from '../../../components/Status';
import type { Me, User } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useRemoveUser, useTeam, useUpdateUser } from '../api/users';

const kRoles = ['owner', 'admin', 'agent'] as const;

export function PeopleSection({ me }: { me: Me }) {
  const { t, code, formatDateTime } = useI18n();
  const team = useTeam();
  const update = useUpdateUser();
  const remove = useRemoveUser();
  const [removing, setRemoving] = useState<User | null>(null);
  const people = (team.data?.data ?? []) as User[];
  const owners = people.filter((user) => user.role === 'owner').length;
  const callerIsOwner = me.role === 'owner';

  // Why `user`'s role or membership cannot be changed by the caller, or null.
  const lockedReason = (user: User): string | null => {
    if (user.role === 'owner' && !callerIsOwner) return t('team.people.ownerOnly');
    if (user.role === 'owner' && owners <= 1) return t('team.people.lastOwner');
    return null;
  };

  return (
    <section aria-labelledby="team-people">
      <h2 id="team-people">{t('team.people.title')}</h2>
      <QueryState query={team}>
        <DataTable columns={[t('team.email'), t('team.name'), t('team.role'), t('team.lastLogin'), t('team.actions')]}>
          {people.map((user) => {
            const locked = lockedReason(user);
            return (
              <tr key={user.id}>
                <th scope="row">
                  {user.email}
                  {user.id === me.user?.id && <span className="muted"> {t('team.people.you')}</span>}
                </th>
                <td>{user.name || t('app.none')}</td>
                <td>
                  <select
                    aria-label={t('team.people.roleOf', { email: user.email })}
                    value={user.role}
                    disabled={locked !== null || update.isPending}
                    title={locked ?? undefined}
                    onChange={(event) => update.mutate({ id: user.id, update: { role: event.target.value as User['role'] } })}
                  >
                    {kRoles
                      .filter((role) => callerIsOwner || role !== 'owner' || user.role === 'owner')
                      .map((role) => (
                        <option key={role} value={role}>
                          {code('role', role)}
                        </option>
                      ))}
                  </select>
                </td>
                <td>{user.last_login_at ? formatDateTime(user.last_login_at) : t('team.never')}</td>
                <td>
                  <button
                    type="button"
                    className="button danger"
                    disabled={locked !== null}
                    title={locked ?? undefined}
                    onClick={() => setRemoving(user)}
                  >
                    {t('team.people.remove', { email: user.email })}
                  </button>
                </td>
              </tr>
            );
          })}
        </DataTable>
      </QueryState>
      <ErrorText message={(update.error ?? remove.error)?.message} />
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={t('team.people.removeTitle')}
        description={t('team.people.removeConfirm', { email: removing?.email ?? '' })}
        confirmLabel={t('team.people.removeButton')}
        onConfirm={() => removing && remove.mutate(removing.id)}
      />
    </section>
  );
}
