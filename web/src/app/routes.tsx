// The dashboard's pages: sign-in, then the signed-in shell around the inbox.
import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ErrorMessage, Loading } from '../components/Status';
import { InboxPage } from '../features/inbox';
import { useI18n } from '../lib/i18n';
import { useMe } from '../lib/session';
import { Shell } from './Shell';
import { SignInPage } from './SignInPage';

function RequireSession({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (me.error) return <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

function NotFound() {
  const { t } = useI18n();
  return <p>{t('app.notFound')}</p>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        element={
          <RequireSession>
            <Shell />
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="/inbox" replace />} />
        <Route path="/inbox" element={<InboxPage />} />
        <Route path="/inbox/:conversationId" element={<InboxPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
