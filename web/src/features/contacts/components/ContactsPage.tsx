// The people who wrote in, one row per contact, from the latest conversations (the API has no contact listing yet).
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorMessage, Loading } from '../../../components/Status';
import type { Conversation } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useRecentConversations } from '../api/contacts';

export function ContactsPage() {
  const { t, code, formatDateTime } = useI18n();
  const [q, setQ] = useState('');
  const conversations = useRecentConversations(q);
  const seen = new Set<string>();
  const contacts: Conversation[] = [];
  for (const conversation of (conversations.data?.data ?? []) as Conversation[]) {
    const key = `${conversation.channel_id}:${conversation.contact?.platform_id}`;
    if (!seen.has(key)) {
      seen.add(key);
      contacts.push(conversation);
    }
  }
  return (
    <div className="page">
      <h1>{t('contacts.title')}</h1>
      <p className="muted">{t('contacts.fromConversations')}</p>
      <input type="search" className="search" aria-label={t('inbox.search')} placeholder={t('inbox.search')} value={q} onChange={(event) => setQ(event.target.value)} />
      {conversations.isPending ? (
        <Loading />
      ) : conversations.error ? (
        <ErrorMessage error={conversations.error} onRetry={() => void conversations.refetch()} />
      ) : contacts.length === 0 ? (
        <p className="muted">{t('contacts.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('contacts.name')}</th>
                <th scope="col">{t('contacts.platformId')}</th>
                <th scope="col">{t('contacts.channel')}</th>
                <th scope="col">{t('contacts.lastActivity')}</th>
              </tr>
            </thead>
            <tbody>
              {contacts.map((c) => (
                <tr key={`${c.channel_id}:${c.contact?.platform_id}`}>
                  <th scope="row">
                    <Link to={`/inbox/${c.id}`}>{c.contact?.name || t('inbox.unknownContact')}</Link>
                  </th>
                  <td>{c.contact?.platform_id}</td>
                  <td>{code('platform', c.platform)}</td>
                  <td>{formatDateTime(c.last_message_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
