// The documents the bot answers from, with their ingestion status (live through document.progress events);
// upload several files at once, by choosing them or dropping them here; delete one.
import { useRef, useState, type DragEvent } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DataTable } from '../../../components/DataTable';
import { ErrorMessage, QueryState } from '../../../components/Status';
import type { KnowledgeDocument } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';
import { useDeleteDocument, useDocuments, useUpload } from '../api/documents';
import { AddFromUrl } from './AddFromUrl';
import { QaEditor } from './QaEditor';

function statusText(document: KnowledgeDocument, status: string, percent: (n: number) => string): string {
  const progress = Number(document.progress);
  if (document.status !== 'ready' && document.status !== 'failed' && Number.isFinite(progress) && progress < 1) {
    return `${status} ${percent(Math.round(progress * 100))}`;
  }
  return status;
}

export function KnowledgePage() {
  const { t, code, formatDateTime } = useI18n();
  const documents = useDocuments();
  const upload = useUpload();
  const remove = useDeleteDocument();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [toDelete, setToDelete] = useState<KnowledgeDocument | null>(null);

  const send = (files: FileList | null) => {
    if (files && files.length > 0) upload.mutate(Array.from(files));
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    send(event.dataTransfer.files);
  };
  const list = (documents.data?.data ?? []) as KnowledgeDocument[];

  return (
    <div className="page">
      <h1>{t('knowledge.title')}</h1>
      <div
        className={dragging ? 'dropzone dragging' : 'dropzone'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label className="button primary">
          {t('knowledge.upload')}
          <input
            ref={input}
            type="file"
            multiple
            className="visually-hidden"
            onChange={(event) => {
              send(event.target.files);
              event.target.value = '';
            }}
          />
        </label>
        <p role="status" className="muted">
          {upload.isPending && upload.variables ? t('knowledge.uploading', { count: upload.variables.length }) : ''}
          {upload.isSuccess ? t('knowledge.uploaded', { count: upload.data }) : ''}
        </p>
        {upload.error && <ErrorMessage error={upload.error} />}
      </div>
      <AddFromUrl />
      <h2>{t('knowledge.documents')}</h2>
      <QueryState query={documents} isEmpty={list.length === 0} empty={t('knowledge.empty')}>
        <DataTable
          columns={[
            t('knowledge.name'),
            t('knowledge.status'),
            t('knowledge.passages'),
            t('knowledge.updated'),
            t('knowledge.actions'),
          ]}
        >
          {list.map((document) => (
            <tr key={document.id}>
              <th scope="row">{document.name}</th>
              <td>
                {statusText(document, code('document', document.status), (n) => t('knowledge.progress', { percent: n }))}
                {/* A ready document's error is what it left out (scanned pages not read): a note, not a failure. */}
                {document.error && (
                  <span className={document.status === 'ready' ? 'muted' : 'error-text'}> {String(document.error)}</span>
                )}
              </td>
              <td>{document.chunks ?? t('app.none')}</td>
              <td>{formatDateTime(document.updated_at)}</td>
              <td>
                <button
                  type="button"
                  className="button danger"
                  aria-label={t('knowledge.deleteNamed', { name: document.name })}
                  onClick={() => setToDelete(document)}
                >
                  {t('knowledge.delete')}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      </QueryState>
      {remove.error && <ErrorMessage error={remove.error} />}
      <ConfirmDialog
        open={toDelete !== null}
        onOpenChange={(open) => !open && setToDelete(null)}
        title={t('knowledge.deleteNamed', { name: toDelete?.name ?? '' })}
        description={t('knowledge.confirmDelete', { name: toDelete?.name ?? '' })}
        confirmLabel={t('knowledge.delete')}
        onConfirm={() => toDelete && remove.mutate(toDelete.id)}
      />
      <QaEditor />
    </div>
  );
}
