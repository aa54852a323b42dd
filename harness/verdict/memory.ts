// Per-signal memory verdicts from post-warm-up checkpoints.
//
// Decision rule (README.md has it in plain words):
//   LEAK          CI lower bound > δ, Mann–Kendall/Hamed–Rao gate passed (p < α, S > 0),
//                 and the second half still growing.
//   NO-LEAK       otherwise, when the run could have seen a leak: reports the minimal
//                 detectable slope; growth that stopped (second half flat) is a finding.
//   INCONCLUSIVE  target crashed, < 8 checkpoints, no progress on x, CI wider than
//                 noisyFactor·δ, a slope above δ that the run cannot confirm or refute.

import { VerdictError } from './errors.ts';
import { tooShortReason } from './warmup.ts';
import type { Checkpoint } from '../records.ts';
import { normalQuantile } from './stats.ts';
import { estimateTrend, hasSpread, type Trend, type TrendOptions } from './trend.ts';
import { axisLabel, memoryOf, xOf } from './series.ts';
import type { Axis, MemorySignal, Status } from './types.ts';

/**
 * Default effect-size floors δ, bytes per x unit (request or event).
 *  - heapUsed 32 B: the default; well under any per-request leak that
 *    matters (a retained closure + small object is ≥ 100 B) and ~300× the 0.1 B/request
 *    drift measured on healthy post-GC runs.
 *  - external / arrayBuffers 32 B: Buffers are as precise as the heap after GC.
 *  - rss 256 B: rss moves in 4 KiB pages and allocator arenas, so its noise per
 *    checkpoint is ~10× the heap's; a smaller floor would report allocator
 *    behaviour, which has its own finding.
 */
export const DEFAULT_FLOORS: Readonly<Record<MemorySignal, number>> = {
  heapUsed: 32,
  external: 32,
  arrayBuffers: 32,
  rss: 256,
};

export const DEFAULT_HEAP_LIMIT_BYTES = 4 * 1024 ** 3;


export interface MemoryOptions extends TrendOptions {
  axis?: Axis;
  floors?: Partial<Record<MemorySignal, number>>;
  /** Fewer post-warm-up checkpoints than this → INCONCLUSIVE. Default 8. */
  minCheckpoints?: number;
  /** CI wider than noisyFactor·δ (and no LEAK) → INCONCLUSIVE 'too noisy'. Default 4. */
  noisyFactor?: number;
  /** Judged window shorter than this (seconds, requests) → INCONCLUSIVE: see warmup.ts tooShortReason. */
  minJudgedSeconds?: number;
  minJudgedRequests?: number;
  /** Heap limit for the projection; overrides the run's v8 heap_size_limit. */
  heapLimitBytes?: number;
  /** Budget for rss/external/arrayBuffers projections (a container limit); default the heap limit. */
  memoryLimitBytes?: number;
}

export interface SecondHalf {
  n: number;
  /** null when the second half has no spread on x (e.g. no events there). */
  slope: number | null;
  lower: number | null;
  upper: number | null;
  /** growing: slope > δ/2 and CI lower > 0; flat: CI upper ≤ δ; unclear: neither. */
  state: 'growing' | 'flat' | 'unclear';
}

export interface Projection {
  limitBytes: number;
  limitSource: string;
  /** Hours until the fitted value reaches the limit at the measured rate; null when not growing. */
  hoursToLimit: number | null;
}

export interface SignalVerdict {
  signal: MemorySignal;
  /** NATIVE-GROWTH: set by judgeRun on rss when the JS signals are flat. */
  status: Status | 'NOT-MEASURED' | 'NATIVE-GROWTH';
  /** Why, in words: the first entry is the deciding one. */
  reasons: string[];
  /** Post-warm-up checkpoints used. */
  n: number;
  /** 'B/request' or "B/event 'x'". */
  unit: string;
  floor: number;
  /** Theil–Sen slope and its 95 % interval, bytes per x unit; null when not computed. */
  slope: number | null;
  lower: number | null;
  upper: number | null;
  ciMethod: 'sen' | 'block-bootstrap' | 'sen+block-bootstrap' | null;
  trend: { s: number; z: number; p: number; varianceFactor: number; passed: boolean } | null;
  secondHalf: SecondHalf | null;
  /** Smallest true slope this run would call LEAK with ~80 % probability (see minimalDetectableSlope). */
  minimalDetectableSlope: number | null;
  /** x units per second over the judged checkpoints (request or event rate). */
  xPerSecond: number | null;
  mibPerHour: number | null;
  projection: Projection | null;
  /** Set when growth happened but stopped: a cache filling once, an arena settling. */
  levelledOff: boolean;
}

const Z_POWER_80 = normalQuantile(0.8);

/**
 * Minimal detectable slope: LEAK needs the CI lower bound above δ. With a CI
 * half-width h (≈ z_{1−α/2}·SE), a true slope s gives lower ≈ ŝ − h, so
 * P(LEAK) ≈ Φ((s − δ − h)/SE). Solving for 80 % power:
 *   s = δ + h + z_{0.8}·SE = δ + h·(1 + z_{0.8}/z_{1−α/2}).
 * It grows with the residual noise and shrinks with the x range, as it should.
 */
export function minimalDetectableSlope(floor: number, lower: number, upper: number, level = 0.95): number {
  const h = (upper - lower) / 2;
  return floor + h * (1 + Z_POWER_80 / normalQuantile(1 - (1 - level) / 2));
}

export function heapLimitOf(options: MemoryOptions, heapSizeLimit: number | undefined): { bytes: number; source: string } {
  if (options.heapLimitBytes !== undefined) return { bytes: options.heapLimitBytes, source: 'heap limit from options' };
  if (heapSizeLimit !== undefined && heapSizeLimit > 0) return { bytes: heapSizeLimit, source: 'v8 heap_size_limit of the target' };
  return { bytes: DEFAULT_HEAP_LIMIT_BYTES, source: 'default 4 GiB: target heap limit unknown' };
}

function limitFor(signal: MemorySignal, options: MemoryOptions, heapSizeLimit: number | undefined): { bytes: number; source: string } {
  const heap = heapLimitOf(options, heapSizeLimit);
  if (signal === 'heapUsed') return heap;
  if (options.memoryLimitBytes !== undefined) return { bytes: options.memoryLimitBytes, source: 'memory limit from options' };
  return { bytes: heap.bytes, source: `${heap.source}, used as the budget (no memory limit given)` };
}

function emptyVerdict(signal: MemorySignal, unit: string, floor: number, n: number, status: SignalVerdict['status'], reason: string): SignalVerdict {
  return {
    signal,
    status,
    reasons: [reason],
    n,
    unit,
    floor,
    slope: null,
    lower: null,
    upper: null,
    ciMethod: null,
    trend: null,
    secondHalf: null,
    minimalDetectableSlope: null,
    xPerSecond: null,
    mibPerHour: null,
    projection: null,
    levelledOff: false,
  };
}

/** Short but not lossy: 149.9 stays 149.9 (a CI printed as [150, 150] would read as zero width). */
function fmt(v: number | null): string {
  if (v === null) return 'n/a';
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 1 || a === 0 ? v.toFixed(1) : v.toPrecision(2);
}

export interface MemoryContext {
  /** Set when the target crashed: the verdict is INCONCLUSIVE whatever the slope. */
  crashed?: string;
  heapSizeLimit?: number;
}

/**
 * Judge one memory signal. `checkpoints` are the post-warm-up checkpoints in
 * seq order.
 */
export function judgeMemorySignal(
  checkpoints: readonly Checkpoint[],
  signal: MemorySignal,
  options: MemoryOptions = {},
  context: MemoryContext = {},
): SignalVerdict {
  const verdict = judgeSeries(checkpoints, signal, options, context);
  // Too short a window: the figures stay (they help diagnosis), the verdict does not.
  const tooShort = verdict.ciMethod !== null ? tooShortReason(checkpoints, options) : null;
  if (tooShort !== null) {
    verdict.status = 'INCONCLUSIVE';
    verdict.levelledOff = false;
    verdict.reasons.unshift(tooShort);
  }
  if (context.crashed !== undefined && verdict.status !== 'NOT-MEASURED') {
    verdict.status = 'INCONCLUSIVE';
    verdict.reasons.unshift(`target crashed (${context.crashed}); figures for diagnosis only`);
  }
  return verdict;
}

function judgeSeries(
  checkpoints: readonly Checkpoint[],
  signal: MemorySignal,
  options: MemoryOptions,
  context: MemoryContext,
): SignalVerdict {
  const axis: Axis = options.axis ?? { kind: 'requests' };
  const unit = `B/${axisLabel(axis)}`;
  const floor = options.floors?.[signal] ?? DEFAULT_FLOORS[signal];
  if (!(floor > 0)) throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `floors.${signal}: expected a positive number of bytes, got ${floor}`);
  const n = checkpoints.length;
  const minCheckpoints = options.minCheckpoints ?? 8;
  if (!Number.isInteger(minCheckpoints) || minCheckpoints < 4) {
    throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `minCheckpoints: expected an integer ≥ 4, got ${minCheckpoints}`);
  }
  if (options.noisyFactor !== undefined && !(options.noisyFactor > 0)) {
    throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `noisyFactor: expected a positive number, got ${options.noisyFactor}`);
  }
  if (signal !== 'rss' && checkpoints.some((c) => c.procOnly)) {
    return emptyVerdict(signal, unit, floor, n, 'NOT-MEASURED', 'target has no probe: only /proc rss is known');
  }
  if (n < minCheckpoints) {
    return emptyVerdict(signal, unit, floor, n, 'INCONCLUSIVE', `too few checkpoints after warm-up: ${n} < ${minCheckpoints}`);
  }
  const x = checkpoints.map((c) => xOf(c, axis));
  const y = checkpoints.map((c) => memoryOf(c, signal));
  if (!hasSpread(x)) {
    return emptyVerdict(signal, unit, floor, n, 'INCONCLUSIVE', `no progress on the x axis (${axisLabel(axis)} count did not change)`);
  }
  const trendOptions: TrendOptions = { ...options, bootstrapSeed: options.bootstrapSeed ?? `memory:${signal}` };
  const whole = estimateTrend(x, y, trendOptions);
  const half = judgeSecondHalf(x, y, floor, trendOptions);
  const gatePassed = whole.mk.p < (options.alpha ?? 0.05) && whole.mk.s > 0;

  const first = checkpoints[0]!;
  const last = checkpoints[n - 1]!;
  const seconds = (last.t - first.t) / 1000;
  const xPerSecond = seconds > 0 ? (x[n - 1]! - x[0]!) / seconds : null;
  const bytesPerSecond = xPerSecond === null ? null : whole.slope * xPerSecond;
  const limit = limitFor(signal, options, context.heapSizeLimit);
  const current = whole.intercept + whole.slope * x[n - 1]!;
  const projection: Projection = {
    limitBytes: limit.bytes,
    limitSource: limit.source,
    hoursToLimit:
      bytesPerSecond !== null && bytesPerSecond > 0 ? Math.max(0, limit.bytes - current) / bytesPerSecond / 3600 : null,
  };
  const mds = minimalDetectableSlope(floor, whole.ci.lower, whole.ci.upper, whole.ci.level);

  const verdict: SignalVerdict = {
    signal,
    status: 'NO-LEAK',
    reasons: [],
    n,
    unit,
    floor,
    slope: whole.slope,
    lower: whole.ci.lower,
    upper: whole.ci.upper,
    ciMethod: whole.ci.method,
    trend: { s: whole.mk.s, z: whole.mk.z, p: whole.mk.p, varianceFactor: whole.mk.factor, passed: gatePassed },
    secondHalf: half,
    minimalDetectableSlope: mds,
    xPerSecond,
    mibPerHour: bytesPerSecond === null ? null : (bytesPerSecond * 3600) / 2 ** 20,
    projection,
    levelledOff: false,
  };
  const ci = `slope ${fmt(whole.slope)} ${unit}, 95 % CI [${fmt(whole.ci.lower)}, ${fmt(whole.ci.upper)}]`;
  const decide = (status: Status, reason: string): SignalVerdict => {
    verdict.status = status;
    verdict.reasons.unshift(reason);
    return verdict;
  };

  const aboveFloor = whole.ci.lower > floor;
  const pointAbove = whole.slope > floor;
  let result: SignalVerdict;
  if ((aboveFloor || pointAbove) && half.state === 'flat') {
    verdict.levelledOff = true;
    result = decide('NO-LEAK', `grew, then levelled off: second half ${fmt(half.slope)} ${unit}, CI upper ${fmt(half.upper)} ≤ δ ${floor} (${ci})`);
  } else if (aboveFloor && half.state === 'growing' && gatePassed) {
    result = decide('LEAK', `${ci} above δ ${floor}; trend p ${whole.mk.p.toPrecision(2)}; still growing in the second half`);
  } else if (aboveFloor && half.state === 'growing') {
    result = decide('INCONCLUSIVE', `${ci} above δ ${floor} but the trend is not significant after the autocorrelation correction (p ${whole.mk.p.toPrecision(2)})`);
  } else if (aboveFloor) {
    result = decide('INCONCLUSIVE', `${ci} above δ ${floor} but the second half is too noisy to tell whether growth stopped`);
  } else if (half.state === 'growing' && half.lower !== null && half.lower > floor) {
    result = decide('INCONCLUSIVE', `growth started late: second half ${fmt(half.slope)} ${unit}, CI lower ${fmt(half.lower)} > δ ${floor}, whole run ${ci}; run longer`);
  } else if (whole.ci.upper - whole.ci.lower > (options.noisyFactor ?? 4) * floor) {
    result = decide('INCONCLUSIVE', `too noisy: CI width ${fmt(whole.ci.upper - whole.ci.lower)} > ${options.noisyFactor ?? 4}·δ (${ci}); run longer`);
  } else if (pointAbove) {
    result = decide('INCONCLUSIVE', `${ci}: estimate above δ ${floor} but the interval reaches below it; run longer`);
  } else {
    result = decide('NO-LEAK', `${ci}; could have seen ≥ ${fmt(mds)} ${unit}`);
  }
  return result;
}

/**
 * "Still growing in the second half": Theil–Sen over the last ⌈n/2⌉ checkpoints.
 * growing ⇔ slope > δ/2 and CI lower > 0 (both: a significant but tiny residual
 * drift after a cache filled is not growth, nor is a large but noisy estimate);
 * flat ⇔ CI upper ≤ δ (the half can exclude a leak at the floor); else unclear.
 */
function judgeSecondHalf(x: readonly number[], y: readonly number[], floor: number, options: TrendOptions): SecondHalf {
  const start = Math.floor(x.length / 2);
  const hx = x.slice(start);
  const hy = y.slice(start);
  if (!hasSpread(hx)) return { n: hx.length, slope: null, lower: null, upper: null, state: 'unclear' };
  const t: Trend = estimateTrend(hx, hy, { ...options, bootstrapSeed: `${String(options.bootstrapSeed)}:second-half` });
  const state = t.slope > floor / 2 && t.ci.lower > 0 ? 'growing' : t.ci.upper <= floor ? 'flat' : 'unclear';
  return { n: hx.length, slope: t.slope, lower: t.ci.lower, upper: t.ci.upper, state };
}
