// On an escalated conversation: why the agent handed it over, and the answer it proposes with its sources, to send
// as it is or to edit in the composer.
import { SourceList, type Source } from '../../../components/SourceList';
import type { SupportItem } from '../../../lib/api/types';
import { useI18n } from '../../../lib/i18n';

interface Props {
  item: SupportItem;
  onEdit: (text: string) => void;
  onSend: (text: string) => void;
  sending: boolean;
}

export function DraftPanel({ item, onEdit, onSend, sending }: Props) {
  const { t, code } = useI18n();
  const draft = item.draft as { text?: string; sources?: Source[] } | null;
  return (
    <section className="draft" aria-labelledby={`draft-${item.id}`}>
      <h3 id={`draft-${item.id}`}>{t('draft.title')}</h3>
      <p className="muted">{t('draft.escalated', { reason: code('reason', item.reason), priority: code('priority', item.priority) })}</p>
      {draft?.text ? (
        <>
          <blockquote className="draft-text">{draft.text}</blockquote>
          {draft.sources && draft.sources.length > 0 && (
            <details>
              <summary>{t('thread.sources')}</summary>
              <SourceList sources={draft.sources} />
            </details>
          )}
          <div className="row">
            <button type="button" className="button" onClick={() => onEdit(draft.text!)}>
              {t('draft.edit')}
            </button>
            <button type="button" className="button primary" disabled={sending} onClick={() => onSend(draft.text!)}>
              {t('draft.send')}
            </button>
          </div>
        </>
      ) : (
        <p>{t('draft.none')}</p>
      )}
    </section>
  );
}
