import { useEffect, useState } from 'react';
import { useI18n } from '../../../lib/i18n';
import type { Channel } from '../../../lib/api/types';
import type { FilterParams } from './filters';

interface Props {
  value: FilterParams;
  onChange: (next: FilterParams) => void;
  channels: Channel[];
}

export function InboxFilters({ value, onChange, channels }: Props) {
  const { t, code } = useI18n();
  // The search is sent once typing pauses, not on every key.
  const [query, setQuery] = useState(value.q);
  useEffect(() => setQuery(value.q), [value.q]);
  useEffect(() => {
    if (query === value.q) return undefined;
    const timer = setTimeout(() => onChange({ ...value, q: query }), 250);
    return () => clearTimeout(timer);
  }, [query, value, onChange]);

  return (
    <div className="inbox-filters">
      <input
        type="search"
        className="search"
        aria-label={t('inbox.search')}
        placeholder={t('inbox.search')}
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      <fieldset className="filter-row">
        <legend className="visually-hidden">{t('inbox.filters')}</legend>
        <select
          aria-label={t('inbox.status')}
          value={value.status}
          onChange={(event) => onChange({ ...value, status: event.target.value as FilterParams['status'] })}
        >
          <option value="">{t('inbox.status.any')}</option>
          <option value="open">{t('inbox.status.open')}</option>
          <option value="closed">{t('inbox.status.closed')}</option>
        </select>
        <select
          aria-label={t('inbox.handler')}
          value={value.mode}
          onChange={(event) => onChange({ ...value, mode: event.target.value as FilterParams['mode'] })}
        >
          <option value="">{t('inbox.handler.any')}</option>
          <option value="bot">{t('inbox.handler.bot')}</option>
          <option value="human">{t('inbox.handler.human')}</option>
        </select>
        <select
          aria-label={t('inbox.assignee')}
          value={value.assignee}
          onChange={(event) => onChange({ ...value, assignee: event.target.value })}
        >
          <option value="">{t('inbox.assignee.any')}</option>
          <option value="mine">{t('inbox.assignee.mine')}</option>
          <option value="none">{t('inbox.assignee.none')}</option>
        </select>
        {channels.length > 1 && (
          <select
            aria-label={t('inbox.channel')}
            value={value.channel}
            onChange={(event) => onChange({ ...value, channel: event.target.value })}
          >
            <option value="">{t('inbox.channel.any')}</option>
            {channels.map((channel) => (
              <option key={channel.id} value={String(channel.id)}>
                {channel.display_name || channel.verified_name || channel.account_id} ({code('platform', channel.platform)})
              </option>
            ))}
          </select>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={value.waiting}
            onChange={(event) => onChange({ ...value, waiting: event.target.checked })}
          />
          {t('inbox.waiting')}
        </label>
      </fieldset>
    </div>
  );
}
