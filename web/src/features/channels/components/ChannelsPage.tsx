// The tenant's channels: the list for everyone (a web chat with its sites and its script tag to copy again); adding
// (by token or with Meta's login) and removing for owners and admins, as the API allows.
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { CopyButton } from '../../../components/CopyButton';
import { DataTable } from '../../../components/DataTable';
import { ErrorText, QueryState } from '../../../components/Status';
import type { Channel } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useMe } from '../../../lib/session';
import { connectOutcome, useChannelList, useRemoveChannel, type ConnectOutcome } from '../api/channels';
import { AddChannelForm } from './AddChannelForm';
import { ConnectWithMeta } from './ConnectWithMeta';
import './channels.css';

function channelName(channel: Channel): string {
  return (
    channel.display_name || channel.verified_name || (channel.username ? `@${channel.username}` : null) ||
    channel.display_phone_number || channel.account_id
  );
}

/** What came back from Meta's login, said once; the query is then cleared so a reload does not repeat it. */
function ConnectNotice({ outcome }: { outcome: ConnectOutcome }) {
  const { t, code } = useI18n();
  const platform = code('platform', outcome.platform);
  if (!outcome.ok) {
    return (
      <p className="error" role="alert">
        {t('channels.connect.failed', { message: outcome.reason })}
      </p>
    );
  }
  return (
    <p role="status">
      {t('channels.connect.done', { count: outcome.saved, platform })}
      {outcome.skipped > 0 && ` ${t('channels.connect.skipped', { count: outcome.skipped, reason: outcome.reason })}`}
    </p>
  );
}

export function ChannelsPage() {
  const { t, code } = useI18n();
  const me = useMe();
  const channels = useChannelList();
  const remove = useRemoveChannel();
  const [removing, setRemoving] = useState<Channel | null>(null);
  const [search, setSearch] = useSearchParams();
  const [outcome] = useState(() => connectOutcome(search));
  useEffect(() => {
    if (outcome) setSearch({}, { replace: true });
  }, [outcome, setSearch]);

  const admin = me.data?.role === 'owner' || me.data?.role === 'admin';
  const list = (channels.data?.data ?? []) as Channel[];
  return (
    <div className="page">
      <h1>{t('channels.title')}</h1>
      {outcome && <ConnectNotice outcome={outcome} />}
      <QueryState query={channels} isEmpty={list.length === 0} empty={t('channels.empty')}>
        <DataTable
          columns={[
            t('channels.name'),
            t('channels.platform'),
            t('channels.account'),
            t('channels.waba'),
            t('channels.status'),
            ...(admin ? [t('channels.actions')] : []),
          ]}
        >
          {list.map((channel) => (
            <tr key={channel.id}>
              <th scope="row">{channelName(channel)}</th>
              <td>{code('platform', channel.platform)}</td>
              <td>
                {channel.platform === 'whatsapp'
                  ? (channel.display_phone_number ?? t('app.none'))
                  : channel.username
                    ? `@${channel.username}`
                    : channel.allowed_origins?.join(', ') || t('app.none')}
                <span className="channel-id muted">{t('channels.id', { id: channel.account_id })}</span>
                {channel.script && <CopyButton text={channel.script} label={t('channels.copyScript')} />}
              </td>
              <td>{channel.platform === 'whatsapp' ? (channel.waba_id ?? t('app.none')) : t('channels.notApplicable')}</td>
              <td>{channel.enabled ? t('channels.active') : t('channels.paused')}</td>
              {admin && (
                <td>
                  <button
                    type="button"
                    className="button danger"
                    aria-label={t('channels.remove', { name: channelName(channel) })}
                    onClick={() => setRemoving(channel)}
                  >
                    {t('channels.removeShort')}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      </QueryState>
      <ErrorText message={remove.error && t('channels.removeFailed', { message: remove.error.message })} />
      {admin && (
        <div className="channel-sections">
          <AddChannelForm />
          <ConnectWithMeta />
        </div>
      )}
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={removing ? t('channels.removeTitle', { name: channelName(removing) }) : ''}
        description={t('channels.removeDescription')}
        confirmLabel={t('channels.removeConfirm')}
        onConfirm={() => removing && remove.mutate(removing.id)}
      />
    </div>
  );
}
