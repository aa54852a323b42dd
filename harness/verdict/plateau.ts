// Does a series level off, or keep growing? A store bounded by a TTL (seed 001
// P1-8: records kept for a while, swept now and then) grows for one lifetime
// of its records and then holds rate × lifetime: a plateau, however high. A
// store with no working sweep keeps growing. Within one lifetime the two look
// the same, so the rule only speaks about the part of the run AFTER one
// lifetime of load (the settled window), and only when that part is itself at
// least one lifetime long, so the store has turned over at least once in it:
//   - growing:  the settled window's slope is above the floor δ (interval lower
//               bound above δ, the memory verdict's own rule);
//   - plateau:  its slope is certified under δ (interval upper bound under δ)
//               and its median stands at least `minRise` above the pre-load
//               level: it rose, then stopped;
//   - flat:     certified under δ, and it never rose;
//   - undecided: the interval straddles δ (a sawtooth of sweeps, or noise);
//   - too-short: not enough run after one lifetime to say.
// Pure: no I/O.

import { median } from './stats.ts';
import { estimateTrend, hasSpread } from './trend.ts';

export type Shape = 'plateau' | 'growing' | 'flat' | 'undecided' | 'too-short';

export interface ShapePoint {
  /** ms since load started (the pre-load checkpoint is at ≤ 0). */
  t: number;
  /** The x axis: cumulative requests (or events). */
  x: number;
  /** The value (post-GC bytes, or a count). */
  y: number;
}

export interface ShapeOptions {
  /** How long one record of the store lives, ms (e.g. 3 × TTL for keep 2 × TTL, sweep every TTL). */
  lifetimeMs: number;
  /** δ per x unit: the slope above which the series is growing (the memory verdict's floor). */
  floor: number;
  /** The rise above the pre-load level that makes it a plateau rather than flat. */
  minRise: number;
  /** Points a settled window needs, default MIN_SETTLED_POINTS. */
  minPoints?: number;
}

/** Six points: what the verdict's Sen interval needs to be narrower than the extreme slopes at 95 %. */
export const MIN_SETTLED_POINTS = 6;

export interface ShapeJudgement {
  shape: Shape;
  lifetimeMs: number;
  /** The settled window: points, first and last t (ms since load started). */
  settled: { n: number; fromMs: number; toMs: number };
  /** Theil–Sen slope over the settled window and its 95 % interval; null when too short. */
  slope: { value: number; lower: number; upper: number } | null;
  floor: number;
  /** Median of the settled window above the pre-load value; null when too short. */
  rise: number | null;
  /** One sentence. */
  line: string;
}

const sec = (ms: number): string => `${Math.round(ms / 1000)} s`;
const f1 = (v: number): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(1));

/** Bytes as KiB/MiB for the sentence (counts pass through as numbers). */
function amount(v: number, bytes: boolean): string {
  if (!bytes) return f1(v);
  const a = Math.abs(v);
  return a >= 1024 ** 2 ? `${(v / 1024 ** 2).toFixed(2)} MiB` : a >= 1024 ? `${(v / 1024).toFixed(0)} KiB` : `${v.toFixed(0)} B`;
}

/**
 * The shape of `points` (in time order; the first one is the pre-load level)
 * after one lifetime of load. `bytes`: say the rise in KiB/MiB.
 */
export function judgeShape(points: readonly ShapePoint[], options: ShapeOptions, bytes = true): ShapeJudgement {
  const { lifetimeMs, floor, minRise } = options;
  const minPoints = options.minPoints ?? MIN_SETTLED_POINTS;
  const baseline = points[0]?.y ?? 0;
  const settled = points.filter((p) => p.t >= lifetimeMs);
  const fromMs = settled[0]?.t ?? 0;
  const toMs = settled.at(-1)?.t ?? 0;
  const base = { lifetimeMs, settled: { n: settled.length, fromMs, toMs }, floor };
  const x = settled.map((p) => p.x);
  if (settled.length < minPoints || toMs - fromMs < lifetimeMs || !hasSpread(x)) {
    const lastMs = points.at(-1)?.t ?? 0;
    return {
      ...base,
      shape: 'too-short',
      slope: null,
      rise: null,
      line: `too short to tell a plateau from a leak: ${settled.length} checkpoints over ${sec(Math.max(0, toMs - fromMs))} after one lifetime (${sec(lifetimeMs)}) of load; needs ${minPoints} over ≥ ${sec(lifetimeMs)} (the run lasted ${sec(lastMs)} of load, needs ≥ ${sec(2 * lifetimeMs)})`,
    };
  }
  const trend = estimateTrend(x, settled.map((p) => p.y));
  const slope = { value: trend.slope, lower: trend.ci.lower, upper: trend.ci.upper };
  const rise = median(settled.map((p) => p.y)) - baseline;
  const per = `${f1(slope.value)} [${f1(slope.lower)}, ${f1(slope.upper)}] per request`;
  const window = `after one lifetime (${sec(lifetimeMs)}), over ${settled.length} checkpoints ${sec(fromMs)}–${sec(toMs)} after load started`;
  let shape: Shape;
  let line: string;
  if (slope.lower > floor) {
    shape = 'growing';
    line = `keeps growing ${window}: ${per} > δ ${floor}; a bounded store would have levelled off`;
  } else if (slope.upper <= floor) {
    shape = rise >= minRise ? 'plateau' : 'flat';
    line =
      shape === 'plateau'
        ? `levels off ${window}: ${per} < δ ${floor}, at ${amount(rise, bytes)} above the pre-load level (a plateau, not a leak)`
        : `flat ${window}: ${per} < δ ${floor}, ${amount(rise, bytes)} above the pre-load level`;
  } else {
    shape = 'undecided';
    line = `neither levels off nor keeps growing with certainty ${window}: ${per} straddles δ ${floor}`;
  }
  return { ...base, shape, slope, rise, line };
}
