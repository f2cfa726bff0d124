// The question before an erasure: an alertdialog (it interrupts to warn of a consequence that cannot be undone) that
// says what goes, with Cancel focused first so that Enter does not erase.
import * as Dialog from '@radix-ui/react-dialog';
import { useRef } from 'react';
import { useI18n } from '../../../lib/i18n';

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  name: string;
  conversations: number;
  onConfirm: () => void;
}

export function EraseDialog({ open, onOpenChange, name, conversations, onConfirm }: Props) {
  const { t } = useI18n();
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog"
          role="alertdialog"
          onOpenAutoFocus={(event) => {
            event.preventDefault();
            cancel.current?.focus();
          }}
        >
          <Dialog.Title>{t('contacts.eraseTitle', { name })}</Dialog.Title>
          <Dialog.Description>{t('contacts.eraseConsequence', { name, count: conversations })}</Dialog.Description>
          <div className="row end">
            <Dialog.Close asChild>
              <button type="button" className="button" ref={cancel}>
                {t('app.cancel')}
              </button>
            </Dialog.Close>
            <button
              type="button"
              className="button danger"
              onClick={() => {
                onConfirm();
                onOpenChange(false);
              }}
            >
              {t('contacts.eraseConfirm')}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
