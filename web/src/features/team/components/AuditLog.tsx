// The audit log, newest first, a page at a time ("Load more").
import { ErrorMessage, Loading } from '../../../components/Status';
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
      {audit.isPending ? (
        <Loading />
      ) : audit.error ? (
        <ErrorMessage error={audit.error} onRetry={() => void audit.refetch()} />
      ) : entries.length === 0 ? (
        <p className="muted">{t('team.audit.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('team.audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('team.audit.when')}</th>
                <th scope="col">{t('team.audit.actor')}</th>
                <th scope="col">{t('team.audit.action')}</th>
                <th scope="col">{t('team.audit.target')}</th>
                <th scope="col">{t('team.audit.details')}</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      )}
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
