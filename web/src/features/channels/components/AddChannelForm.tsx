// Adding a channel by hand, with the ids and token the platform's console gives. The form is built from what the
// server says each platform needs (GET /api/platforms), so a new platform needs no change here: a field with several
// values (the web chat's allowed origins) is a text area with one value per line. The server checks the credentials
// with the platform before saving anything; its refusal (the platform's own message) is shown as is. A channel that
// lives on the business's own site (the web chat) answers with the script tag to paste there, shown to copy.
import { useId, useState, type FormEvent } from 'react';
import { SecretPanel } from '../../../components/SecretPanel';
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
  // A platform whose fields name the channel (the web chat's title) needs no separate name.
  const namedByField = platform?.fields.some((field) => field.key === 'display_name') ?? false;

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
    const body: Record<string, string | string[] | null> = { platform: platform.name, display_name: name.trim() || null };
    for (const field of platform.fields) {
      const value = (values[field.key] ?? '').trim();
      if (field.multiple) {
        const lines = value.split('\n').map((line) => line.trim()).filter(Boolean);
        if (lines.length > 0 || field.required) body[field.key] = lines;
      } else if (value || field.required) {
        body[field.key] = value;
      }
    }
    add.mutate(body as NewChannel, {
      onSuccess: () => {
        setValues({});
        setName('');
      },
    });
  };

  return (
    <>
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
          <PlatformField
            key={`${platform.name}.${field.key}`}
            field={field}
            id={`${fieldId}-${index}`}
            label={labelOf(field)}
            value={values[field.key] ?? ''}
            onChange={(value) => setValues({ ...values, [field.key]: value })}
          />
        ))}
        {!namedByField && (
          <label className="field">
            {t('channels.add.name')}
            <input value={name} onChange={(event) => setName(event.target.value)} maxLength={100} />
          </label>
        )}
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
      {add.data?.script && (
        <SecretPanel
          label={t('channels.add.scriptTitle')}
          note={t('channels.add.scriptHelp')}
          value={add.data.script}
          valueLabel={t('channels.add.scriptLabel')}
          copyLabel={t('channels.add.copy')}
        />
      )}
    </>
  );
}

interface PlatformFieldProps {
  field: Field;
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
}

/** One field the platform asks for, with the server's help as its description; several values, one per line. */
function PlatformField({ field, id, label, value, onChange }: PlatformFieldProps) {
  const props = {
    id,
    value,
    required: field.required,
    autoComplete: 'off',
    'aria-describedby': field.help ? `${id}-help` : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {field.multiple ? (
        <textarea {...props} rows={3} onChange={(event) => onChange(event.target.value)} />
      ) : (
        <input {...props} type={field.secret ? 'password' : 'text'} onChange={(event) => onChange(event.target.value)} />
      )}
      {field.help && (
        <small id={`${id}-help`} className="muted">
          {field.help}
        </small>
      )}
    </div>
  );
}
