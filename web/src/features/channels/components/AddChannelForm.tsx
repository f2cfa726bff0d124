// Adding a channel by hand, with the ids and token the platform's console gives. The form is built from what the
// server says each platform needs (GET /api/platforms), so a new platform needs no change here. The server checks
// the credentials with the platform before saving anything; its refusal (the platform's own message) is shown as is.
import { useId, useState, type FormEvent } from 'react';
import { Loading, ErrorMessage } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import type { PlatformList } from '../../../lib/api/types';
import { useAddChannel, usePlatforms, type NewChannel } from '../api/channels';

type PlatformDescription = PlatformList['data'][number];
type Field = PlatformDescription['fields'][number];

export function AddChannelForm() {
  const { t } = useI18n();
  const platforms = usePlatforms();
  const headingId = useId();

  return (
    <section aria-labelledby={headingId} className="card">
      <h2 id={headingId}>{t('channels.add.title')}</h2>
      <p className="muted">{t('channels.add.help')}</p>
      {platforms.error ? (
        <ErrorMessage error={platforms.error} onRetry={() => void platforms.refetch()} />
      ) : platforms.data ? (
        <ChannelForm platforms={platforms.data.data} />
      ) : (
        <Loading />
      )}
    </section>
  );
}

function ChannelForm({ platforms }: { platforms: PlatformDescription[] }) {
  const { t, code } = useI18n();
  const add = useAddChannel();
  const [platformName, setPlatformName] = useState(platforms[0]?.name ?? '');
  const [values, setValues] = useState<Record<string, string>>({});
  const [name, setName] = useState('');
  const fieldId = useId();
  const platform = platforms.find((p) => p.name === platformName);

  // The words for a field in the reader's language where the catalogs have them, else the server's.
  const labelOf = (field: Field) => {
    const key = `${platformName}.${field.flag}`;
    const words = code('channelField', key);
    const label = words === key ? field.label : words;
    return field.required ? label : `${label} ${t('channels.add.optional')}`;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!platform) return;
    const body: Record<string, string | null> = { platform: platform.name, display_name: name.trim() || null };
    for (const field of platform.fields) {
      const value = (values[field.key] ?? '').trim();
      if (value || field.required) body[field.key] = value;
    }
    add.mutate(body as NewChannel, {
      onSuccess: () => {
        setValues({});
        setName('');
      },
    });
  };

  return (
    <form className="channel-form" onSubmit={submit}>
      <label className="field">
        {t('channels.platform')}
        <select value={platformName} onChange={(event) => setPlatformName(event.target.value)}>
          {platforms.map((p) => (
            <option key={p.name} value={p.name}>
              {p.display_name}
            </option>
          ))}
        </select>
      </label>
      {platform?.fields.map((field, index) => (
        <div className="field" key={`${platform.name}.${field.key}`}>
          <label htmlFor={`${fieldId}-${index}`}>{labelOf(field)}</label>
          <input
            id={`${fieldId}-${index}`}
            type={field.secret ? 'password' : 'text'}
            value={values[field.key] ?? ''}
            onChange={(event) => setValues({ ...values, [field.key]: event.target.value })}
            required={field.required}
            autoComplete="off"
            aria-describedby={field.help ? `${fieldId}-${index}-help` : undefined}
          />
          {field.help && (
            <small id={`${fieldId}-${index}-help`} className="muted">
              {field.help}
            </small>
          )}
        </div>
      ))}
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
      {add.isSuccess && <p role="status">{t('channels.add.added', { name: add.data.display_name ?? add.data.account_id })}</p>}
    </form>
  );
}
