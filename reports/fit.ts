// The fitted Theil–Sen line drawn over post-GC heapUsed. The verdict reports
// the slope and its 95 % interval, not an intercept (Theil–Sen has none of its
// own): the intercept is the median of y − slope·x over the judged
// checkpoints, the usual companion of the Sen slope, and the band's edges are
// lines of slope lower/upper through the same kind of median, so all three
// cross the data where most of it is.

import type { Checkpoint } from '../harness/records.ts';
import { stats, type SignalVerdict } from '../harness/verdict/index.ts';

/** The x of a checkpoint on the verdict's axis label ('request' or "event 'name'"). */
export function axisX(axisLabel: string): (c: Checkpoint) => number {
  const event = /^event '(.*)'$/.exec(axisLabel);
  if (event === null) return (c) => c.requestsCompleted;
  const name = event[1]!;
  // Older run folders did not count `requests` as an event (harness/judge/verdict-meta.ts).
  return (c) => c.events?.[name] ?? (name === 'requests' ? c.requestsCompleted : 0);
}

export interface FitLine {
  /** Per checkpoint (sorted by seq): fitted y, band low, band high; null outside the judged window. */
  y: Array<number | null>;
  lo: Array<number | null>;
  hi: Array<number | null>;
  slope: number;
  lower: number | null;
  upper: number | null;
  unit: string;
}

/** A slope with its 95 % interval, as the verdict (or a signature check) reports it. */
export interface SlopeEstimate {
  slope: number | null;
  lower: number | null;
  upper: number | null;
  unit: string;
}

/** `sorted` by seq; the first `dropped` are warm-up. Null when the verdict has no slope. */
export function fitLine(sorted: readonly Checkpoint[], dropped: number, verdict: SignalVerdict | undefined, axisLabel: string): FitLine | null {
  if (verdict === undefined) return null;
  const signal = verdict.signal;
  return fitOver(sorted, dropped, verdict, axisX(axisLabel), (c) => c.memory[signal]);
}

/**
 * The same line for any series: y(c) over x(c) on the checkpoints after the
 * first `dropped` (a handle count over an event count, for a signature check's
 * Theil–Sen slope). Null when there is no slope or fewer than 2 judged points.
 */
export function fitOver(
  sorted: readonly Checkpoint[],
  dropped: number,
  estimate: SlopeEstimate,
  x: (c: Checkpoint) => number,
  y: (c: Checkpoint) => number,
  /** Decimals kept: 0 for bytes (integers gzip well), 2 for small counts. */
  decimals = 0,
): FitLine | null {
  if (estimate.slope === null || !Number.isFinite(estimate.slope)) return null;
  const judged = sorted.slice(dropped);
  if (judged.length < 2) return null;
  const through = (slope: number): ((c: Checkpoint) => number) => {
    const intercept = stats.median(judged.map((c) => y(c) - slope * x(c)));
    const scale = 10 ** decimals;
    return (c) => Math.round((intercept + slope * x(c)) * scale) / scale;
  };
  const line = through(estimate.slope);
  const low = estimate.lower !== null && Number.isFinite(estimate.lower) ? through(estimate.lower) : null;
  const high = estimate.upper !== null && Number.isFinite(estimate.upper) ? through(estimate.upper) : null;
  const pick = (f: ((c: Checkpoint) => number) | null) => sorted.map((c, i) => (i < dropped || f === null ? null : f(c)));
  // Both edge lines cross near the data's middle: left of it the lower-slope line is the
  // higher one. The band is what lies between them, so take the min and max per point
  // (a band filled only where `high` > `low` showed half of it).
  const a = pick(low);
  const b = pick(high);
  const edge = (pickMax: boolean) => a.map((v, i) => (v === null || b[i] === null ? null : pickMax ? Math.max(v, b[i]!) : Math.min(v, b[i]!)));
  return { y: pick(line), lo: edge(false), hi: edge(true), slope: estimate.slope, lower: estimate.lower, upper: estimate.upper, unit: estimate.unit };
}
