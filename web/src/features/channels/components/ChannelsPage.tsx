import { ErrorMessage, Loading } from '../../../components/Status';
import type { Channel } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useChannelList } from '../api/channels';

export function ChannelsPage() {
  const { t, code } = useI18n();
  const channels = useChannelList();
  const list = (channels.data?.data ?? []) as Channel[];
  return (
    <div className="page">
      <h1>{t('channels.title')}</h1>
      {channels.isPending ? (
        <Loading />
      ) : channels.error ? (
        <ErrorMessage error={channels.error} onRetry={() => void channels.refetch()} />
      ) : list.length === 0 ? (
        <p className="muted">{t('channels.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('channels.name')}</th>
                <th scope="col">{t('channels.platform')}</th>
                <th scope="col">{t('channels.account')}</th>
                <th scope="col">{t('channels.enabled')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((channel) => (
                <tr key={channel.id}>
                  <th scope="row">
                    {channel.display_name || channel.verified_name || channel.display_phone_number || t('app.none')}
                  </th>
                  <td>{code('platform', channel.platform)}</td>
                  <td>{channel.account_id}</td>
                  <td>{channel.enabled ? t('channels.yes') : t('channels.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
