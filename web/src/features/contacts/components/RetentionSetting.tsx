// How long the tenant keeps its messages (PATCH /api/tenant message_retention_days): for ever, or a number of days
// after which the server's retention sweeper deletes them. Owners and admins only.
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorMessage, Loading } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useTenant, useUpdateTenant } from '../api/contacts';

const kMinDays = 1;
const kMaxDays = 3650;

export function RetentionSetting() {
  const { t } = useI18n();
  const tenant = useTenant();
  const update = useUpdateTenant();
  const [limited, setLimited] = useState(false);
  const [days, setDays] = useState('365');
  const current: number | null | undefined = tenant.data?.message_retention_days;
  useEffect(() => {
    if (current === undefined) return;
    setLimited(current !== null);
    if (current !== null) setDays(String(current));
  }, [current]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ message_retention_days: limited ? Number(days) : null });
  };

  return (
    <section aria-labelledby="retention-title">
      <h2 id="retention-title">{t('contacts.retention.title')}</h2>
      {tenant.isPending ? (
        <Loading />
      ) : tenant.error ? (
        <ErrorMessage error={tenant.error} onRetry={() => void tenant.refetch()} />
      ) : (
        <form onSubmit={submit}>
          <p>
            {current == null
              ? t('contacts.retention.keptForever')
              : t('contacts.retention.keptDays', { days: current })}
          </p>
          <fieldset>
            <legend className="visually-hidden">{t('contacts.retention.title')}</legend>
            <label>
              <input type="radio" name="retention" checked={!limited} onChange={() => setLimited(false)} />{' '}
              {t('contacts.retention.forever')}
            </label>
            <label>
              <input type="radio" name="retention" checked={limited} onChange={() => setLimited(true)} />{' '}
              {t('contacts.retention.limited')}
            </label>
          </fieldset>
          {limited && (
            <label>
              {t('contacts.retention.days')}{' '}
              <input
                type="number"
                min={kMinDays}
                max={kMaxDays}
                required
                value={days}
                onChange={(event) => setDays(event.target.value)}
              />
            </label>
          )}
          <p className="muted">{t('contacts.retention.help')}</p>
          <button type="submit" className="button" disabled={update.isPending}>
            {t('contacts.retention.save')}
          </button>
          {update.isSuccess && <p role="status">{t('contacts.retention.saved')}</p>}
          {update.error && <ErrorMessage error={update.error} />}
        </form>
      )}
    </section>
  );
}
