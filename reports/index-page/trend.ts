// The key slope of a scenario+variant group across its runs: the baseline it is
// held to, which runs regressed against it, and the series a sparkline draws,
// bounded by a min/max envelope so a spike among thousands of runs survives.
//
// Baseline: the group's first (oldest) NO-LEAK run. A later run regresses when
//  - its verdict is LEAK (the baseline's was NO-LEAK), or
//  - its heapUsed slope's 95 % lower bound is above the baseline's upper bound
//    (same unit: the two intervals do not overlap, the run grows faster).
// Runs older than the baseline are not marked: they predate what it proves
// (the leaky runs before a fix, typically).

export interface TrendPoint {
  /** Start time, ms since the epoch (the group is ordered by it). */
  time: number;
  label: string;
  status: string;
  slope: number | null;
  lower: number | null;
  upper: number | null;
  unit: string | null;
}

export interface GroupTrend {
  /** Index into the (time-ordered) points of the baseline run; null when the group has no NO-LEAK run. */
  baseline: number | null;
  /** Why each point regressed, null when it did not (same order as the points). */
  regressed: Array<string | null>;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && a < 0.1) return v.toPrecision(2);
  return a >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

/** Why `p` regressed against `base`, or null. */
export function regressionOf(p: TrendPoint, base: TrendPoint): string | null {
  if (p.status === 'LEAK') return `LEAK where the baseline ${base.label} was NO-LEAK`;
  if (p.lower !== null && base.upper !== null && p.unit !== null && p.unit === base.unit && p.lower > base.upper) {
    return `heapUsed slope lower bound ${fmt(p.lower)} > the baseline's upper bound ${fmt(base.upper)} ${p.unit} (${base.label})`;
  }
  return null;
}

/** `points` in time order (oldest first). */
export function groupTrend(points: readonly TrendPoint[]): GroupTrend {
  const b = points.findIndex((p) => p.status === 'NO-LEAK');
  const base = b < 0 ? undefined : points[b];
  return {
    baseline: b < 0 ? null : b,
    regressed: points.map((p, i) => (base === undefined || i <= b ? null : regressionOf(p, base))),
  };
}

export interface EnvelopeBucket {
  /** Indices [from, to) of the points merged into this bucket. */
  from: number;
  to: number;
  min: number;
  max: number;
}

/** Sparklines draw at most this many buckets: past it, runs are merged into min/max envelopes. */
export const MAX_SPARK_BUCKETS = 200;

/**
 * Values (in order) into at most `maxBuckets` buckets of consecutive values,
 * each keeping its min and max: a single spike stays visible, which averaging
 * would hide. A bucket whose values are all null is null (a gap in the line).
 */
export function envelopeSeries(values: ReadonlyArray<number | null>, maxBuckets = MAX_SPARK_BUCKETS): Array<EnvelopeBucket | null> {
  const n = values.length;
  const buckets = Math.min(n, Math.max(1, Math.floor(maxBuckets)));
  const out: Array<EnvelopeBucket | null> = [];
  for (let i = 0; i < buckets; i++) {
    const from = Math.floor((i * n) / buckets);
    const to = Math.floor(((i + 1) * n) / buckets);
    let min = Infinity;
    let max = -Infinity;
    for (let j = from; j < to; j++) {
      const v = values[j];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    out.push(min === Infinity ? null : { from, to, min, max });
  }
  return out;
}
