import { ErrorMessage, Loading } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useSubscription, useUsage } from '../api/billing';

export function BillingPage() {
  const { t, formatDateTime } = useI18n();
  const usage = useUsage();
  const subscription = useSubscription();
  const totals = (usage.data?.month?.totals ?? {}) as Record<string, number>;
  const quotas = (usage.data?.quotas ?? {}) as Record<string, number | null>;
  const amount = (name: string) =>
    quotas[name] == null
      ? t('billing.unlimited', { used: totals[name] ?? 0 })
      : t('billing.quota', { used: totals[name] ?? 0, quota: Number(quotas[name]) });
  return (
    <div className="page">
      <h1>{t('billing.title')}</h1>
      {subscription.isPending || usage.isPending ? (
        <Loading />
      ) : subscription.error || usage.error ? (
        <ErrorMessage error={subscription.error ?? usage.error} />
      ) : (
        <dl className="facts">
          <dt>{t('billing.plan')}</dt>
          <dd>{subscription.data.plan}</dd>
          <dt>{t('billing.status')}</dt>
          <dd>{subscription.data.status}</dd>
          <dt>{t('billing.periodEnd')}</dt>
          <dd>{subscription.data.current_period_end ? formatDateTime(subscription.data.current_period_end) : t('app.none')}</dd>
          <dt>{t('analytics.aiReplies')}</dt>
          <dd>{amount('ai_replies')}</dd>
          <dt>{t('analytics.credits')}</dt>
          <dd>{amount('credits')}</dd>
        </dl>
      )}
    </div>
  );
}
