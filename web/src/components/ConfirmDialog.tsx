// A modal question with a confirm and a cancel button; Radix keeps the focus inside and gives it back on close. The
// description names the consequence. When it cannot be undone (`irreversible`), the question is an alertdialog (it
// interrupts to warn) with Cancel focused first, so that Enter does not confirm.
import * as Dialog from '@radix-ui/react-dialog';
import { useRef, type ReactNode } from 'react';
import { useI18n } from '../lib/i18n';

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  irreversible?: boolean;
}

export function ConfirmDialog({ open, onOpenChange, title, description, confirmLabel, onConfirm, irreversible }: Props) {
  const { t } = useI18n();
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog"
          role={irreversible ? 'alertdialog' : 'dialog'}
          onOpenAutoFocus={
            irreversible
              ? (event) => {
                  event.preventDefault();
                  cancel.current?.focus();
                }
              : undefined
          }
        >
          <Dialog.Title>{title}</Dialog.Title>
          <Dialog.Description>{description}</Dialog.Description>
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
              {confirmLabel}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
