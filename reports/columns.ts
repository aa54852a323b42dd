// Column storage for the embedded data, bounded in size whatever the run's length.
//
// Rows are flat name → number maps ('rss', 'res:TCPSocketWrap', 'fault:429').
// A name absent from a row means "not measured then": a scalar column reads
// null there, a counted key ('res:', 'tcp:', 'fault:', …) reads 0 when its
// group was measured in that row (a handle type that did not exist yet) and
// null when it was not (a /proc-only sample has no probe resources).
//
// Bounded: past `maxBuckets` rows, adjacent rows are merged pairwise into
// buckets that keep each column's min and max (an envelope: a spike survives,
// which averaging or LTTB would smooth away), and are emitted as two rows, the
// min at the bucket's first time and the max at its last. Cumulative columns
// (faults) are monotone, so min/max are their first/last values: still exact.
// An 8-hour run at 1 Hz is 28 800 samples; Clinic Doctor's 191 MB page for a
// 3-hour run is what unbounded embedding looks like.

export type Row = Record<string, number>;

/** Group prefix of a counted key → the presence column of its source. */
export const COUNT_GROUPS: Readonly<Record<string, string>> = {
  'res:': 'has:probe',
  'tcp:': 'has:proc',
  'fault:': 'has:faults',
  'ev:': 'has:events',
  'm:': 'has:relay',
};

interface Bucket {
  t0: number;
  t1: number;
  /** Phase index of the bucket's first row. */
  phase: number;
  min: Row;
  max: Row;
  rows: number;
}

export interface Envelope {
  add(t: number, phase: number, row: Row): void;
  /** Rows merged per bucket (1: every row kept as it was). */
  readonly factor: number;
  readonly count: number;
  finish(): { rows: Array<{ t: number; phase: number; row: Row }>; names: string[]; factor: number };
}

function mergeInto(a: Bucket, b: Bucket): void {
  a.t1 = b.t1;
  a.rows += b.rows;
  for (const [k, v] of Object.entries(b.min)) a.min[k] = k in a.min ? Math.min(a.min[k]!, v) : v;
  for (const [k, v] of Object.entries(b.max)) a.max[k] = k in a.max ? Math.max(a.max[k]!, v) : v;
}

export function envelope(maxBuckets: number): Envelope {
  let buckets: Bucket[] = [];
  let factor = 1;
  let open: Bucket | null = null;
  const names = new Set<string>();
  return {
    get factor() {
      return factor;
    },
    get count() {
      return buckets.length + (open === null ? 0 : 1);
    },
    add(t, phase, row) {
      for (const k of Object.keys(row)) names.add(k);
      const b: Bucket = { t0: t, t1: t, phase, min: row, max: { ...row }, rows: 1 };
      if (open === null) open = b;
      else mergeInto(open, b);
      if (open.rows >= factor) {
        buckets.push(open);
        open = null;
      }
      if (buckets.length >= maxBuckets) {
        // Halve the resolution: every pair of buckets becomes one.
        const merged: Bucket[] = [];
        for (let i = 0; i < buckets.length; i += 2) {
          const a = buckets[i]!;
          const next = buckets[i + 1];
          if (next !== undefined) mergeInto(a, next);
          merged.push(a);
        }
        buckets = merged;
        factor *= 2;
        // A last bucket left short after the merge stays open for the next rows.
        const last = buckets[buckets.length - 1];
        if (last !== undefined && last.rows < factor) open = buckets.pop()!;
      }
    },
    finish() {
      const all = open === null ? buckets : [...buckets, open];
      const rows: Array<{ t: number; phase: number; row: Row }> = [];
      for (const b of all) {
        if (b.rows === 1) rows.push({ t: b.t0, phase: b.phase, row: b.min });
        else {
          rows.push({ t: b.t0, phase: b.phase, row: b.min });
          rows.push({ t: b.t1, phase: b.phase, row: b.max });
        }
      }
      return { rows, names: [...names].sort(), factor };
    },
  };
}

/** One column's values over the rows, with the null/0 rule above. */
export function columnOf(rows: readonly { row: Row }[], name: string): Array<number | null> {
  const group = Object.keys(COUNT_GROUPS).find((p) => name.startsWith(p));
  const presence = group === undefined ? undefined : COUNT_GROUPS[group]!;
  return rows.map(({ row }) => {
    const v = row[name];
    if (v !== undefined) return v;
    return presence !== undefined && row[presence] === 1 ? 0 : null;
  });
}

/**
 * A column as JSON: integer columns as deltas ({ d: [...] }: memory figures
 * and times change by little between rows, so deltas are short and gzip well;
 * the notes measured 1.22 MB vs 2.05 MB for 8 h of 21 columns), other columns
 * as values rounded to 3 decimals. Nulls stay null and do not move the base.
 */
export type EncodedColumn = { d: Array<number | null> } | Array<number | null>;

export function encodeColumn(values: readonly (number | null)[]): EncodedColumn {
  const integers = values.every((v) => v === null || (Number.isSafeInteger(v) && Math.abs(v) < 2 ** 52));
  if (!integers) return values.map((v) => (v === null || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000));
  let base = 0;
  return {
    d: values.map((v) => {
      if (v === null) return null;
      const d = v - base;
      base = v;
      return d;
    }),
  };
}

/** The inverse of encodeColumn (the page does the same in JS). */
export function decodeColumn(column: EncodedColumn): Array<number | null> {
  if (Array.isArray(column)) return column;
  let base = 0;
  return column.d.map((d) => {
    if (d === null) return null;
    base += d;
    return base;
  });
}
