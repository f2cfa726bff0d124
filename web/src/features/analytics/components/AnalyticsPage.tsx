// Analytics: conversations and messages, automation rate, escalations by reason, response and resolution times and
// credits, per day or week in the tenant's time zone, for all channels or one; charts, the same figures as a table,
// and a CSV download. Served from the aggregates the server keeps (docs/analytics.md).
import { useMemo, useState } from 'react';
import { ErrorMessage, Loading } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useMe } from '../../../lib/session';
import { csvUrl, useAnalytics, useChannelOptions, useTenant, type AnalyticsParams } from '../api/analytics';
import { formatDuration, formatRate } from '../lib/format';
import { AnalyticsCharts } from './AnalyticsCharts';
import { AnalyticsTable } from './AnalyticsTable';
import { TimeZoneSetting } from './TimeZoneSetting';
import '../analytics.css';

export function AnalyticsPage() {
  const { t, language } = useI18n();
  const me = useMe();
  const tenant = useTenant();
  const channels = useChannelOptions();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [granularity, setGranularity] = useState<'day' | 'week'>('day');
  const [channel, setChannel] = useState('');
  const params: AnalyticsParams = useMemo(
    () => ({
      granularity,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(channel ? { channel: Number(channel) } : {}),
    }),
    [from, to, granularity, channel],
  );
  const analytics = useAnalytics(params);
  const data = analytics.data;
  const canEdit = me.data?.role === 'owner' || me.data?.role === 'admin';

  return (
    <div className="page analytics">
      <h1>{t('analytics.title')}</h1>
      {tenant.data && <TimeZoneSetting current={tenant.data.time_zone} canEdit={canEdit} />}
      <form className="row analytics-filters" aria-label={t('analytics.filters')} onSubmit={(event) => event.preventDefault()}>
        <label className="field">
          {t('analytics.from')}
          <input type="date" value={from || data?.from || ''} max={to || data?.to} onChange={(event) => setFrom(event.target.value)} />
        </label>
        <label className="field">
          {t('analytics.to')}
          <input type="date" value={to || data?.to || ''} min={from || data?.from} onChange={(event) => setTo(event.target.value)} />
        </label>
        <label className="field">
          {t('analytics.granularity')}
          <select value={granularity} onChange={(event) => setGranularity(event.target.value as 'day' | 'week')}>
            <option value="day">{t('analytics.byDay')}</option>
            <option value="week">{t('analytics.byWeek')}</option>
          </select>
        </label>
        <label className="field">
          {t('analytics.channel')}
          <select value={channel} onChange={(event) => setChannel(event.target.value)}>
            <option value="">{t('analytics.allChannels')}</option>
            {(channels.data?.data ?? []).map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.display_name || c.verified_name || c.username || `${c.platform} ${c.account_id}`}
              </option>
            ))}
          </select>
        </label>
        <a className="button" href={csvUrl(params)} download>
          {t('analytics.exportCsv')}
        </a>
      </form>
      {analytics.error ? (
        <ErrorMessage error={analytics.error} onRetry={() => void analytics.refetch()} />
      ) : !data ? (
        <Loading />
      ) : (
        <>
          {!data.complete && (
            <p role="status" className="muted">
              {t('analytics.catchingUp')}
            </p>
          )}
          <dl className="analytics-totals" aria-label={t('analytics.totals')}>
            <div>
              <dt>{t('analytics.conversations')}</dt>
              <dd>{data.totals.conversations_started}</dd>
            </div>
            <div>
              <dt>{t('analytics.automationRate')}</dt>
              <dd>{formatRate(data.totals.automation_rate, language)}</dd>
            </div>
            <div>
              <dt>{t('analytics.escalations')}</dt>
              <dd>{data.totals.escalations}</dd>
            </div>
            <div>
              <dt>{t('analytics.firstResponseBot')}</dt>
              <dd>{formatDuration(data.totals.first_response_bot_median_s)}</dd>
            </div>
            <div>
              <dt>{t('analytics.firstResponsePerson')}</dt>
              <dd>{formatDuration(data.totals.first_response_person_median_s)}</dd>
            </div>
            <div>
              <dt>{t('analytics.credits')}</dt>
              <dd>{data.totals.credits}</dd>
            </div>
          </dl>
          <AnalyticsCharts analytics={data} />
          <AnalyticsTable analytics={data} />
        </>
      )}
    </div>
  );
}
