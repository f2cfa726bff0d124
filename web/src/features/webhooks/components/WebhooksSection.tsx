// The Team page's "Webhooks" section: the endpoints Parley POSTs the tenant's events to (docs/webhooks.md). Add one
// (URL and events), see its signing secret once with a copy button, enable or disable it, send a test event, rotate
// its secret, delete it, and open its deliveries log. Owners and admins only (the API answers 403 to agents).
import { useId, useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DataTable } from '../../../components/DataTable';
import { SecretPanel } from '../../../components/SecretPanel';
import { ErrorText, QueryState } from '../../../components/Status';
import { UrlField } from '../../../components/UrlField';
import { ApiError } from '../../../lib/api/client';
import { useI18n } from '../../../lib/i18n';
import {
  eventTypes,
  useCreateEndpoint,
  useDeleteEndpoint,
  useEndpoints,
  usePing,
  useRotateSecret,
  useUpdateEndpoint,
  type WebhookEndpoint,
} from '../api/webhooks';
import { DeliveriesLog } from './DeliveriesLog';
import './webhooks.css';

function AddEndpointForm({ onCreated }: { onCreated: (url: string, secret: string) => void }) {
  const { t } = useI18n();
  const headingId = useId();
  const create = useCreateEndpoint();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([...eventTypes]);

  const toggle = (type: string, on: boolean) =>
    setEvents((current) => (on ? [...current, type] : current.filter((item) => item !== type)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = { url: url.trim(), events: eventTypes.filter((type) => events.includes(type)), description };
    create.mutate(body, {
      onSuccess: (created) => {
        onCreated(created.url, created.secret);
        setUrl('');
        setDescription('');
        setEvents([...eventTypes]);
      },
    });
  };

  return (
    <form className="webhook-form" aria-labelledby={headingId} onSubmit={submit}>
      <h3 id={headingId}>{t('webhooks.add.title')}</h3>
      <UrlField label={t('webhooks.add.url')} value={url} onValue={setUrl} />
      <label className="field">
        {t('webhooks.add.description')}
        <input value={description} onChange={(event) => setDescription(event.target.value)} maxLength={500} />
      </label>
      <fieldset className="webhook-events">
        <legend>{t('webhooks.add.events')}</legend>
        {eventTypes.map((type) => (
          <label key={type} className="row">
            <input
              type="checkbox"
              checked={events.includes(type)}
              onChange={(event) => toggle(type, event.target.checked)}
            />
            <code>{type}</code>
          </label>
        ))}
      </fieldset>
      <div className="row">
        <button type="submit" className="button primary" disabled={create.isPending || events.length === 0}>
          {t('webhooks.add.submit')}
        </button>
      </div>
      {events.length === 0 && <p className="muted">{t('webhooks.add.noEvents')}</p>}
      {create.error && (
        <p className="error" role="alert">
          {t('webhooks.add.refused', { message: create.error.message })}
        </p>
      )}
    </form>
  );
}

function EndpointRow({
  endpoint,
  open,
  onToggleLog,
  onDelete,
  onSecret,
}: {
  endpoint: WebhookEndpoint;
  open: boolean;
  onToggleLog: () => void;
  onDelete: () => void;
  onSecret: (url: string, secret: string) => void;
}) {
  const { t } = useI18n();
  const update = useUpdateEndpoint();
  const ping = usePing();
  const rotate = useRotateSecret();
  const events = endpoint.events as string[];
  return (
    <tr>
      <th scope="row">
        <span className="webhook-url">{endpoint.url}</span>
        {endpoint.description && <div className="muted">{endpoint.description}</div>}
      </th>
      <td>
        {events.length === eventTypes.length ? t('webhooks.allEvents') : events.join(', ')}
      </td>
      <td>
        <label className="row">
          <input
            type="checkbox"
            checked={endpoint.enabled}
            disabled={update.isPending}
            aria-label={t('webhooks.enabledNamed', { url: endpoint.url })}
            onChange={(event) => update.mutate({ id: endpoint.id, change: { enabled: event.target.checked } })}
          />
          {endpoint.enabled ? t('webhooks.enabled') : t('webhooks.disabled')}
        </label>
      </td>
      <td>
        <div className="row">
          <button type="button" className="button" aria-expanded={open} onClick={onToggleLog}>
            {t('webhooks.deliveries')}
          </button>
          <button
            type="button"
            className="button"
            disabled={ping.isPending}
            aria-label={t('webhooks.pingNamed', { url: endpoint.url })}
            onClick={() => ping.mutate(endpoint.id, { onSuccess: () => !open && onToggleLog() })}
          >
            {t('webhooks.ping')}
          </button>
          <button
            type="button"
            className="button"
            disabled={rotate.isPending}
            aria-label={t('webhooks.rotateNamed', { url: endpoint.url })}
            onClick={() => rotate.mutate(endpoint.id, { onSuccess: (answer) => onSecret(answer.url, answer.secret) })}
          >
            {t('webhooks.rotate')}
          </button>
          <button
            type="button"
            className="button danger"
            aria-label={t('webhooks.deleteNamed', { url: endpoint.url })}
            onClick={onDelete}
          >
            {t('webhooks.delete')}
          </button>
        </div>
        <ErrorText message={(update.error ?? ping.error ?? rotate.error)?.message} />
      </td>
    </tr>
  );
}

export function WebhooksSection() {
  const { t } = useI18n();
  const headingId = useId();
  const endpoints = useEndpoints();
  const remove = useDeleteEndpoint();
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [openLog, setOpenLog] = useState<number | null>(null);
  const [toDelete, setToDelete] = useState<WebhookEndpoint | null>(null);
  const list = (endpoints.data?.data ?? []) as WebhookEndpoint[];
  const forbidden = endpoints.error instanceof ApiError && endpoints.error.status === 403;
  const logged = list.find((endpoint) => endpoint.id === openLog);

  return (
    <section className="page webhooks" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('webhooks.title')}</h2>
      <p className="muted">{t('webhooks.intro')}</p>
      {forbidden ? (
        <p className="muted">{t('webhooks.forbidden')}</p>
      ) : (
        <QueryState query={endpoints}>
          {secret && (
            <SecretPanel
              className="webhook-secret"
              label={t('webhooks.secret.title')}
              heading={
                <>
                  <strong>{t('webhooks.secret.title')}</strong> — {secret.url}
                </>
              }
              note={t('webhooks.secret.once')}
              value={secret.secret}
              valueLabel={t('webhooks.secret.label')}
              copyLabel={t('webhooks.secret.copy')}
              done={{ label: t('webhooks.secret.done'), onDone: () => setSecret(null) }}
            />
          )}
          {list.length === 0 ? (
            <p className="muted">{t('webhooks.empty')}</p>
          ) : (
            <DataTable
              caption={t('webhooks.endpoints')}
              columns={[t('webhooks.url'), t('webhooks.events'), t('webhooks.status'), t('webhooks.actions')]}
            >
              {list.map((endpoint) => (
                <EndpointRow
                  key={endpoint.id}
                  endpoint={endpoint}
                  open={openLog === endpoint.id}
                  onToggleLog={() => setOpenLog((current) => (current === endpoint.id ? null : endpoint.id))}
                  onDelete={() => setToDelete(endpoint)}
                  onSecret={(url, value) => setSecret({ url, secret: value })}
                />
              ))}
            </DataTable>
          )}
          {logged && <DeliveriesLog endpointId={logged.id} url={logged.url} />}
          <AddEndpointForm onCreated={(url, value) => setSecret({ url, secret: value })} />
        </QueryState>
      )}
      <ConfirmDialog
        open={toDelete !== null}
        onOpenChange={(open) => !open && setToDelete(null)}
        title={t('webhooks.delete')}
        description={t('webhooks.confirmDelete', { url: toDelete?.url ?? '' })}
        confirmLabel={t('webhooks.delete')}
        onConfirm={() => {
          if (!toDelete) return;
          if (openLog === toDelete.id) setOpenLog(null);
          remove.mutate(toDelete.id);
        }}
      />
    </section>
  );
}
