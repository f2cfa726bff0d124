// Connecting with Meta's login: the browser goes to Meta's dialog, where the business picks its accounts, and comes
// back to this page through the server's callback, which saves them (WhatsApp: with their Business Account id).
import { useId } from 'react';
import { useI18n } from '../../../lib/i18n';
import { useConnectWithMeta } from '../api/channels';

export function ConnectWithMeta() {
  const { t } = useI18n();
  const connect = useConnectWithMeta();
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="card">
      <h2 id={headingId}>{t('channels.connect.title')}</h2>
      <p className="muted">{t('channels.connect.help')}</p>
      <div className="row">
        <button type="button" className="button primary" disabled={connect.isPending} onClick={() => connect.mutate('whatsapp')}>
          {t('channels.connect.whatsapp')}
        </button>
        <button type="button" className="button" disabled={connect.isPending} onClick={() => connect.mutate('instagram')}>
          {t('channels.connect.instagram')}
        </button>
      </div>
      {connect.error && (
        <p className="error" role="alert">
          {t('channels.connect.failed', { message: connect.error.message })}
        </p>
      )}
    </section>
  );
}
