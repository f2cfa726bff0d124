// The figures as a table: what the charts show, for screen readers, keyboards and copying.
import { useI18n } from '../../../lib/i18n';
import type { Analytics, Figures, Period } from '../api/analytics';
import { formatDuration, formatRate } from '../lib/format';

export function AnalyticsTable({ analytics }: { analytics: Analytics }) {
  const { t, language } = useI18n();
  const reasons = Object.keys(analytics.totals.escalations_by_reason).sort();
  const cells = (figures: Figures) => (
    <>
      <td>{figures.conversations_started}</td>
      <td>{figures.messages_in}</td>
      <td>{figures.messages_out_bot}</td>
      <td>{figures.messages_out_person}</td>
      <td>{formatRate(figures.automation_rate, language)}</td>
      <td>{figures.escalations}</td>
      {reasons.map((reason) => (
        <td key={reason}>{figures.escalations_by_reason[reason] ?? 0}</td>
      ))}
      <td>{formatDuration(figures.first_response_bot_median_s)}</td>
      <td>{formatDuration(figures.first_response_person_median_s)}</td>
      <td>{formatDuration(figures.resolution_median_s)}</td>
      <td>{figures.credits}</td>
    </>
  );
  return (
    <div className="table-wrap">
      <table>
        <caption>
          {t(analytics.granularity === 'week' ? 'analytics.tableWeeks' : 'analytics.tableDays', {
            zone: analytics.time_zone,
          })}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t(analytics.granularity === 'week' ? 'analytics.week' : 'analytics.day')}</th>
            <th scope="col">{t('analytics.conversations')}</th>
            <th scope="col">{t('analytics.messagesIn')}</th>
            <th scope="col">{t('analytics.messagesOutBot')}</th>
            <th scope="col">{t('analytics.messagesOutPerson')}</th>
            <th scope="col">{t('analytics.automationRate')}</th>
            <th scope="col">{t('analytics.escalations')}</th>
            {reasons.map((reason) => (
              <th scope="col" key={reason}>
                {t('analytics.escalationsFor', { reason })}
              </th>
            ))}
            <th scope="col">{t('analytics.firstResponseBot')}</th>
            <th scope="col">{t('analytics.firstResponsePerson')}</th>
            <th scope="col">{t('analytics.resolution')}</th>
            <th scope="col">{t('analytics.credits')}</th>
          </tr>
        </thead>
        <tbody>
          {analytics.series.map((period: Period) => (
            <tr key={period.period}>
              <th scope="row">{period.period}</th>
              {cells(period)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('analytics.total')}</th>
            {cells(analytics.totals)}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
