// Which runs a calibration makes: injected sizes × repetitions, handle leaks,
// and control runs, in a seeded interleaved order (machine drift over the
// session then hits every class alike instead of the last ones).

import { createRng } from '../../shared/prng.ts';
import type { Truth } from './summary.ts';

export interface CalibrationPlan {
  mode: 'quick' | 'full' | 'custom';
  /** Bytes retained per request, one class each. */
  sizes: number[];
  /** Runs per size. */
  reps: number;
  /** Control runs (nothing injected). */
  controls: number;
  /** One fd opened per K requests, one class per K. */
  handleEvery: number[];
  handleReps: number;
  /** Load time per run. */
  durationMs: number;
  /** Requests per second (the calibration scenario's default when null). */
  rate: number | null;
  /** --until-verdict: every run stops at its first certain LEAK (sequential looks); absent in older ledgers. */
  untilVerdict?: boolean;
  /** --floor adaptive: every run judged with the floor its judged requests certify (verdict/certify.ts); absent: fixed. */
  floor?: 'adaptive';
}

/**
 * `--quick` fits 30 minutes on 2 cores: 13 runs of ≈ 110 s each
 * (measured: 90 s load + ≈ 20 s for start, 17 drained checkpoints, stop and judging). Full: 10-minute runs, every size of
 * issue #18 (4…4096 B/request) three times and 20 controls (a false-LEAK rate of 0/20 bounds it under 14 % at 95 %;
 * 0/10 only under 26 %): 54 runs, ≈ 9.3 hours, run in nightly chunks (--budget, --resume). The 4 and 8 B/request
 * classes are under the default δ (32) by design: they measure what a lower floor would have to certify.
 */
export const QUICK_PLAN: CalibrationPlan = { mode: 'quick', sizes: [16, 64, 256, 1024], reps: 2, controls: 4, handleEvery: [1000], handleReps: 1, durationMs: 90_000, rate: null };
export const FULL_PLAN: CalibrationPlan = { mode: 'full', sizes: [4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096], reps: 3, controls: 20, handleEvery: [1000, 10_000], handleReps: 2, durationMs: 600_000, rate: null };

/**
 * The plan's name by the runs it makes: `quick` or `full` when its classes,
 * repetitions and load are those plans', else `custom`. How each run is
 * judged (--floor, --until-verdict) is recorded beside and does not rename it:
 * a full calibration judged with the adaptive floor is still the full one.
 */
export function planMode(plan: CalibrationPlan): CalibrationPlan['mode'] {
  const runsOf = (p: CalibrationPlan) => JSON.stringify([p.sizes, p.reps, p.controls, p.handleEvery, p.handleReps, p.durationMs, p.rate]);
  return runsOf(plan) === runsOf(QUICK_PLAN) ? 'quick' : runsOf(plan) === runsOf(FULL_PLAN) ? 'full' : 'custom';
}

/** Measured overhead of one calibration run beyond its load time (start, checkpoints, stop, judging). */
export const RUN_OVERHEAD_MS = 20_000;

export interface PlannedRun {
  truth: Truth;
  seed: number;
}

export function plannedRuns(plan: CalibrationPlan, seed = 1): PlannedRun[] {
  const truths: Truth[] = [];
  for (let i = 0; i < plan.controls; i++) truths.push({ kind: 'control' });
  for (const b of plan.sizes) for (let i = 0; i < plan.reps; i++) truths.push({ kind: 'bytes', bytesPerRequest: b });
  for (const k of plan.handleEvery) for (let i = 0; i < plan.handleReps; i++) truths.push({ kind: 'handles', every: k });
  // Fisher–Yates with the shared seeded generator: the same plan gives the same order.
  const rng = createRng(`calibration:${seed}`);
  for (let i = truths.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [truths[i], truths[j]] = [truths[j]!, truths[i]!];
  }
  // Each run its own seed: replicates differ in their request stream, as independent runs would.
  return truths.map((truth, i) => ({ truth, seed: seed * 1000 + i }));
}

export function estimatedMs(plan: CalibrationPlan): number {
  return plannedRuns(plan).length * (plan.durationMs + RUN_OVERHEAD_MS);
}
