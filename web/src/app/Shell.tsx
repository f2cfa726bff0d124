// The signed-in frame: navigation, language, sign-out, and the live event stream that keeps every page current.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { LanguagePicker } from '../components/LanguagePicker';
import type { SupportItem } from '../lib/api/types';
import type { LiveEvent } from '../lib/events/events';
import { connectEventStream, type StreamState } from '../lib/events/stream';
import { useI18n, type MessageKey } from '../lib/i18n';
import { useMe, useSignOut } from '../lib/session';

export const navigation: Array<{ to: string; label: MessageKey }> = [
  { to: '/inbox', label: 'nav.inbox' },
  { to: '/contacts', label: 'nav.contacts' },
  { to: '/knowledge', label: 'nav.knowledge' },
  { to: '/ai-studio', label: 'nav.aiStudio' },
  { to: '/channels', label: 'nav.channels' },
  { to: '/analytics', label: 'nav.analytics' },
  { to: '/billing', label: 'nav.billing' },
  { to: '/team', label: 'nav.team' },
];

function useEventStream(onEvent: (event: LiveEvent) => void): StreamState {
  const client = useQueryClient();
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    return connectEventStream(client, { onState: setState, onEvent: (event) => handler.current(event) });
  }, [client]);
  return state;
}

const canNotify = () => typeof Notification !== 'undefined';

// A new escalation shows in the app until dismissed, and as a browser notification when the page is in the
// background and the person allowed them: nobody has to watch the support queue.
function EscalationNotice({ item, onDismiss }: { item: SupportItem; onDismiss: () => void }) {
  const { t, code } = useI18n();
  const [permission, setPermission] = useState(() => (canNotify() ? Notification.permission : 'denied'));
  return (
    <div className="notice" role="status">
      <span>{t('notify.escalation', { reason: code('reason', item.reason) })}</span>
      <Link to={`/inbox/${item.conversation_id}`} onClick={onDismiss}>
        {t('notify.open')}
      </Link>
      {permission === 'default' && (
        <button type="button" className="button link" onClick={() => void Notification.requestPermission().then(setPermission)}>
          {t('notify.enable')}
        </button>
      )}
      <button type="button" className="button" onClick={onDismiss}>
        {t('notify.dismiss')}
      </button>
    </div>
  );
}

export function Shell() {
  const { t } = useI18n();
  const me = useMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const [escalation, setEscalation] = useState<SupportItem | null>(null);
  const stream = useEventStream((event) => {
    if (event.type !== 'support.opened') return;
    setEscalation(event.data);
    if (canNotify() && Notification.permission === 'granted' && document.hidden) {
      new Notification(t('notify.escalation', { reason: String(event.data.reason) }));
    }
  });
  const who = me.data?.user?.name || me.data?.user?.email;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        <nav aria-label={t('app.mainNavigation')} className="main-nav">
          <ul>
            {navigation.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{t(item.label)}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          <span className={`stream-state ${stream}`} role="status">
            {stream === 'live' ? t('app.live') : stream === 'reconnecting' ? t('app.reconnecting') : t('app.loading')}
          </span>
          {who && <span className="muted who">{t('app.signedInAs', { name: who })}</span>}
          <LanguagePicker />
          <button
            type="button"
            className="button"
            onClick={() => signOut.mutate(undefined, { onSettled: () => navigate('/sign-in', { replace: true }) })}
          >
            {t('app.signOut')}
          </button>
        </div>
      </header>
      {escalation && <EscalationNotice item={escalation} onDismiss={() => setEscalation(null)} />}
      <main id="main" className="content">
        <Outlet />
      </main>
    </div>
  );
}
