import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { LanguagePicker } from '../../components/LanguagePicker';
import en from './en';
import fr from './fr';
import { catalogs, format, I18nProvider, initialLanguage, useI18n } from './index';

function Probe() {
  const { t, code } = useI18n();
  return (
    <>
      <button type="button">{t('thread.takeOver')}</button>
      <p>{`${code('reason', 'human_requested')} / ${code('reason', 'some_new_reason')}`}</p>
    </>
  );
}

describe('i18n', () => {
  it('finds every catalog file, each with the reference keys', () => {
    expect(Object.keys(catalogs).sort()).toEqual(['en', 'fr']);
    expect(Object.keys(fr.messages).sort()).toEqual(Object.keys(en.messages).sort());
  });

  it('switches names with the picker and remembers the choice', async () => {
    render(
      <I18nProvider language="en">
        <LanguagePicker />
        <Probe />
      </I18nProvider>,
    );
    expect(screen.getByRole('button', { name: 'Take over' })).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Language' }), 'fr');
    expect(screen.getByRole('button', { name: 'Prendre la main' })).toBeInTheDocument();
    // The API's codes are worded by the catalog; one it does not know yet shows as it is.
    expect(screen.getByText('demande une personne / some_new_reason')).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Langue' })).toBeInTheDocument();
    expect(localStorage.getItem('parley.language')).toBe('fr');
    expect(initialLanguage()).toBe('fr');
    expect(document.documentElement.lang).toBe('fr');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('{count} unread, {other}', { count: 3 })).toBe('3 unread, {other}');
  });
});
