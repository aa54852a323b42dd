// Escaping and number formatting for the HTML the builder writes. Every value
// from a run folder is text we did not write: it goes through esc().

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Like the terminal summary (harness/verdict/format.ts): whole numbers from 1000 up, two significant digits under 0.1. */
export function num(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && a < 0.1) return v.toPrecision(2);
  return a >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits);
}

export function hours(h: number | null | undefined): string {
  if (h === null || h === undefined || !Number.isFinite(h)) return 'never (not growing)';
  if (h > 24 * 365) return '> 1 year';
  if (h > 48) return `${(h / 24).toFixed(1)} d`;
  if (h >= 1) return `${h.toFixed(1)} h`;
  return `${(h * 60).toFixed(0)} min`;
}

export function mib(bytes: number | null | undefined, digits = 1): string {
  return bytes === null || bytes === undefined || !Number.isFinite(bytes) ? '—' : (bytes / 2 ** 20).toFixed(digits);
}

/** Seconds since the run's start, as the charts' time axis shows them. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  if (Math.abs(s) < 600) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** A CSS class for a status word (LEAK → status-leak). */
export function statusClass(status: string): string {
  return `status-${status.toLowerCase().replace(/[^a-z]+/g, '-')}`;
}
