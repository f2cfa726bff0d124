// API keys for programs: created with a name and a role (at most the creator's), shown once with a copy button,
// listed by their prefix afterwards, revoked for good.
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DataTable } from '../../../components/DataTable';
import { SecretPanel } from '../../../components/SecretPanel';
import { ErrorText, QueryState } from '../../../components/Status';
import type { Me } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useApiKeys, useCreateApiKey, useRevokeApiKey, type ApiKey } from '../api/apiKeys';

export function ApiKeysSection({ me }: { me: Me }) {
  const { t, code, formatDateTime } = useI18n();
  const keys = useApiKeys();
  const create = useCreateApiKey();
  const revoke = useRevokeApiKey();
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiKey['role']>('admin');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name, role },
      {
        onSuccess: (answer) => {
          setName('');
          setCreated({ name: answer.name, key: answer.key });
        },
      },
    );
  };

  return (
    <section aria-labelledby="team-keys">
      <h2 id="team-keys">{t('team.keys.title')}</h2>
      <form className="row wrap" onSubmit={submit} aria-label={t('team.keys.form')}>
        <label className="field">
          <span>{t('team.keys.name')}</span>
          <input required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label className="field">
          <span>{t('team.role')}</span>
          <select value={role} onChange={(event) => setRole(event.target.value as ApiKey['role'])}>
            {(['admin', 'agent', 'owner'] as const)
              .filter((option) => me.role === 'owner' || option !== 'owner')
              .map((option) => (
                <option key={option} value={option}>
                  {code('role', option)}
                </option>
              ))}
          </select>
        </label>
        <button type="submit" className="button primary" disabled={create.isPending}>
          {t('team.keys.create')}
        </button>
      </form>
      {created && (
        <SecretPanel
          label={t('team.keys.newKey', { name: created.name })}
          note={t('team.keys.shownOnce')}
          value={created.key}
          copyLabel={t('team.keys.copy')}
          done={{ label: t('team.keys.done'), onDone: () => setCreated(null) }}
        />
      )}
      <ErrorText message={(create.error ?? revoke.error)?.message} />
      <QueryState query={keys}>
        <DataTable
          caption={t('team.keys.title')}
          columns={[
            t('team.keys.name'),
            t('team.keys.prefix'),
            t('team.role'),
            t('team.keys.created'),
            t('team.keys.lastUsed'),
            t('team.actions'),
          ]}
        >
          {(keys.data?.data ?? []).map((key: ApiKey) => (
            <tr key={key.id}>
              <th scope="row">{key.name}</th>
              <td>
                <code>{key.prefix}…</code>
              </td>
              <td>{code('role', key.role)}</td>
              <td>{formatDateTime(key.created_at)}</td>
              <td>{key.last_used_at ? formatDateTime(key.last_used_at) : t('team.never')}</td>
              <td>
                <button type="button" className="button danger" onClick={() => setRevoking(key)}>
                  {t('team.keys.revoke', { name: key.name })}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      </QueryState>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={t('team.keys.revokeTitle')}
        description={t('team.keys.revokeConfirm', { name: revoking?.name ?? '' })}
        confirmLabel={t('team.keys.revokeButton')}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      />
    </section>
  );
}
