/** A median in seconds as people read it: "4.2 s", "3 min 5 s", "2 h 10 min"; "—" when there is none. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes - hours * 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A rate from 0 to 1 as a percentage in `language`; "—" when there is none. */
export function formatRate(rate: number | null | undefined, language: string): string {
  if (rate === null || rate === undefined) return '—';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}
