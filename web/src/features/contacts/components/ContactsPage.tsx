// The people who wrote in: a searchable list by latest activity, one contact's page (/contacts/:contactId) with its
// conversations, export and erasure, and the tenant's message retention for owners and admins.
import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ErrorMessage, Loading } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useMe } from '../../../lib/session';
import { useChannels, useContacts, type Contact, type ContactPage } from '../api/contacts';
import { ContactDetailView } from './ContactDetail';
import { RetentionSetting } from './RetentionSetting';

export function ContactsPage() {
  const { contactId } = useParams();
  const me = useMe();
  const isAdmin = me.data?.role === 'owner' || me.data?.role === 'admin';
  if (contactId) return <ContactDetailView id={Number(contactId)} isAdmin={isAdmin} />;
  return <ContactList isAdmin={isAdmin} />;
}

function ContactList({ isAdmin }: { isAdmin: boolean }) {
  const { t, code, formatDateTime } = useI18n();
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const [q, setQ] = useState('');
  const [channelId, setChannelId] = useState('');
  const contacts = useContacts({ q, channel_id: channelId });
  const channels = useChannels();
  const rows: Contact[] = (contacts.data?.pages ?? []).flatMap((page: ContactPage) => page.data);
  const filtered = q.trim() !== '' || channelId !== '';
  return (
    <div className="page">
      <h1>{t('contacts.title')}</h1>
      <p className="muted">{t('contacts.intro')}</p>
      {notice && <p role="status">{notice}</p>}
      <div className="row">
        <input
          type="search"
          className="search"
          aria-label={t('contacts.search')}
          placeholder={t('contacts.search')}
          value={q}
          onChange={(event) => setQ(event.target.value)}
        />
        <label>
          {t('contacts.channelFilter')}{' '}
          <select value={channelId} onChange={(event) => setChannelId(event.target.value)}>
            <option value="">{t('contacts.allChannels')}</option>
            {(channels.data?.data ?? []).map((channel) => (
              <option key={channel.id} value={String(channel.id)}>
                {`${code('platform', channel.platform)} · ${channel.display_name || channel.account_id}`}
              </option>
            ))}
          </select>
        </label>
      </div>
      {contacts.isPending ? (
        <Loading />
      ) : contacts.error ? (
        <ErrorMessage error={contacts.error} onRetry={() => void contacts.refetch()} />
      ) : rows.length === 0 ? (
        <p className="muted">{filtered ? t('contacts.noMatch') : t('contacts.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('contacts.name')}</th>
                <th scope="col">{t('contacts.platformId')}</th>
                <th scope="col">{t('contacts.channel')}</th>
                <th scope="col">{t('contacts.conversationCount')}</th>
                <th scope="col">{t('contacts.lastActivity')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((contact) => (
                <tr key={contact.id}>
                  <th scope="row">
                    <Link to={`/contacts/${contact.id}`}>{contact.name || t('contacts.unnamed')}</Link>
                  </th>
                  <td>{contact.platform_id}</td>
                  <td>{code('platform', contact.platform)}</td>
                  <td>{contact.conversations}</td>
                  <td>{formatDateTime(contact.last_activity_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {contacts.hasNextPage && (
        <button
          type="button"
          className="button"
          disabled={contacts.isFetchingNextPage}
          onClick={() => void contacts.fetchNextPage()}
        >
          {t('contacts.loadMore')}
        </button>
      )}
      {isAdmin && <RetentionSetting />}
    </div>
  );
}
