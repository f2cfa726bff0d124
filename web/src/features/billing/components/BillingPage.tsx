// The tenant's plan, this month's use against its quotas, and the plan catalog. When the operator sells plans through
// Stripe (billing on), the owner subscribes through Stripe Checkout, and once subscribed changes plan, payment
// method or invoices in Stripe's Customer Portal; both are Stripe's pages, which send the browser back here.
import { useEffect, useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ErrorMessage, Loading } from '../../../components/Status';
import { ApiError } from '../../../lib/api/client';
import { useI18n, type Translate } from '../../../lib/i18n';
import { useMe } from '../../../lib/session';
import { subscriptionRuns, useCheckout, usePlans, usePortal, useSubscription, useUsage } from '../api/billing';

function Meter({ label, used, quota, t }: { label: string; used: number; quota: number | null; t: Translate }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        {quota === null ? t('billing.unlimited', { used }) : t('billing.quota', { used, quota })}
        {quota !== null && (
          <>
            {' '}
            <progress max={quota} value={Math.min(used, quota)} aria-label={t('billing.meter', { name: label })} />
          </>
        )}
      </dd>
    </>
  );
}

/** Back from Stripe Checkout: said once, then the query is cleared so a reload does not repeat it. */
function useCheckoutReturn() {
  const [search, setSearch] = useSearchParams();
  const [result] = useState(() => search.get('checkout'));
  useEffect(() => {
    if (result) setSearch({}, { replace: true });
  }, [result, setSearch]);
  return result;
}

export function BillingPage() {
  const { t, language, formatDateTime, formatBytes } = useI18n();
  const me = useMe();
  const plans = usePlans();
  const usage = useUsage();
  const subscription = useSubscription();
  const checkout = useCheckout();
  const portal = usePortal();
  const returned = useCheckoutReturn();
  const planHeading = useId();
  const usageHeading = useId();
  const catalogHeading = useId();

  const failed = plans.error ?? usage.error ?? subscription.error;
  if (failed instanceof ApiError && failed.status === 403) {
    return (
      <div className="page">
        <h1>{t('billing.title')}</h1>
        <p className="muted">{t('billing.forbidden')}</p>
      </div>
    );
  }
  const loading = plans.isPending || usage.isPending || subscription.isPending;
  const owner = me.data?.role === 'owner';
  const price = new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  let body;
  if (loading) {
    body = <Loading />;
  } else if (failed || !plans.data || !usage.data || !subscription.data) {
    body = <ErrorMessage error={failed} />;
  } else {
    const catalog = plans.data;
    const sub = subscription.data;
    const totals = usage.data.month.totals;
    const quotas = usage.data.quotas;
    const current = catalog.data.find((plan) => plan.name === catalog.current_plan);
    const currentPrice = current?.monthly_price_cents ?? 0;
    const running = subscriptionRuns(sub);
    const links = catalog.billing_enabled && owner;
    const pending = checkout.isPending || portal.isPending;
    body = (
      <>
        <section aria-labelledby={planHeading}>
          <h2 id={planHeading}>{t('billing.yourPlan')}</h2>
          <dl className="facts">
            <dt>{t('billing.plan')}</dt>
            <dd>{current?.display_name ?? catalog.current_plan}</dd>
            {catalog.billing_enabled && (
              <>
                <dt>{t('billing.status')}</dt>
                <dd>{sub.status === 'none' ? t('billing.noSubscription') : sub.status}</dd>
                <dt>{t('billing.periodEnd')}</dt>
                <dd>{sub.current_period_end ? formatDateTime(sub.current_period_end) : t('app.none')}</dd>
              </>
            )}
          </dl>
          {links && (running || sub.stripe_customer_id) && (
            <div className="row">
              {running && (
                <button type="button" className="button primary" disabled={pending} onClick={() => portal.mutate(true)}>
                  {t('billing.changePlan')}
                </button>
              )}
              {sub.stripe_customer_id && (
                <button type="button" className="button" disabled={pending} onClick={() => portal.mutate(false)}>
                  {t('billing.manage')}
                </button>
              )}
            </div>
          )}
          {catalog.billing_enabled && !owner && <p className="muted">{t('billing.ownerOnly')}</p>}
        </section>

        <section aria-labelledby={usageHeading}>
          <h2 id={usageHeading}>{t('billing.usage', { from: usage.data.month.from, to: usage.data.month.to })}</h2>
          <dl className="facts">
            <Meter label={t('billing.aiReplies')} used={totals.ai_replies} quota={quotas.ai_replies} t={t} />
            <Meter label={t('billing.credits')} used={totals.credits} quota={quotas.credits} t={t} />
            <dt>{t('billing.messagesIn')}</dt>
            <dd>{totals.messages_in}</dd>
            <dt>{t('billing.messagesOut')}</dt>
            <dd>{totals.messages_out}</dd>
            <dt>{t('billing.mediaStorage')}</dt>
            <dd>{formatBytes(usage.data.storage.media_bytes)}</dd>
          </dl>
        </section>

        <section aria-labelledby={catalogHeading}>
          <h2 id={catalogHeading}>{t('billing.plans')}</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('billing.plan')}</th>
                  <th scope="col">{t('billing.price')}</th>
                  <th scope="col">{t('billing.aiReplies')}</th>
                  <th scope="col">{t('billing.credits')}</th>
                  <th scope="col">{t('billing.channels')}</th>
                  {links && <th scope="col">{t('billing.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {catalog.data.map((plan) => {
                  const limit = (value: number | null) => (value === null ? t('billing.noLimit') : String(value));
                  const isCurrent = plan.name === catalog.current_plan;
                  const sold = catalog.checkout_plans.includes(plan.name);
                  return (
                    <tr key={plan.name}>
                      <th scope="row">{plan.display_name}</th>
                      <td>{price.format(plan.monthly_price_cents / 100)}</td>
                      <td>{limit(plan.quotas.monthly_ai_replies)}</td>
                      <td>{limit(plan.quotas.monthly_credits)}</td>
                      <td>{limit(plan.features.max_channels)}</td>
                      {links && (
                        <td>
                          {isCurrent ? (
                            <span className="muted">{t('billing.current')}</span>
                          ) : sold && !running ? (
                            <button type="button" className="button primary" disabled={pending} onClick={() => checkout.mutate(plan.name)}>
                              {plan.monthly_price_cents >= currentPrice
                                ? t('billing.upgrade', { plan: plan.display_name })
                                : t('billing.switch', { plan: plan.display_name })}
                            </button>
                          ) : null}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      </>
    );
  }

  const linkError = checkout.error ?? portal.error;
  return (
    <div className="page">
      <h1>{t('billing.title')}</h1>
      {returned === 'success' && <p role="status">{t('billing.checkoutSuccess')}</p>}
      {returned === 'cancelled' && <p role="status">{t('billing.checkoutCancelled')}</p>}
      {linkError && (
        <p className="error" role="alert">
          {t('billing.stripeFailed', { message: linkError.message })}
        </p>
      )}
      {body}
    </div>
  );
}
