// A labelled field for an outside page's address (a webhook's receiver, a page to add to the knowledge base): an
// absolute URL as the browser checks it, no longer than the server accepts, never auto-completed.
export function UrlField({ label, value, onValue }: { label: string; value: string; onValue: (value: string) => void }) {
  return (
    <label className="field">
      {label}
      <input
        type="url"
        value={value}
        onChange={(event) => onValue(event.target.value)}
        placeholder="https://"
        required
        maxLength={2048}
        autoComplete="off"
      />
    </label>
  );
}
