// The audit log, newest first, a page at a time ("Load more").
import { DataTable } from '../../../components/DataTable';
import { QueryState } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useAuditLog, type AuditEntry } from '../api/audit';

function Details({ details }: { details: AuditEntry['details'] }) {
  if (!details || typeof details !== 'object') return null;
  const entries = Object.entries(details as Record<string, unknown>);
  return <span className="muted">{entries.map(([key, value]) => `${key}: ${String(value)}`).join(', ')}</span>;
}

export function AuditLog() {
  const { t, formatDateTime } = useI18n();
  const audit = useAuditLog();
  const entries = (audit.data?.pages ?? []).flatMap((page) => page.data as AuditEntry[]);
  return (
    <section aria-labelledby="team-audit">
      <h2 id="team-audit">{t('team.audit.title')}</h2>
      <QueryState query={audit} isEmpty={entries.length === 0} empty={t('team.audit.empty')}>
        <DataTable
          caption={t('team.audit.title')}
          columns={[
            t('team.audit.when'),
            t('team.audit.actor'),
            t('team.audit.action'),
            t('team.audit.target'),
            t('team.audit.details'),
          ]}
        >
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td>{formatDateTime(entry.created_at)}</td>
              <td>{entry.actor}</td>
              <th scope="row">{entry.action}</th>
              <td>
                {entry.target_type} {entry.target_id}
              </td>
              <td>
                <Details details={entry.details} />
              </td>
            </tr>
          ))}
        </DataTable>
      </QueryState>
      {audit.hasNextPage && (
        <button
          type="button"
          className="button"
          disabled={audit.isFetchingNextPage}
          onClick={() => void audit.fetchNextPage()}
        >
          {audit.isFetchingNextPage ? t('app.loading') : t('team.audit.more')}
        </button>
      )}
    </section>
  );
}
