// The dashboard's pages. The inbox is in the first bundle (it is where people land); the other pages load on demand.
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ErrorMessage, Loading } from '../components/Status';
import { InboxPage } from '../features/inbox';
import { useI18n } from '../lib/i18n';
import { useMe } from '../lib/session';
import { Shell } from './Shell';
import { SignInPage } from './SignInPage';

const ContactsPage = lazy(() => import('../features/contacts').then((m) => ({ default: m.ContactsPage })));
const KnowledgePage = lazy(() => import('../features/knowledge').then((m) => ({ default: m.KnowledgePage })));
const AiStudioPage = lazy(() => import('../features/ai-studio').then((m) => ({ default: m.AiStudioPage })));
const ChannelsPage = lazy(() => import('../features/channels').then((m) => ({ default: m.ChannelsPage })));
const AnalyticsPage = lazy(() => import('../features/analytics').then((m) => ({ default: m.AnalyticsPage })));
const BillingPage = lazy(() => import('../features/billing').then((m) => ({ default: m.BillingPage })));
const TeamPage = lazy(() => import('../features/team').then((m) => ({ default: m.TeamPage })));
// Public pages reached from e-mailed links: not in the first bundle.
const AcceptInvitePage = lazy(() => import('./AcceptInvitePage').then((m) => ({ default: m.AcceptInvitePage })));
const ForgotPasswordPage = lazy(() => import('./ForgotPasswordPage').then((m) => ({ default: m.ForgotPasswordPage })));
const ResetPasswordPage = lazy(() => import('./ResetPasswordPage').then((m) => ({ default: m.ResetPasswordPage })));
const WebhooksSection = lazy(() => import('../features/webhooks').then((m) => ({ default: m.WebhooksSection })));

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

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/accept-invite" element={<Lazy><AcceptInvitePage /></Lazy>} />
      <Route path="/forgot-password" element={<Lazy><ForgotPasswordPage /></Lazy>} />
      <Route path="/reset-password" element={<Lazy><ResetPasswordPage /></Lazy>} />
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
        <Route path="/contacts" element={<Lazy><ContactsPage /></Lazy>} />
        <Route path="/contacts/:contactId" element={<Lazy><ContactsPage /></Lazy>} />
        <Route path="/knowledge" element={<Lazy><KnowledgePage /></Lazy>} />
        <Route path="/ai-studio" element={<Lazy><AiStudioPage /></Lazy>} />
        <Route path="/channels" element={<Lazy><ChannelsPage /></Lazy>} />
        <Route path="/analytics" element={<Lazy><AnalyticsPage /></Lazy>} />
        <Route path="/billing" element={<Lazy><BillingPage /></Lazy>} />
        <Route path="/team" element={<Lazy><TeamPage /><WebhooksSection /></Lazy>} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
