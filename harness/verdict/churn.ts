// Churn: what each request costs the allocator and the GC even when nothing
// is retained (the seed-000 class: a health scan that deep-copies the account
// pool every few seconds leaks nothing and still burns a core), and the
// event-loop delay during marked phases.

import type { Checkpoint, ContinuousSample } from '../records.ts';
import { createRng } from '../../shared/prng.ts';
import { median, quantile, quantileSorted } from './stats.ts';

export interface ChurnOptions {
  /** Phases whose event-loop delay is reported, by exact name or pattern (e.g. 'health-scan'). */
  phase?: string | RegExp;
  /** Phases excluded from the per-request figures (warm-up). */
  excludePhases?: readonly string[];
}

/** One window between two consecutive cumulative readings. */
export interface ChurnWindow {
  requests: number;
  allocatedBytes: number;
  gcMs: number;
}

export interface Spread {
  /** Windows the figure is over. */
  windows: number;
  median: number;
  p10: number;
  p90: number;
}

export interface ChurnReport {
  /** Where the windows came from: samples (preferred) or checkpoints (forced GCs included). */
  source: 'samples' | 'checkpoints' | 'none';
  windows: ChurnWindow[];
  /** Σ allocated / Σ requests over all windows. */
  allocatedBytesPerRequest: number | null;
  allocatedSpread: Spread | null;
  /** Σ GC time / Σ requests, microseconds. */
  gcMicrosPerRequest: number | null;
  gcSpread: Spread | null;
  eventLoopDelay: {
    phase: string;
    /** p99 of each sample taken in a matching phase, ms. */
    inPhase: Spread | null;
    /** The same outside matching phases, for contrast. */
    outside: Spread | null;
    /** The in-phase p99 values themselves, kept for comparisons. */
    inPhaseP99: number[];
  } | null;
}

function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  return { windows: values.length, median: median(values), p10: quantile(values, 0.1), p90: quantile(values, 0.9) };
}

function phaseMatches(phase: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? phase === pattern : pattern.test(phase);
}

/**
 * Windows from consecutive samples that carry a probe reading. A window that
 * contains a checkpoint is dropped: the checkpoint's forced GCs are the
 * harness's doing, not the target's.
 */
function sampleWindows(samples: readonly ContinuousSample[], checkpointTimes: readonly number[], exclude: ReadonlySet<string>): ChurnWindow[] {
  const usable = samples.filter((s) => s.probe !== null).sort((a, b) => a.t - b.t);
  const out: ChurnWindow[] = [];
  for (let i = 1; i < usable.length; i++) {
    const a = usable[i - 1]!;
    const b = usable[i]!;
    if (exclude.has(a.phase) || exclude.has(b.phase)) continue;
    if (checkpointTimes.some((t) => t > a.t && t <= b.t)) continue;
    const requests = b.requestsCompleted - a.requestsCompleted;
    if (requests <= 0) continue;
    out.push({
      requests,
      allocatedBytes: b.probe!.allocatedBytes - a.probe!.allocatedBytes,
      gcMs: b.probe!.gc.timeMs - a.probe!.gc.timeMs,
    });
  }
  return out;
}

function checkpointWindows(checkpoints: readonly Checkpoint[], exclude: ReadonlySet<string>): ChurnWindow[] {
  const out: ChurnWindow[] = [];
  for (let i = 1; i < checkpoints.length; i++) {
    const a = checkpoints[i - 1]!;
    const b = checkpoints[i]!;
    if (exclude.has(a.phase) || exclude.has(b.phase) || a.procOnly || b.procOnly) continue;
    const requests = b.requestsCompleted - a.requestsCompleted;
    if (requests <= 0) continue;
    out.push({ requests, allocatedBytes: b.allocatedBytes - a.allocatedBytes, gcMs: b.gc.timeMs - a.gc.timeMs });
  }
  return out;
}

function ratioOfSums(windows: readonly ChurnWindow[], pick: (w: ChurnWindow) => number): number | null {
  let num = 0;
  let den = 0;
  for (const w of windows) {
    num += pick(w);
    den += w.requests;
  }
  return den > 0 ? num / den : null;
}

export function measureChurn(
  checkpoints: readonly Checkpoint[],
  samples: readonly ContinuousSample[],
  options: ChurnOptions = {},
): ChurnReport {
  const exclude = new Set(options.excludePhases ?? []);
  let windows = sampleWindows(samples, checkpoints.map((c) => c.t), exclude);
  let source: ChurnReport['source'] = 'samples';
  if (windows.length < 3) {
    windows = checkpointWindows(checkpoints, exclude);
    source = windows.length > 0 ? 'checkpoints' : 'none';
  }
  const gcPerReq = ratioOfSums(windows, (w) => w.gcMs);
  let eventLoopDelay: ChurnReport['eventLoopDelay'] = null;
  if (options.phase !== undefined) {
    const pattern = options.phase;
    const inside: number[] = [];
    const outside: number[] = [];
    for (const s of samples) {
      if (s.probe === null || exclude.has(s.phase)) continue;
      (phaseMatches(s.phase, pattern) ? inside : outside).push(s.probe.eventLoopDelay.p99);
    }
    eventLoopDelay = { phase: String(pattern), inPhase: spread(inside), outside: spread(outside), inPhaseP99: inside };
  }
  return {
    source,
    windows,
    allocatedBytesPerRequest: ratioOfSums(windows, (w) => w.allocatedBytes),
    allocatedSpread: spread(windows.map((w) => w.allocatedBytes / w.requests)),
    gcMicrosPerRequest: gcPerReq === null ? null : gcPerReq * 1000,
    gcSpread: spread(windows.map((w) => (w.gcMs * 1000) / w.requests)),
    eventLoopDelay,
  };
}

export interface RatioEstimate {
  /** b / a. */
  ratio: number;
  lower: number;
  upper: number;
  /** Windows per run the interval resampled. */
  windows: [number, number];
}

export interface ChurnComparison {
  allocatedBytesPerRequest: RatioEstimate | null;
  gcMicrosPerRequest: RatioEstimate | null;
  /** Ratio of the median in-phase event-loop delay p99. */
  eventLoopDelayInPhase: RatioEstimate | null;
}

/** Resample indices 0..n−1 in moving blocks of length ⌈n^{1/3}⌉ (windows are serially correlated). */
function blockResample(n: number, rng: () => number): number[] {
  const block = Math.max(1, Math.round(Math.cbrt(n)));
  const starts = n - block + 1;
  const out: number[] = [];
  while (out.length < n) {
    const s = Math.floor(rng() * starts);
    for (let k = 0; k < block && out.length < n; k++) out.push(s + k);
  }
  return out;
}

function bootstrapRatio<T>(
  a: readonly T[],
  b: readonly T[],
  statistic: (items: readonly T[]) => number | null,
  seed: string,
  replicates = 2000,
): RatioEstimate | null {
  const sa = statistic(a);
  const sb = statistic(b);
  if (sa === null || sb === null || sa <= 0 || a.length < 2 || b.length < 2) return null;
  const rng = createRng(seed);
  const reps: number[] = [];
  for (let r = 0; r < replicates; r++) {
    const ra = statistic(blockResample(a.length, rng).map((i) => a[i]!));
    const rb = statistic(blockResample(b.length, rng).map((i) => b[i]!));
    if (ra !== null && rb !== null && ra > 0) reps.push(rb / ra);
  }
  reps.sort((x, y) => x - y);
  return { ratio: sb / sa, lower: quantileSorted(reps, 0.025), upper: quantileSorted(reps, 0.975), windows: [a.length, b.length] };
}

/**
 * Run b against run a: ratios b/a with a 95 % moving-block bootstrap interval
 * over each run's windows, resampled independently (the runs are independent).
 */
export function compareChurn(a: ChurnReport, b: ChurnReport, seed = 'churn-compare'): ChurnComparison {
  const medianOrNull = (v: readonly number[]): number | null => (v.length === 0 ? null : median(v));
  return {
    allocatedBytesPerRequest: bootstrapRatio(a.windows, b.windows, (w) => ratioOfSums(w, (x) => x.allocatedBytes), `${seed}:alloc`),
    gcMicrosPerRequest: bootstrapRatio(a.windows, b.windows, (w) => ratioOfSums(w, (x) => x.gcMs), `${seed}:gc`),
    eventLoopDelayInPhase: bootstrapRatio(a.eventLoopDelay?.inPhaseP99 ?? [], b.eventLoopDelay?.inPhaseP99 ?? [], medianOrNull, `${seed}:eld`),
  };
}
