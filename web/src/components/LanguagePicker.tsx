import { catalogs, useI18n } from '../lib/i18n';

export function LanguagePicker() {
  const { t, language, setLanguage } = useI18n();
  return (
    <label className="language-picker">
      <span className="visually-hidden">{t('app.language')}</span>
      <select value={language} onChange={(event) => setLanguage(event.target.value)}>
        {Object.values(catalogs).map((catalog) => (
          <option key={catalog.language} value={catalog.language} lang={catalog.language}>
            {catalog.name}
          </option>
        ))}
      </select>
    </label>
  );
}
