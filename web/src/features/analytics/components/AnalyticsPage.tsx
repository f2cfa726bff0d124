import { ErrorMessage, Loading } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useDailyUsage } from '../api/usage';

interface Day {
  day: string;
  messages_in?: number;
  messages_out?: number;
  ai_replies?: number;
  credits?: number;
}

export function AnalyticsPage() {
  const { t } = useI18n();
  const usage = useDailyUsage();
  const days = (usage.data?.days ?? []) as Day[];
  return (
    <div className="page">
      <h1>{t('analytics.title')}</h1>
      {usage.isPending ? (
        <Loading />
      ) : usage.error ? (
        <ErrorMessage error={usage.error} onRetry={() => void usage.refetch()} />
      ) : (
        <div className="table-wrap">
          <table>
            <caption>{t('analytics.month', { from: String(usage.data.range?.from ?? ''), to: String(usage.data.range?.to ?? '') })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('analytics.day')}</th>
                <th scope="col">{t('analytics.messagesIn')}</th>
                <th scope="col">{t('analytics.messagesOut')}</th>
                <th scope="col">{t('analytics.aiReplies')}</th>
                <th scope="col">{t('analytics.credits')}</th>
              </tr>
            </thead>
            <tbody>
              {days.map((day) => (
                <tr key={day.day}>
                  <th scope="row">{day.day}</th>
                  <td>{day.messages_in ?? 0}</td>
                  <td>{day.messages_out ?? 0}</td>
                  <td>{day.ai_replies ?? 0}</td>
                  <td>{day.credits ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
