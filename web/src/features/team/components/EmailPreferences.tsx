// One's own e-mail preferences: escalations by e-mail, and the language of one's e-mails.
import type { Me } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useUpdateUser } from '../api/users';

export function EmailPreferences({ me }: { me: Me }) {
  const { t } = useI18n();
  const update = useUpdateUser();
  const user = me.user;
  if (!user) return null;
  return (
    <section aria-labelledby="team-preferences">
      <h2 id="team-preferences">{t('team.preferences.title')}</h2>
      <label className="row">
        <input
          type="checkbox"
          checked={user.notify_by_email}
          disabled={update.isPending}
          onChange={(event) => update.mutate({ id: user.id, update: { notify_by_email: event.target.checked } })}
        />
        <span>{t('team.preferences.notify')}</span>
      </label>
      <label className="field">
        <span>{t('team.preferences.language')}</span>
        <select
          value={user.language}
          disabled={update.isPending}
          onChange={(event) => update.mutate({ id: user.id, update: { language: event.target.value } })}
        >
          <option value="en">{t('team.language.en')}</option>
          <option value="fr">{t('team.language.fr')}</option>
        </select>
      </label>
      {update.error && (
        <p className="error" role="alert">
          {update.error.message}
        </p>
      )}
    </section>
  );
}
