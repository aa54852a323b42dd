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

/** `sorted` by seq; the first `dropped` are warm-up. Null when the verdict has no slope. */
export function fitLine(sorted: readonly Checkpoint[], dropped: number, verdict: SignalVerdict | undefined, axisLabel: string): FitLine | null {
  if (verdict === undefined || verdict.slope === null || !Number.isFinite(verdict.slope)) return null;
  const judged = sorted.slice(dropped);
  if (judged.length < 2) return null;
  const x = axisX(axisLabel);
  const signal = verdict.signal;
  const through = (slope: number): ((c: Checkpoint) => number) => {
    const intercept = stats.median(judged.map((c) => c.memory[signal] - slope * x(c)));
    return (c) => Math.round(intercept + slope * x(c));
  };
  const line = through(verdict.slope);
  const low = verdict.lower !== null && Number.isFinite(verdict.lower) ? through(verdict.lower) : null;
  const high = verdict.upper !== null && Number.isFinite(verdict.upper) ? through(verdict.upper) : null;
  const pick = (f: ((c: Checkpoint) => number) | null) => sorted.map((c, i) => (i < dropped || f === null ? null : f(c)));
  return { y: pick(line), lo: pick(low), hi: pick(high), slope: verdict.slope, lower: verdict.lower, upper: verdict.upper, unit: verdict.unit };
}
