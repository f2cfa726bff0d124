// The signed-in frame: navigation, language, sign-out, and the live event stream that keeps every page current.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { LanguagePicker } from '../components/LanguagePicker';
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

function useEventStream(): StreamState {
  const client = useQueryClient();
  const [state, setState] = useState<StreamState>('connecting');
  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    return connectEventStream(client, { onState: setState });
  }, [client]);
  return state;
}

export function Shell() {
  const { t } = useI18n();
  const me = useMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const stream = useEventStream();
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
      <main id="main" className="content">
        <Outlet />
      </main>
    </div>
  );
}
