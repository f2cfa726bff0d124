// One contact: who they are, their conversations (each a link into the inbox), and for owners and admins the GDPR's
// two requests: a copy of their data (a JSON download) and its erasure.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorMessage, Loading } from '../../../components/Status';
import { useI18n } from '../../../lib/i18n';
import { useContact, useEraseContact, useExportContact } from '../api/contacts';

export function ContactDetailView({ id, isAdmin }: { id: number; isAdmin: boolean }) {
  const { t, code, formatDateTime } = useI18n();
  const detail = useContact(id);
  const exporter = useExportContact();
  const eraser = useEraseContact();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  if (detail.isPending) return <Loading />;
  if (detail.error) return <ErrorMessage error={detail.error} onRetry={() => void detail.refetch()} />;
  const { contact, conversations } = detail.data;
  const name = contact.name || contact.platform_id;
  return (
    <div className="page">
      <p>
        <Link to="/contacts">{t('contacts.back')}</Link>
      </p>
      <h1>{contact.name || t('contacts.unnamed')}</h1>
      <dl className="facts">
        <dt>{t('contacts.platformId')}</dt>
        <dd>{contact.platform_id}</dd>
        {contact.email && (
          <>
            <dt>{t('contacts.email')}</dt>
            <dd>
              <a href={`mailto:${contact.email}`}>{contact.email}</a>
            </dd>
          </>
        )}
        <dt>{t('contacts.channel')}</dt>
        <dd>{code('platform', contact.platform)}</dd>
        <dt>{t('contacts.firstSeen')}</dt>
        <dd>{formatDateTime(contact.created_at)}</dd>
        <dt>{t('contacts.lastActivity')}</dt>
        <dd>{formatDateTime(contact.last_activity_at)}</dd>
      </dl>
      <h2>{t('contacts.conversations')}</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('contacts.conversations')}</th>
              <th scope="col">{t('contacts.status')}</th>
              <th scope="col">{t('contacts.lastActivity')}</th>
            </tr>
          </thead>
          <tbody>
            {conversations.map((conversation) => (
              <tr key={conversation.id}>
                <th scope="row">
                  <Link to={`/inbox/${conversation.id}`}>{t('contacts.conversation', { id: conversation.id })}</Link>
                </th>
                <td>{conversation.status === 'open' ? t('contacts.status.open') : t('contacts.status.closed')}</td>
                <td>{formatDateTime(conversation.last_message_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {isAdmin && (
        <section aria-labelledby="contact-gdpr">
          <h2 id="contact-gdpr">{t('contacts.gdpr')}</h2>
          <p className="muted">{t('contacts.gdprHelp')}</p>
          <div className="row">
            <button
              type="button"
              className="button"
              disabled={exporter.isPending}
              onClick={() => exporter.mutate(contact.id)}
            >
              {exporter.isPending ? t('contacts.exporting') : t('contacts.export')}
            </button>
            <button
              type="button"
              className="button danger"
              disabled={eraser.isPending}
              onClick={() => setConfirming(true)}
            >
              {t('contacts.erase')}
            </button>
          </div>
          {exporter.error && <ErrorMessage error={exporter.error} />}
          {eraser.error && <ErrorMessage error={eraser.error} />}
          <ConfirmDialog
            irreversible
            open={confirming}
            onOpenChange={setConfirming}
            title={t('contacts.eraseTitle', { name })}
            description={t('contacts.eraseConsequence', { name, count: contact.conversations })}
            confirmLabel={t('contacts.eraseConfirm')}
            onConfirm={() =>
              eraser.mutate(contact.id, {
                onSuccess: () => void navigate('/contacts', { state: { notice: t('contacts.erased') } }),
              })
            }
          />
        </section>
      )}
    </div>
  );
}
