// The tenant's time zone: days and weeks of the analytics (and business hours) are counted in it. Owners and admins
// change it here (PATCH /api/tenant); others see it.
import { useId, useState, type FormEvent } from 'react';
import { ErrorMessage } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useSetTimeZone } from '../api/analytics';

/** The IANA zones the browser knows, with `current` always among them. */
function zoneNames(current: string): string[] {
  const supported = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const names = new Set<string>(['UTC', ...supported, current]);
  return [...names].sort();
}

export function TimeZoneSetting({ current, canEdit }: { current: string; canEdit: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const [zone, setZone] = useState(current);
  const [editing, setEditing] = useState(false);
  const save = useSetTimeZone();
  // The list of zones (some 400) is only put in the page when asked for.
  if (!canEdit || !editing) {
    return (
      <p className="row muted">
        {t('analytics.timeZoneIs', { zone: current })}
        {canEdit && (
          <button type="button" className="button" onClick={() => {
              setZone(current);
              setEditing(true);
            }}>
            {t('analytics.changeTimeZone')}
          </button>
        )}
        {save.isSuccess && (
          <span role="status">{t('analytics.timeZoneSaved')}</span>
        )}
      </p>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(zone, { onSuccess: () => setEditing(false) });
  };
  return (
    <form className="row analytics-zone" onSubmit={submit} aria-labelledby={id}>
      <span id={id} className="sr-only">
        {t('analytics.timeZoneSetting')}
      </span>
      <label className="field">
        {t('analytics.timeZone')}
        <select value={zone} onChange={(event) => setZone(event.target.value)}>
          {zoneNames(current).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="button" disabled={save.isPending || zone === current}>
        {t('analytics.saveTimeZone')}
      </button>
      {save.error && <ErrorMessage error={save.error} />}
    </form>
  );
}
