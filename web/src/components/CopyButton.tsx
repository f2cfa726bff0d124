// A button that copies a text (a link, a key, a secret) to the clipboard and says whether it could; the text also
// stays selectable on the page for browsers that refuse the clipboard.
import { useState } from 'react';
import { useI18n } from '../lib/i18n';

export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <>
      <button type="button" className="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" className="muted">
        {copied === true ? t('app.copied') : copied === false ? t('app.copyFailed') : ''}
      </span>
    </>
  );
}
