// How a page says it is loading, that something failed or that there is nothing yet; failures are announced to
// screen readers.
import type { ReactNode } from 'react';
import { useI18n } from '../lib/i18n';

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status">
      {t('app.loading')}
    </p>
  );
}

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      <span>{t('app.error', { message })}</span>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}

/** A refusal said as it is (a mutation's error, a form's own check), announced; nothing when there is none. */
export function ErrorText({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

interface QueryStateProps {
  query: { isPending: boolean; error: unknown; refetch: () => unknown };
  /** Whether the loaded data has nothing to show; `empty` is then said instead of `children`. */
  isEmpty?: boolean;
  empty?: ReactNode;
  children: ReactNode;
}

/** A query's three states before its data: loading, failed (with Try again), loaded but empty; then `children`. */
export function QueryState({ query, isEmpty = false, empty, children }: QueryStateProps) {
  if (query.isPending) return <Loading />;
  if (query.error) return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  if (isEmpty) return <p className="muted">{empty}</p>;
  return <>{children}</>;
}
