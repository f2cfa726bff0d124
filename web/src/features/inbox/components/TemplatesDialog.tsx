// Past WhatsApp's 24-hour window only approved templates reach the customer: pick one, fill its placeholders, send.
import * as Dialog from '@radix-ui/react-dialog';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../lib/api/client';
import { useI18n } from '../../../lib/i18n';
import { ErrorMessage, Loading } from '../../../components/Status';

interface Template {
  id: string;
  name: string;
  language: string;
  body: string;
  placeholders: string[];
  sendable: boolean;
  unsupported_reason: string | null;
}

function TemplateForm({ template, conversationId, onSent }: { template: Template; conversationId: number; onSent: () => void }) {
  const { t } = useI18n();
  const [values, setValues] = useState<string[]>(() => template.placeholders.map(() => ''));
  const send = useMutation({
    mutationFn: () =>
      api.post('/api/conversations/{id}/messages', {
        path: { id: conversationId },
        body: { template: { name: template.name, language: template.language, parameters: values } },
      }),
    onSuccess: onSent,
  });
  return (
    <li className="template">
      <strong>
        {template.name} ({template.language})
      </strong>
      <p className="template-body">{template.body}</p>
      {template.placeholders.map((placeholder, index) => (
        <label key={placeholder} className="field">
          <span>{`{{${placeholder}}}`}</span>
          <input
            value={values[index] ?? ''}
            onChange={(event) => setValues(values.map((v, i) => (i === index ? event.target.value : v)))}
          />
        </label>
      ))}
      {template.unsupported_reason && <p className="muted">{template.unsupported_reason}</p>}
      {send.error && <ErrorMessage error={send.error} />}
      <button
        type="button"
        className="button primary"
        disabled={!template.sendable || send.isPending}
        onClick={() => send.mutate()}
      >
        {t('thread.sendTemplate', { name: template.name })}
      </button>
    </li>
  );
}

export function TemplatesDialog({ channelId, conversationId }: { channelId: number; conversationId: number }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const templates = useQuery({
    queryKey: ['channels', channelId, 'templates'],
    queryFn: ({ signal }) => api.get('/api/social-accounts/{id}/templates', { path: { id: channelId }, signal }),
    enabled: open,
  });
  const list = (templates.data?.data ?? []) as Template[];
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <button type="button" className="button">
          {t('thread.templates')}
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog wide">
          <Dialog.Title>{t('thread.templates')}</Dialog.Title>
          <Dialog.Description>{t('thread.templatesHint')}</Dialog.Description>
          {templates.isPending && <Loading />}
          {templates.error && <ErrorMessage error={templates.error} />}
          {templates.isSuccess && list.length === 0 && <p>{t('thread.noTemplates')}</p>}
          <ul className="templates">
            {list.map((template) => (
              <TemplateForm
                key={template.id || `${template.name}-${template.language}`}
                template={template}
                conversationId={conversationId}
                onSent={() => setOpen(false)}
              />
            ))}
          </ul>
          <div className="row end">
            <Dialog.Close asChild>
              <button type="button" className="button">
                {t('app.cancel')}
              </button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
