// Business hours: a row per weekday with its opening intervals, the dates closed all day, the tenant's time zone
// they are read in, and the message customers get when a person is needed outside them.
import { useState } from 'react';
import { useI18n } from '../../../lib/i18n';
import { weekdays, type Draft, type Interval, type Weekday } from '../lib/draft';
import { Field } from './Field';
import { languageName } from './MessagesSection';

interface Props {
  draft: Draft;
  timeZone: string | null;
  outOfHoursLanguage: string;
  builtinOutOfHours: string;
  onChange: (change: Partial<Pick<Draft, 'hoursEnabled' | 'weekly' | 'closed_dates'>>) => void;
  onOutOfHoursChange: (text: string) => void;
  errorOf: (field: string) => string | null;
}

/** The weekday's name in the interface's language (1 January 2024 was a Monday). */
function weekdayName(index: number, language: string): string {
  return new Intl.DateTimeFormat(language, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + index));
}

export function BusinessHoursSection(props: Props) {
  const { draft, timeZone, outOfHoursLanguage, builtinOutOfHours, onChange, onOutOfHoursChange, errorOf } = props;
  const { t, language } = useI18n();
  const [newDate, setNewDate] = useState('');
  const setDay = (day: Weekday, intervals: Interval[]) => onChange({ weekly: { ...draft.weekly, [day]: intervals } });
  const addDate = () => {
    if (!newDate || draft.closed_dates.includes(newDate)) return;
    onChange({ closed_dates: [...draft.closed_dates, newDate].sort() });
    setNewDate('');
  };
  return (
    <section aria-labelledby="studio-hours" className="studio-section">
      <h3 id="studio-hours">{t('aiStudio.hours.title')}</h3>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.hoursEnabled}
          onChange={(event) => onChange({ hoursEnabled: event.target.checked })}
        />
        {t('aiStudio.hours.enabled')}
      </label>
      <p className="muted">
        {draft.hoursEnabled ? t('aiStudio.hours.on') : t('aiStudio.hours.off')}{' '}
        {t('aiStudio.hours.zone', { zone: timeZone ?? t('app.none') })}
      </p>
      {errorOf('business_hours') && <p className="error-text">{errorOf('business_hours')}</p>}
      <table className="studio-hours">
        <tbody>
          {weekdays.map((day, dayIndex) => {
            const name = weekdayName(dayIndex, language);
            const intervals = draft.weekly[day];
            const dayError = errorOf(`business_hours.weekly.${day}`);
            return (
              <tr key={day}>
                <th scope="row">{name}</th>
                <td>
                  {intervals.length === 0 && <span className="muted">{t('aiStudio.hours.closedDay')}</span>}
                  {intervals.map((interval, index) => {
                    const at = `business_hours.weekly.${day}[${index}]`;
                    const update = (change: Partial<Interval>) =>
                      setDay(day, intervals.map((item, i) => (i === index ? { ...item, ...change } : item)));
                    return (
                      <div key={index} className="row studio-interval">
                        <Field label={t('aiStudio.hours.open', { day: name, index: index + 1 })} error={errorOf(`${at}.open`)}>
                          {(field) => (
                            <input {...field} type="time" value={interval.open} onChange={(event) => update({ open: event.target.value })} />
                          )}
                        </Field>
                        <Field label={t('aiStudio.hours.close', { day: name, index: index + 1 })} error={errorOf(`${at}.close`)}>
                          {(field) => (
                            <input {...field} type="time" value={interval.close} onChange={(event) => update({ close: event.target.value })} />
                          )}
                        </Field>
                        <button
                          type="button"
                          className="button"
                          aria-label={t('aiStudio.hours.removeInterval', { day: name, index: index + 1 })}
                          onClick={() => setDay(day, intervals.filter((_, i) => i !== index))}
                        >
                          {t('aiStudio.remove')}
                        </button>
                      </div>
                    );
                  })}
                  {dayError && <p className="error-text">{dayError}</p>}
                  <button
                    type="button"
                    className="button"
                    onClick={() => setDay(day, [...intervals, { open: '09:00', close: '17:00' }])}
                  >
                    {t('aiStudio.hours.addInterval', { day: name })}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h4>{t('aiStudio.hours.closedDates')}</h4>
      {draft.closed_dates.length === 0 ? (
        <p className="muted">{t('aiStudio.hours.noClosedDates')}</p>
      ) : (
        <ul className="studio-dates">
          {draft.closed_dates.map((date, index) => (
            <li key={date}>
              <span>{date}</span>
              {errorOf(`business_hours.closed_dates[${index}]`) && (
                <span className="error-text"> {errorOf(`business_hours.closed_dates[${index}]`)}</span>
              )}
              <button
                type="button"
                className="button"
                aria-label={t('aiStudio.hours.removeDate', { date })}
                onClick={() => onChange({ closed_dates: draft.closed_dates.filter((d) => d !== date) })}
              >
                {t('aiStudio.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <Field label={t('aiStudio.hours.newDate')}>
          {(field) => <input {...field} type="date" value={newDate} onChange={(event) => setNewDate(event.target.value)} />}
        </Field>
        <button type="button" className="button" onClick={addDate} disabled={!newDate}>
          {t('aiStudio.hours.addDate')}
        </button>
      </div>
      <Field
        label={t('aiStudio.hours.outOfHours', { language: languageName(outOfHoursLanguage, language) })}
        hint={t('aiStudio.hours.outOfHoursHint')}
        error={errorOf(`messages.${outOfHoursLanguage}.out_of_hours`)}
      >
        {(field) => (
          <textarea
            {...field}
            rows={2}
            lang={outOfHoursLanguage}
            placeholder={builtinOutOfHours}
            value={draft.messages[outOfHoursLanguage]?.out_of_hours ?? ''}
            onChange={(event) => onOutOfHoursChange(event.target.value)}
          />
        )}
      </Field>
    </section>
  );
}
