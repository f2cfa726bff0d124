// One endpoint's deliveries, newest first: what was sent, whether it arrived (the endpoint's answer, or why not),
// how many attempts, and when the next one is due; a delivery can be sent again.
import { useId } from 'react';
import { DataTable } from '../../../components/DataTable';
import { ErrorText, QueryState } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useDeliveries, useRedeliver, type WebhookDelivery } from '../api/webhooks';

export function DeliveriesLog({ endpointId, url }: { endpointId: number; url: string }) {
  const { t, formatDateTime } = useI18n();
  const headingId = useId();
  const deliveries = useDeliveries(endpointId);
  const redeliver = useRedeliver(endpointId);
  const list = (deliveries.data?.data ?? []) as WebhookDelivery[];
  const statusText = (status: string) =>
    status === 'succeeded'
      ? t('webhooks.log.succeeded')
      : status === 'failed'
        ? t('webhooks.log.failed')
        : t('webhooks.log.pending');

  return (
    <section className="card webhook-log" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('webhooks.log.title', { url })}</h3>
      <QueryState query={deliveries} isEmpty={list.length === 0} empty={t('webhooks.log.empty')}>
        <DataTable
          columns={[
            t('webhooks.log.event'),
            t('webhooks.log.status'),
            t('webhooks.log.attempts'),
            t('webhooks.log.response'),
            t('webhooks.log.next'),
            t('webhooks.log.created'),
            t('webhooks.actions'),
          ]}
        >
          {list.map((delivery) => (
            <tr key={delivery.id}>
              <th scope="row">
                <code>{delivery.event_type}</code> <span className="muted">#{delivery.id}</span>
              </th>
              <td>
                <span className={`webhook-status webhook-status-${delivery.status}`}>
                  {statusText(delivery.status)}
                </span>
              </td>
              <td>{delivery.attempts}</td>
              <td>
                {delivery.response_status ?? ''}
                {delivery.last_error && <div className="error-text">{delivery.last_error}</div>}
              </td>
              <td>{delivery.next_attempt_at ? formatDateTime(delivery.next_attempt_at) : t('app.none')}</td>
              <td>{formatDateTime(delivery.created_at)}</td>
              <td>
                <button
                  type="button"
                  className="button"
                  disabled={redeliver.isPending}
                  aria-label={t('webhooks.log.redeliverNamed', { id: delivery.id })}
                  onClick={() => redeliver.mutate(delivery.id)}
                >
                  {t('webhooks.log.redeliver')}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      </QueryState>
      <ErrorText message={redeliver.error?.message} />
    </section>
  );
}
