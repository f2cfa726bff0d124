// "Add from URL": Parley fetches a web page (HTML, text, Markdown or PDF) and adds it to the knowledge base like an
// uploaded file; the same URL again replaces its document. A refusal (an address Parley may not reach, a page that
// answered 404, a type it cannot read) says why.
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { UrlField } from '../../../components/UrlField';
import { api } from '../../../lib/api/client';
import { queryKeys } from '../../../lib/api/keys';
import { useI18n } from '../../../lib/i18n';

export function AddFromUrl() {
  const { t } = useI18n();
  const headingId = useId();
  const client = useQueryClient();
  const [url, setUrl] = useState('');
  const add = useMutation({
    mutationFn: (page: string) => api.post('/api/knowledge-documents', { body: { url: page, knowledge_base: 'default' } }),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.documents }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(url.trim(), { onSuccess: () => setUrl('') });
  };
  return (
    <form className="row" aria-labelledby={headingId} onSubmit={submit}>
      <h2 id={headingId} className="visually-hidden">
        {t('knowledge.url.title')}
      </h2>
      <UrlField label={t('knowledge.url.label')} value={url} onValue={setUrl} />
      <button type="submit" className="button" disabled={add.isPending}>
        {add.isPending ? t('knowledge.url.fetching') : t('knowledge.url.submit')}
      </button>
      {add.error && (
        <p className="error" role="alert">
          {t('knowledge.url.refused', { message: add.error.message })}
        </p>
      )}
      {add.isSuccess && (
        <p role="status">
          {t(add.data.replaced ? 'knowledge.url.replaced' : 'knowledge.url.added', { name: add.data.name })}
        </p>
      )}
    </form>
  );
}
