// A value the API shows this once (an API key, an invitation link, a signing secret): a region named `label` with the
// value, a copy button and, when `onDone` is given, a button that dismisses it. No other answer carries the value,
// so the panel stays until dismissed or replaced.
import { useId, type ReactNode } from 'react';
import { CopyButton } from './CopyButton';

interface Props {
  /** The region's accessible name. */
  label: string;
  /** The first line; `label` when absent. */
  heading?: ReactNode;
  /** What the person must do with it (e.g. "shown once: store it now"). */
  note?: ReactNode;
  value: string;
  /** When given, the value is a read-only input with this label (selected on focus); otherwise it is code text. */
  valueLabel?: string;
  copyLabel: string;
  done?: { label: string; onDone: () => void };
  className?: string;
}

export function SecretPanel({ label, heading, note, value, valueLabel, copyLabel, done, className }: Props) {
  const inputId = useId();
  return (
    <div className={className ? `card ${className}` : 'card'} role="region" aria-label={label}>
      <p>{heading ?? label}</p>
      {note && <p className="muted">{note}</p>}
      <div className="row wrap">
        {valueLabel ? (
          <>
            <label htmlFor={inputId} className="visually-hidden">
              {valueLabel}
            </label>
            <input id={inputId} className="secret-value" readOnly value={value} onFocus={(e) => e.target.select()} />
          </>
        ) : (
          <code className="secret">{value}</code>
        )}
        <CopyButton text={value} label={copyLabel} />
        {done && (
          <button type="button" className="button" onClick={done.onDone}>
            {done.label}
          </button>
        )}
      </div>
    </div>
  );
}
