// The AI studio: the assistant's settings and the playground to try them, as two tabs of one page.
import { useState, type KeyboardEvent } from 'react';
import { ErrorMessage, Loading } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useAiSettings, useTenant } from '../api/settings';
import '../ai-studio.css';
import { Playground } from './Playground';
import { SettingsForm } from './SettingsForm';

const tabs = ['settings', 'playground'] as const;
type Tab = (typeof tabs)[number];

function Settings() {
  const settings = useAiSettings();
  const tenant = useTenant();
  if (settings.isPending) return <Loading />;
  if (settings.error) return <ErrorMessage error={settings.error} onRetry={() => void settings.refetch()} />;
  const zone = typeof tenant.data?.time_zone === 'string' ? tenant.data.time_zone : null;
  // The form starts from the settings loaded first and from each saved answer; a background refetch leaves what is
  // being typed alone.
  return <SettingsForm settings={settings.data} timeZone={zone} />;
}

export function AiStudioPage() {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>('settings');
  const label = (name: Tab) => (name === 'settings' ? t('aiStudio.tab.settings') : t('studio.playground'));
  // Arrow keys move between tabs, as the WAI-ARIA tabs pattern has it.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const next = tabs[(tabs.indexOf(tab) + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
    setTab(next);
    document.getElementById(`studio-tab-${next}`)?.focus();
  };
  return (
    <div className="page">
      <h1>{t('studio.title')}</h1>
      <div role="tablist" aria-label={t('aiStudio.tabs')} className="studio-tabs" onKeyDown={onKeyDown}>
        {tabs.map((name) => (
          <button
            key={name}
            id={`studio-tab-${name}`}
            type="button"
            role="tab"
            aria-selected={tab === name}
            aria-controls={`studio-panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            className={tab === name ? 'button primary' : 'button'}
            onClick={() => setTab(name)}
          >
            {label(name)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`studio-panel-${tab}`} aria-labelledby={`studio-tab-${tab}`}>
        {tab === 'settings' ? <Settings /> : <Playground />}
      </div>
    </div>
  );
}
