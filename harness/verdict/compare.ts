// compareRuns: is the fix proven? Two runs of the same scenario, seed, fault
// plan and Node, "before" (leaky) and "after" (fixed), judged on the same
// request range, with the difference of their slopes and its interval.

import type { Checkpoint, ContinuousSample } from '../records.ts';
import { compareChurn, type ChurnComparison } from './churn.ts';
import { VerdictError, type RunDifference } from './errors.ts';
import { sortCheckpoints, xOf } from './series.ts';
import { blockBootstrapSlopes, normalQuantile, quantileSorted } from './stats.ts';
import { judgeRun, type JudgeOptions, type RunVerdict } from './run.ts';
import { hasSpread } from './trend.ts';
import type { MemorySignal, VerdictRunMeta } from './types.ts';
import { vitalGrowthText, type VitalSignalVerdict } from './vitals.ts';

export interface RunRecords {
  meta: VerdictRunMeta;
  checkpoints: readonly Checkpoint[];
  samples?: readonly ContinuousSample[];
}

export interface CompareOptions extends JudgeOptions {
  /** Compare despite differences in scenario, seed, fault plan or Node: they become warnings. */
  force?: boolean;
  /**
   * The before run stopped early at a certain LEAK (--until-verdict, sequential.ts): judge it with these looks,
   * and the after run on ALL its checkpoints with the fixed rule alone (cut to the before run's requests it would
   * keep too few to judge; slopes are per request, so windows of different lengths compare). Absent: both runs are
   * cut to the requests both reached and judged with the same options.
   */
  stoppedEarlyBefore?: JudgeOptions['sequential'];
  /** Bootstrap replicates for the slope differences, default 2000. */
  replicates?: number;
  /** Seed of the bootstrap (shared/prng.ts), default 'compare'. */
  seed?: string;
}

export type SignalOutcome = 'fixed' | 'regressed' | 'still-leaking' | 'clean' | 'inconclusive' | 'not-measured';

export interface SignalComparison {
  signal: MemorySignal;
  unit: string;
  floor: number;
  before: { status: string; slope: number | null; lower: number | null; upper: number | null; minimalDetectableSlope: number | null };
  after: { status: string; slope: number | null; lower: number | null; upper: number | null; minimalDetectableSlope: number | null };
  /** after − before with a 95 % bootstrap interval; null when either slope is undefined. */
  difference: { estimate: number; lower: number; upper: number } | null;
  outcome: SignalOutcome;
  reason: string;
}

export interface HandleComparison {
  type: string;
  before: { status: string; delta: number };
  after: { status: string; delta: number };
}

/** One target vital (vitals.ts: go_goroutines, python_asyncio_tasks, a --judge-metric series) before → after. */
export interface VitalComparison {
  key: string;
  kind: VitalSignalVerdict['kind'];
  before: { status: string; growth: string };
  after: { status: string; growth: string };
  outcome: Exclude<SignalOutcome, 'not-measured'>;
}

export type ComparisonOutcome = 'fix-holds' | 'regression' | 'not-fixed' | 'inconclusive';

export interface RunComparison {
  outcome: ComparisonOutcome;
  /** Why, deciding reason first. */
  reasons: string[];
  /** Differences between the runs that were overridden with `force`. */
  warnings: string[];
  alignment: { requests: number; beforeCheckpointsDropped: number; afterCheckpointsDropped: number; /** The before run stopped early (--until-verdict): not cut, the after run judged whole. */ whole?: boolean };
  signals: SignalComparison[];
  handles: HandleComparison[];
  /** The target's own vitals, by key (empty for targets without /metrics or pprof). */
  vitals: VitalComparison[];
  churn: ChurnComparison;
  before: RunVerdict;
  after: RunVerdict;
}

// ---------------------------------------------------------------------------
// Run identity

function render(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Leaf-level differences between two JSON-like values, with dotted paths. */
function deepDiff(a: unknown, b: unknown, path: string, out: RunDifference[]): void {
  if (Object.is(a, b)) return;
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    out.push({ field: path, before: render(a), after: render(b) });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) deepDiff(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) deepDiff(ao[key], bo[key], `${path}.${key}`, out);
}

/** Everything that must be equal for two runs to be comparable. */
export function runDifferences(a: VerdictRunMeta, b: VerdictRunMeta): RunDifference[] {
  const out: RunDifference[] = [];
  if (a.scenario !== b.scenario) out.push({ field: 'scenario', before: render(a.scenario), after: render(b.scenario) });
  if (String(a.seed) !== String(b.seed)) out.push({ field: 'seed', before: render(a.seed), after: render(b.seed) });
  deepDiff(a.faultPlan ?? null, b.faultPlan ?? null, 'faultPlan', out);
  if (a.nodeVersion !== b.nodeVersion) out.push({ field: 'nodeVersion', before: render(a.nodeVersion), after: render(b.nodeVersion) });
  // Flags are a set: the order on the command line changes nothing.
  const fa = [...(a.nodeFlags ?? [])].sort();
  const fb = [...(b.nodeFlags ?? [])].sort();
  if (render(fa) !== render(fb)) out.push({ field: 'nodeFlags', before: render(fa), after: render(fb) });
  return out;
}

// ---------------------------------------------------------------------------

/** Keep the checkpoints at or below the request count both runs reached. */
/** Both runs whole (a before run stopped early: CompareOptions.stoppedEarlyBefore); `requests` is what both reached. */
function wholeRuns(before: readonly Checkpoint[], after: readonly Checkpoint[]): { a: Checkpoint[]; b: Checkpoint[]; requests: number } {
  const a = sortCheckpoints(before);
  const b = sortCheckpoints(after);
  const last = (cs: Checkpoint[]): number => (cs.length === 0 ? 0 : cs[cs.length - 1]!.requestsCompleted);
  return { a, b, requests: Math.min(last(a), last(b)) };
}

function alignByRequests(before: readonly Checkpoint[], after: readonly Checkpoint[]): { a: Checkpoint[]; b: Checkpoint[]; requests: number } {
  const a = sortCheckpoints(before);
  const b = sortCheckpoints(after);
  const last = (cs: Checkpoint[]): number => (cs.length === 0 ? 0 : cs[cs.length - 1]!.requestsCompleted);
  const requests = Math.min(last(a), last(b));
  return { a: a.filter((c) => c.requestsCompleted <= requests), b: b.filter((c) => c.requestsCompleted <= requests), requests };
}

/**
 * Each bootstrap replicate costs n(n−1)/2 slopes: a 24-hour run with 1 000 checkpoints would take
 * minutes. Above this many points the bootstrap runs on evenly thinned checkpoints (same x range,
 * fewer points: a wider, never narrower, interval); the Sen-based half uses every checkpoint.
 */
const BOOTSTRAP_MAX_POINTS = 120;

function thin(s: { x: number[]; y: number[] }, max: number): { x: number[]; y: number[] } {
  const n = s.x.length;
  if (n <= max) return s;
  const pick = Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
  return { x: pick.map((i) => s.x[i]!), y: pick.map((i) => s.y[i]!) };
}

/**
 * after − before with a 95 % interval. Two constructions, and the envelope of both:
 *  - bootstrap: each run resampled on its own (moving blocks of modified residuals,
 *    the runs are independent), replicates paired by index, percentile interval;
 *  - normal: each run's Sen (Hamed–Rao) interval read as ±1.96·SE, SEs combined
 *    in quadrature.
 * Why both: the bootstrap alone under-covers at the checkpoint counts of a
 * 5-minute proof (measured 86 % at n = 24, see stats.ts), and a "fix holds" that
 * rests on a too-narrow interval is the one error this tool must not make.
 */
function slopeDifference(
  before: readonly Checkpoint[],
  after: readonly Checkpoint[],
  signal: MemorySignal,
  intervals: { before: { slope: number; lower: number; upper: number }; after: { slope: number; lower: number; upper: number } },
  options: CompareOptions,
): { estimate: number; lower: number; upper: number } | null {
  const axis = options.axis ?? { kind: 'requests' };
  const series = (cs: readonly Checkpoint[]): { x: number[]; y: number[] } => ({ x: cs.map((c) => xOf(c, axis)), y: cs.map((c) => c.memory[signal]) });
  const a = thin(series(before), BOOTSTRAP_MAX_POINTS);
  const b = thin(series(after), BOOTSTRAP_MAX_POINTS);
  if (a.x.length < 3 || b.x.length < 3 || !hasSpread(a.x) || !hasSpread(b.x)) return null;
  const replicates = options.replicates ?? 2000;
  const seed = options.seed ?? 'compare';
  const ra = blockBootstrapSlopes(a.x, a.y, { replicates, seed: `${seed}:${signal}:before` });
  const rb = blockBootstrapSlopes(b.x, b.y, { replicates, seed: `${seed}:${signal}:after` });
  const diffs = new Float64Array(replicates);
  for (let i = 0; i < replicates; i++) diffs[i] = rb[i]! - ra[i]!;
  diffs.sort();
  const z = normalQuantile(0.975);
  const se = (i: { lower: number; upper: number }): number => (i.upper - i.lower) / (2 * z);
  const estimate = intervals.after.slope - intervals.before.slope;
  const half = z * Math.hypot(se(intervals.before), se(intervals.after));
  return {
    estimate,
    lower: Math.min(quantileSorted(diffs, 0.025), estimate - half),
    upper: Math.max(quantileSorted(diffs, 0.975), estimate + half),
  };
}

const fmt = (v: number | null): string => {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 1 || a === 0 ? v.toFixed(1) : v.toPrecision(2);
};

/**
 * Per-signal outcome:
 *  fixed          before LEAK; after NO-LEAK with CI upper < δ; difference CI upper < 0.
 *  regressed      after LEAK and (before NO-LEAK, or difference CI lower > 0).
 *  still-leaking  both LEAK, after not significantly worse.
 *  clean          neither run leaks.
 *  inconclusive   anything else (an INCONCLUSIVE run, a fix the interval cannot confirm).
 */
function compareSignal(before: RunVerdict, after: RunVerdict, signal: MemorySignal, diff: SignalComparison['difference']): SignalComparison {
  const b = before.memory.find((v) => v.signal === signal)!;
  const a = after.memory.find((v) => v.signal === signal)!;
  const pick = (v: typeof b): SignalComparison['before'] => ({ status: v.status, slope: v.slope, lower: v.lower, upper: v.upper, minimalDetectableSlope: v.minimalDetectableSlope });
  const base = { signal, unit: a.unit, floor: a.floor, before: pick(b), after: pick(a), difference: diff };
  const leak = (s: string): boolean => s === 'LEAK';
  const clean = (s: string): boolean => s === 'NO-LEAK' || s === 'NATIVE-GROWTH';
  if (b.status === 'NOT-MEASURED' || a.status === 'NOT-MEASURED') return { ...base, outcome: 'not-measured', reason: 'not measured in both runs' };
  // Regression needs evidence: a clean before, or an interval showing after is worse. An
  // INCONCLUSIVE before next to a LEAK after proves nothing by itself.
  if (leak(a.status) && (clean(b.status) || (diff !== null && diff.lower > 0))) {
    return { ...base, outcome: 'regressed', reason: `after leaks ${fmt(a.slope)} ${a.unit}${diff ? `, +${fmt(diff.estimate)} vs before (CI [${fmt(diff.lower)}, ${fmt(diff.upper)}])` : ''}` };
  }
  if (leak(b.status) && leak(a.status)) return { ...base, outcome: 'still-leaking', reason: `both leak: ${fmt(b.slope)} → ${fmt(a.slope)} ${a.unit}` };
  if (leak(b.status) && a.status === 'NO-LEAK') {
    if (a.upper !== null && a.upper < a.floor && diff !== null && diff.upper < 0) {
      return { ...base, outcome: 'fixed', reason: `${fmt(b.slope)} → ${fmt(a.slope)} ${a.unit}; after CI upper ${fmt(a.upper)} < δ ${a.floor}; difference CI [${fmt(diff.lower)}, ${fmt(diff.upper)}] excludes 0` };
    }
    return {
      ...base,
      outcome: 'inconclusive',
      reason: `after NO-LEAK but CI upper ${fmt(a.upper)} vs δ ${a.floor}${diff ? `, difference CI [${fmt(diff.lower)}, ${fmt(diff.upper)}]` : ''}: could only see ≥ ${fmt(a.minimalDetectableSlope)} ${a.unit}`,
    };
  }
  if (clean(b.status) && clean(a.status)) return { ...base, outcome: 'clean', reason: `neither leaks (after could see ≥ ${fmt(a.minimalDetectableSlope)} ${a.unit})` };
  return { ...base, outcome: 'inconclusive', reason: `before ${b.status}, after ${a.status}: ${a.reasons[0] ?? ''}` };
}

export function compareRuns(before: RunRecords, after: RunRecords, options: CompareOptions = {}): RunComparison {
  const differences = runDifferences(before.meta, after.meta);
  const warnings: string[] = [];
  if (differences.length > 0) {
    const listing = differences.map((d) => `${d.field}: ${d.before} vs ${d.after}`);
    if (!options.force) {
      throw new VerdictError('SOAK_ERR_RUN_MISMATCH', `runs are not comparable (use force to override):\n  ${listing.join('\n  ')}`, differences);
    }
    for (const line of listing) warnings.push(`forced comparison despite ${line}`);
  }
  const early = options.stoppedEarlyBefore;
  const aligned = early ? wholeRuns(before.checkpoints, after.checkpoints) : alignByRequests(before.checkpoints, after.checkpoints);
  const vb = judgeRun(before.meta, aligned.a, before.samples ?? [], early ? { ...options, sequential: early } : options);
  const va = judgeRun(after.meta, aligned.b, after.samples ?? [], options);
  const judgedB = aligned.a.slice(vb.warmup.dropped);
  const judgedA = aligned.b.slice(va.warmup.dropped);
  const signals = vb.memory.map((v) => {
    const w = va.memory.find((m) => m.signal === v.signal)!;
    const interval = (m: typeof v): { slope: number; lower: number; upper: number } | null =>
      m.slope === null || m.lower === null || m.upper === null ? null : { slope: m.slope, lower: m.lower, upper: m.upper };
    const before = interval(v);
    const after = interval(w);
    const diff = before && after ? slopeDifference(judgedB, judgedA, v.signal, { before, after }, options) : null;
    return compareSignal(vb, va, v.signal, diff);
  });

  const handleTypes = [...new Set([...vb.handles.types.map((t) => t.type), ...va.handles.types.map((t) => t.type)])].sort();
  const handles: HandleComparison[] = handleTypes.map((type) => {
    const hb = vb.handles.types.find((t) => t.type === type);
    const ha = va.handles.types.find((t) => t.type === type);
    return {
      type,
      before: { status: hb?.status ?? 'NO-LEAK', delta: hb?.delta ?? 0 },
      after: { status: ha?.status ?? 'NO-LEAK', delta: ha?.delta ?? 0 },
    };
  });

  const vitals = compareVitals(vb.vitals?.signals ?? [], va.vitals?.signals ?? []);

  const reasons: string[] = [];
  const regressedVitals = vitals.filter((v) => v.outcome === 'regressed');
  const leakingVitals = vitals.filter((v) => v.before.status === 'LEAK');
  const regressedSignals = signals.filter((s) => s.outcome === 'regressed');
  const regressedHandles = handles.filter((h) => h.after.status === 'LEAK' && (h.before.status === 'NO-LEAK' || h.after.delta > h.before.delta));
  const beforeLeaks = vb.status === 'LEAK';
  const leakingSignals = signals.filter((s) => s.before.status === 'LEAK');
  const leakingHandles = handles.filter((h) => h.before.status === 'LEAK');
  const allowance = options.handles?.allowance ?? {};
  const handlesFixed = leakingHandles.every((h) => h.after.status !== 'LEAK' && h.after.delta <= (allowance[h.type] ?? 0));
  let outcome: ComparisonOutcome;
  if (regressedSignals.length > 0 || regressedHandles.length > 0 || regressedVitals.length > 0) {
    outcome = 'regression';
    for (const v of regressedVitals) reasons.push(vitalLine(v));
    for (const s of regressedSignals) reasons.push(`${s.signal}: ${s.reason}`);
    for (const h of regressedHandles) reasons.push(`handles ${h.type}: Δ ${h.before.delta} → ${h.after.delta} (after LEAK)`);
  } else if (beforeLeaks && va.status === 'NO-LEAK' && leakingSignals.every((s) => s.outcome === 'fixed') && handlesFixed && leakingVitals.every((v) => v.outcome === 'fixed')) {
    outcome = 'fix-holds';
    reasons.push(`before LEAK (${vb.reasons[0]}), after NO-LEAK`);
    for (const v of leakingVitals) reasons.push(vitalLine(v));
    for (const s of leakingSignals) reasons.push(`${s.signal}: ${s.reason}`);
    for (const h of leakingHandles) reasons.push(`handles ${h.type}: Δ ${h.before.delta} → ${h.after.delta}`);
  } else if (beforeLeaks && va.status === 'LEAK') {
    outcome = 'not-fixed';
    reasons.push(`after still leaks: ${va.reasons[0]}`);
    for (const s of signals.filter((x) => x.outcome === 'still-leaking')) reasons.push(`${s.signal}: ${s.reason}`);
    for (const v of vitals.filter((x) => x.outcome === 'still-leaking')) reasons.push(vitalLine(v));
  } else {
    outcome = 'inconclusive';
    if (vb.status === 'NO-LEAK') reasons.push(`before run is NO-LEAK: there is no leak for the fix to remove (${vb.reasons[0]})`);
    else if (!beforeLeaks) reasons.push(`before run is INCONCLUSIVE, so it does not show a leak to fix: ${vb.reasons[0]}`);
    if (va.status !== 'NO-LEAK') reasons.push(`after run is ${va.status}: ${va.reasons[0]}`);
    for (const s of leakingSignals.filter((x) => x.outcome !== 'fixed')) reasons.push(`${s.signal}: ${s.reason}`);
    for (const h of leakingHandles) if (h.after.delta > (allowance[h.type] ?? 0)) reasons.push(`handles ${h.type}: after Δ ${h.after.delta} > 0`);
    for (const v of leakingVitals.filter((x) => x.outcome !== 'fixed')) reasons.push(vitalLine(v));
    const heap = signals.find((s) => s.signal === 'heapUsed');
    if (heap?.after.minimalDetectableSlope != null) {
      reasons.push(`after run could see heap leaks ≥ ${fmt(heap.after.minimalDetectableSlope)} ${heap.unit}`);
    }
  }
  const totalB = before.checkpoints.length;
  const totalA = after.checkpoints.length;
  return {
    outcome,
    reasons,
    warnings,
    alignment: { requests: aligned.requests, beforeCheckpointsDropped: totalB - aligned.a.length, afterCheckpointsDropped: totalA - aligned.b.length, ...(early ? { whole: true } : {}) },
    signals,
    handles,
    vitals,
    churn: compareChurn(vb.churn, va.churn, `${options.seed ?? 'compare'}:churn`),
    before: vb,
    after: va,
  };
}

/**
 * Vitals by key, before → after. A vital is its own signal (its floor, its
 * rule: vitals.ts), so the comparison is of verdicts: LEAK → NO-LEAK is fixed,
 * NO-LEAK → LEAK a regression. A key only one run has is compared against
 * "not measured" and stays inconclusive.
 */
export function compareVitals(before: readonly VitalSignalVerdict[], after: readonly VitalSignalVerdict[]): VitalComparison[] {
  const keys = [...new Set([...before.map((v) => v.key), ...after.map((v) => v.key)])];
  return keys.map((key) => {
    const b = before.find((v) => v.key === key);
    const a = after.find((v) => v.key === key);
    const side = (v: VitalSignalVerdict | undefined) => (v ? { status: v.status, growth: vitalGrowthText(v) } : { status: 'NOT-MEASURED', growth: 'n/a' });
    const outcome: VitalComparison['outcome'] =
      !b || !a
        ? 'inconclusive'
        : b.status === 'LEAK' && a.status === 'NO-LEAK'
          ? 'fixed'
          : b.status === 'LEAK' && a.status === 'LEAK'
            ? 'still-leaking'
            : b.status !== 'LEAK' && a.status === 'LEAK'
              ? 'regressed'
              : b.status === 'NO-LEAK' && a.status === 'NO-LEAK'
                ? 'clean'
                : 'inconclusive';
    return { key, kind: (b ?? a)!.kind, before: side(b), after: side(a), outcome };
  });
}

/** `go_goroutines: LEAK +325.9/1k requests → NO-LEAK +0.5/1k requests (fixed)`. */
export function vitalLine(v: VitalComparison): string {
  return `${v.key}: ${v.before.status} ${v.before.growth} → ${v.after.status} ${v.after.growth} (${v.outcome})`;
}
