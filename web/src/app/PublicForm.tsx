// The pages a person sees before signing in (sign-in, forgotten password, reset, accept an invitation) share one
// shape: a card holding a form named by its heading, its fields, a refusal if any, one submit button, a link to the
// next place and the language picker. The pieces here are that shape, so the pages say only what differs.
import { useId, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { LanguagePicker } from '../components/LanguagePicker';

interface PublicFormProps {
  title: string;
  onSubmit: () => void;
  /** Below the form's content, above the language picker: usually a link to another public page. */
  footer: ReactNode;
  children: ReactNode;
}

export function PublicForm({ title, onSubmit, footer, children }: PublicFormProps) {
  const titleId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <main className="sign-in" id="main">
      <form className="card sign-in-form" onSubmit={submit} aria-labelledby={titleId}>
        <h1 id={titleId}>{title}</h1>
        {children}
        {footer}
        <LanguagePicker />
      </form>
    </main>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;

/** A labelled input whose value is a string held by the page. */
export function TextField({
  label,
  value,
  onValue,
  ...input
}: InputProps & { label: string; value: string; onValue: (value: string) => void }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} value={value} onChange={(event) => onValue(event.target.value)} />
    </label>
  );
}

/** A password the person chooses: the length the server requires (8) is asked for before sending. */
export function NewPasswordField({
  label,
  value,
  onValue,
}: {
  label: string;
  value: string;
  onValue: (value: string) => void;
}) {
  return (
    <TextField
      label={label}
      type="password"
      autoComplete="new-password"
      required
      minLength={8}
      value={value}
      onValue={onValue}
    />
  );
}

/** The form's one submit button, disabled while its request is under way. */
export function SubmitButton({ pending, children }: { pending: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="button primary" disabled={pending}>
      {children}
    </button>
  );
}
