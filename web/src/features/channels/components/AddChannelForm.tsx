// Adding a WhatsApp number or an Instagram account by hand, with the ids and token from Meta's developer console.
// The server checks the token with Meta before saving anything; its refusal (Meta's own message) is shown as is.
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n';
import { useAddChannel, type ConnectPlatform } from '../api/channels';

export function AddChannelForm() {
  const { t } = useI18n();
  const add = useAddChannel();
  const [platform, setPlatform] = useState<ConnectPlatform>('whatsapp');
  const [accountId, setAccountId] = useState('');
  const [token, setToken] = useState('');
  const [wabaId, setWabaId] = useState('');
  const [name, setName] = useState('');
  const headingId = useId();
  const whatsapp = platform === 'whatsapp';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      {
        platform,
        account_id: accountId.trim(),
        access_token: token.trim(),
        display_name: name.trim() || null,
        waba_id: whatsapp && wabaId.trim() ? wabaId.trim() : null,
      },
      {
        onSuccess: () => {
          setAccountId('');
          setToken('');
          setWabaId('');
          setName('');
        },
      },
    );
  };

  return (
    <section aria-labelledby={headingId} className="card">
      <h2 id={headingId}>{t('channels.add.title')}</h2>
      <p className="muted">{t('channels.add.help')}</p>
      <form className="channel-form" onSubmit={submit}>
        <label className="field">
          {t('channels.platform')}
          <select value={platform} onChange={(event) => setPlatform(event.target.value as ConnectPlatform)}>
            <option value="whatsapp">WhatsApp</option>
            <option value="instagram">Instagram</option>
          </select>
        </label>
        <label className="field">
          {whatsapp ? t('channels.add.phoneNumberId') : t('channels.add.instagramId')}
          <input
            value={accountId}
            onChange={(event) => setAccountId(event.target.value)}
            inputMode="numeric"
            pattern="[0-9]{1,64}"
            required
            autoComplete="off"
          />
        </label>
        <label className="field">
          {t('channels.add.token')}
          <input type="password" value={token} onChange={(event) => setToken(event.target.value)} required autoComplete="off" />
        </label>
        {whatsapp && (
          <label className="field">
            {t('channels.add.wabaId')}
            <input
              value={wabaId}
              onChange={(event) => setWabaId(event.target.value)}
              inputMode="numeric"
              pattern="[0-9]{0,64}"
              autoComplete="off"
            />
          </label>
        )}
        <label className="field">
          {t('channels.add.name')}
          <input value={name} onChange={(event) => setName(event.target.value)} maxLength={100} />
        </label>
        <div className="row">
          <button type="submit" className="button primary" disabled={add.isPending}>
            {add.isPending ? t('channels.add.checking') : t('channels.add.submit')}
          </button>
        </div>
        {add.error && (
          <p className="error" role="alert">
            {t('channels.add.refused', { message: add.error.message })}
          </p>
        )}
        {add.isSuccess && (
          <p role="status">{t('channels.add.added', { name: add.data.display_name ?? add.data.account_id })}</p>
        )}
      </form>
    </section>
  );
}
