// judgeRun: one run's overall verdict from its records.

import { judgeServedLoad, type ServedLoad, type ServedOptions } from './served.ts';
import type { Checkpoint, ContinuousSample } from '../records.ts';
import { measureChurn, type ChurnOptions, type ChurnReport } from './churn.ts';
import { VerdictError } from './errors.ts';
import { judgeHandles, type HandleOptions, type HandlesVerdict } from './handles.ts';
import { DEFAULT_FLOORS, judgeMemorySignal, type MemoryOptions, type SignalVerdict } from './memory.ts';
import { axisLabel, sortCheckpoints, xOf } from './series.ts';
import { checkSignature, type SignatureExpectation, type SignatureResult } from './signature.ts';
import { median } from './stats.ts';
import { MEMORY_SIGNALS, type Axis, type MemorySignal, type Status, type VerdictRunMeta, type WarmupOptions } from './types.ts';
import { DEFAULT_WARMUP_PHASES, decideWarmup, type WarmupDecision } from './warmup.ts';
import { perThousandText } from './unread.ts';
import { judgeHarnessSelf, type HarnessSelfVerdict } from './harness-self.ts';
import { judgeSites, type SitesVerdict } from './sites.ts';
import { judgeHeapSpaces, type HeapSpacesVerdict } from './heap-spaces.ts';
import { judgeVitals, vitalGrowthText, type VitalsOptions, type VitalsVerdict } from './vitals.ts';
import { budgetFloors, type BudgetFloors, type MemoryBudget } from './budget.ts';
import { adaptiveFloors, type AdaptiveFloor } from './certify.ts';
import { judgeSequential, sequentialLine, stoppedWindowTrend, type SequentialOptions, type SequentialVerdict } from './sequential.ts';
import { breachLines, judgeLevelThresholds, type LevelThreshold, type LevelThresholdsVerdict } from './level-threshold.ts';

export interface JudgeOptions extends MemoryOptions {
  warmup?: WarmupOptions;
  handles?: HandleOptions;
  churn?: ChurnOptions;
  /** Catalog expectations of the variants this run enabled. */
  signatures?: readonly SignatureExpectation[];
  /** The served-load rule (served.ts); false switches it off (a caller that judges bare checkpoints). */
  served?: ServedOptions | false;
  /** Target vitals (vitals.ts): the series chosen with --judge-metric, floors. The run's meta.vitals.judge is used when absent. */
  vitals?: VitalsOptions;
  /** A growth budget in the user's terms (budget.ts): sets the floors δ from bytes/day at a production rate. */
  budget?: MemoryBudget;
  /**
   * `--floor adaptive` (certify.ts): the JS memory floors go down to what the
   * judged requests certify, never below it and never up. A budget's floors
   * win when both are given (they already keep to what the run certifies).
   */
  floorMode?: 'fixed' | 'adaptive';
  /** Sequential looks (sequential.ts, `--until-verdict`): a LEAK certain at an early checkpoint is a LEAK. Absent: the fixed rule alone. */
  sequential?: SequentialOptions;
  /** Level thresholds (level-threshold.ts, a scenario's `thresholds.levels`): a continuous sample above `max` is a LEAK. */
  levels?: readonly LevelThreshold[];
}

export interface Finding {
  kind:
    | 'native-allocator-growth'
    | 'levelled-off'
    | 'handles-held'
    | 'released-only-by-gc'
    | 'target-crashed'
    | 'run-not-completed'
    | 'load-not-served'
    | 'signature'
    | 'harness-growth';
  message: string;
}

export interface RunVerdict {
  status: Status;
  /** Why, deciding reason first. */
  reasons: string[];
  run: { runId: string | null; scenario: string; seed: string; target: string | null };
  axis: string;
  warmup: WarmupDecision;
  checkpoints: { total: number; judged: number };
  memory: SignalVerdict[];
  handles: HandlesVerdict;
  churn: ChurnReport;
  signatures: SignatureResult[];
  findings: Finding[];
  /** Whether the target served the load (served.ts); absent in verdicts written before the rule existed. */
  served?: ServedLoad;
  /** The target's own vitals (vitals.ts: /metrics series, pprof goroutines and heap); absent in verdicts written before them. */
  vitals?: VitalsVerdict;
  /** The harness judged on its own process (harness-self.ts), never part of `status`; absent in older runs. */
  harness?: HarnessSelfVerdict;
  /** Allocation sites whose live bytes grow (sites.ts; the probe's sampling heap profiler), never part of `status`. */
  sites?: SitesVerdict;
  /** heapUsed split by V8 heap space, each space's slope (heap-spaces.ts), never part of `status`; absent without the split. */
  heapSpaces?: HeapSpacesVerdict;
  /** The floors a --budget set (budget.ts); null: asked, but the run had no request rate to spread it over. Absent: no budget. */
  budget?: BudgetFloors | null;
  /** `--floor adaptive` (certify.ts): the δ the judged requests certify and the floors it set; absent with fixed floors or a budget. */
  adaptiveFloor?: AdaptiveFloor;
  /** The sequential looks (sequential.ts) when the run was judged with them (`--until-verdict`); absent otherwise. */
  sequential?: SequentialVerdict;
  /** Level thresholds judged on the continuous samples (level-threshold.ts); absent when the scenario sets none. */
  levels?: LevelThresholdsVerdict;
}

function crashDescription(meta: VerdictRunMeta): string | undefined {
  const outcome = meta.outcome;
  if (outcome?.status !== 'target-crashed') return undefined;
  return outcome.signal !== null ? `signal ${outcome.signal}` : `exit code ${outcome.exitCode ?? 'unknown'}`;
}

function validateCheckpoints(checkpoints: readonly Checkpoint[]): void {
  checkpoints.forEach((c, i) => {
    if (c === null || typeof c !== 'object' || typeof c.memory !== 'object' || c.memory === null) {
      throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `checkpoints[${i}].memory: missing`);
    }
    if (!Number.isFinite(c.requestsCompleted)) throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `checkpoints[${i}].requestsCompleted: not a number`);
    if (!Number.isFinite(c.t)) throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `checkpoints[${i}].t: not a number`);
  });
}

/**
 * Overall verdict:
 *  - target crashed → INCONCLUSIVE (figures kept for diagnosis);
 *  - any memory signal or handle type LEAK → LEAK;
 *  - any INCONCLUSIVE → INCONCLUSIVE;
 *  - else NO-LEAK.
 * rss growing while heapUsed, external and arrayBuffers are all NO-LEAK is
 * relabelled NATIVE-GROWTH (a finding, not a LEAK): the JS side retains nothing,
 * the allocator or a native addon does. A target without a probe (procOnly) has
 * only rss, which then counts as a memory signal like any other.
 */
/**
 * On an event axis, the checkpoints where the event advanced since the last
 * kept one by at least half the median advance. A phase without the triggering
 * event (a cool-down) adds points at the same x, or a little past it when the
 * checkpoint caught the tail of the previous phase: they carry next to nothing
 * about the cost per event, but the other phase's behaviour (a lazy cache
 * draining when writes stop), and they land in the second half, whose "still
 * growing?" check they blur (measured: lazy-lru's cool-down checkpoints, +680
 * and +0 keys against a median of +1 640, left a 225 B/key [177, 264] leak
 * INCONCLUSIVE).
 */
function advancingOnly(judged: readonly Checkpoint[], axis: Axis): Checkpoint[] {
  const steps: number[] = [];
  for (let i = 1; i < judged.length; i++) {
    const d = xOf(judged[i]!, axis) - xOf(judged[i - 1]!, axis);
    if (d > 0) steps.push(d);
  }
  const minStep = steps.length === 0 ? 0 : median(steps) / 2;
  const out: Checkpoint[] = [];
  for (const c of judged) {
    const last = out[out.length - 1];
    if (last === undefined || xOf(c, axis) - xOf(last, axis) >= Math.max(minStep, Number.MIN_VALUE)) out.push(c);
  }
  return out;
}

/**
 * rss grew while heapUsed, external and arrayBuffers are all NO-LEAK: the
 * allocator's or native code's growth, a finding and not a JS leak. "Grew" is
 * LEAK, or INCONCLUSIVE with the interval above δ (growth shown, only "still
 * growing in the second half?" undecided): with the JS side flat it is the
 * allocator's either way (measured: a fixed stream-abort run, heap 22 B/request
 * NO-LEAK, rss 4 549 B/request [2 860, 5 578] with a noisy second half).
 */
export function isNativeGrowth(rss: SignalVerdict, js: readonly SignalVerdict[]): boolean {
  const grew = rss.status === 'LEAK' || (rss.status === 'INCONCLUSIVE' && rss.lower !== null && rss.lower > rss.floor);
  return grew && js.length > 0 && js.every((v) => v.status === 'NO-LEAK');
}

/**
 * The floors δ are bytes per request (the "32 B/request", a scenario's
 * thresholds). On an event axis they become bytes per event at the run's own
 * rate: δ × requests/event over the judged window. A floor kept at 32 B/event
 * would be 4× stricter than the request floor in a run with 0.25 events per
 * request and 4× looser with 4 (measured: account-churn sends ≈ 4 sync events
 * per request; sync-tracker's 43 B/event is 170 B/request).
 */
function floorsPerEvent(onAxis: readonly Checkpoint[], axis: Axis, floors: JudgeOptions['floors']): JudgeOptions['floors'] {
  const first = onAxis[0];
  const last = onAxis[onAxis.length - 1];
  if (!first || !last) return floors;
  const events = xOf(last, axis) - xOf(first, axis);
  const requests = last.requestsCompleted - first.requestsCompleted;
  if (!(events > 0) || !(requests > 0)) return floors;
  const perEvent: Partial<Record<MemorySignal, number>> = {};
  // Three significant digits: a floor is a judgement, not a measurement.
  for (const signal of MEMORY_SIGNALS) perEvent[signal] = Number((((floors?.[signal] ?? DEFAULT_FLOORS[signal]) * requests) / events).toPrecision(3));
  return perEvent;
}

/** Requests between the first and last judged checkpoints. */
function judgedRequestsOf(judged: readonly Checkpoint[]): number {
  const first = judged[0];
  const last = judged[judged.length - 1];
  return first && last ? last.requestsCompleted - first.requestsCompleted : 0;
}

/**
 * The request floors before any event-axis conversion: a budget's (kept to
 * what the window certifies), else `--floor adaptive`'s, else the caller's.
 */
function requestFloors(judged: readonly Checkpoint[], options: JudgeOptions, scenario: string): { floors: JudgeOptions['floors']; budget: BudgetFloors | null; adaptive: AdaptiveFloor | null } {
  if (options.budget) {
    const budget = budgetFloors(options.budget, requestRate(judged), judgedRequestsOf(judged));
    return { floors: budget ? budget.floors : options.floors, budget, adaptive: null };
  }
  if (options.floorMode === 'adaptive') {
    const adaptive = adaptiveFloors(judgedRequestsOf(judged), { ...DEFAULT_FLOORS, ...options.floors }, scenario);
    return { floors: adaptive.floors, budget: null, adaptive };
  }
  return { floors: options.floors, budget: null, adaptive: null };
}

/** Requests per second over the judged checkpoints (the run's own rate, a budget's default production rate). */
function requestRate(judged: readonly Checkpoint[]): number | null {
  const first = judged[0];
  const last = judged[judged.length - 1];
  if (!first || !last || !(last.t > first.t)) return null;
  return ((last.requestsCompleted - first.requestsCompleted) * 1000) / (last.t - first.t);
}

/** A leaking handle type in the verdict's reason: `handles fds`, or a named signal with its growth (`sockets with unread data +0.8/1k requests`). */
function handleName(t: HandlesVerdict['types'][number]): string {
  return t.label !== undefined ? `${t.label} ${perThousandText(t.perThousandRequests)}` : `handles ${t.type}`;
}

/**
 * The sequential looks of a run (sequential.ts) with this run's own rules: its
 * warm-up, its floors (a budget's, per prefix; per event on an event axis) and,
 * on an event axis, only the checkpoints where the event advanced. What
 * `soak --until-verdict` asks after every checkpoint, and what judgeRun re-derives.
 */
export function judgeSequentialRun(checkpoints: readonly Checkpoint[], options: JudgeOptions, scenario: string): SequentialVerdict | null {
  if (!options.sequential) return null;
  const axis = options.sequential.axis ?? options.axis;
  const warmup = { ...options.warmup, ...options.sequential.warmup };
  const baseFloors = (points: readonly Checkpoint[]): JudgeOptions['floors'] => requestFloors(points, options, scenario).floors;
  return judgeSequential(sortCheckpoints(checkpoints), options.sequential, {
    ...(axis ? { axis } : {}),
    warmup,
    pointsOf: (judged) => (axis?.kind === 'event' ? advancingOnly(judged, axis) : [...judged]),
    floorsOf: (points) => (axis?.kind === 'event' ? floorsPerEvent(points, axis, baseFloors(points)) : baseFloors(points)),
    // The run's own handle rule and warm-up, as judgeRun applies them: a run stopped on a handle look is LEAK as judged.
    handles: { options: { minJudgedSeconds: options.minJudgedSeconds, minJudgedRequests: options.minJudgedRequests, ...options.handles }, ...(options.warmup ? { warmup: options.warmup } : {}) },
  });
}

export function judgeRun(
  meta: VerdictRunMeta,
  checkpoints: readonly Checkpoint[],
  samples: readonly ContinuousSample[] = [],
  options: JudgeOptions = {},
): RunVerdict {
  validateCheckpoints(checkpoints);
  const sorted = sortCheckpoints(checkpoints);
  const warmup = decideWarmup(sorted, options.warmup);
  const judged = sorted.slice(warmup.dropped);
  const crashed = crashDescription(meta);
  const onAxis = options.axis?.kind === 'event' ? advancingOnly(judged, options.axis) : judged;
  // A budget (or --floor adaptive) replaces the request floors; an event axis then converts them like any others.
  const { floors, budget, adaptive } = requestFloors(judged, options, meta.scenario);
  const memoryOptions = options.axis?.kind === 'event' ? { ...options, floors: floorsPerEvent(onAxis, options.axis, floors) } : { ...options, floors };
  const memory = MEMORY_SIGNALS.map((signal) =>
    judgeMemorySignal(onAxis, signal, memoryOptions, { crashed, heapSizeLimit: meta.heapSizeLimit }),
  );
  const findings: Finding[] = [];
  // Sequential looks (--until-verdict): a signal certain at an early look is LEAK whatever the fixed rule says of the
  // stopped run's short window (it says INCONCLUSIVE "too short"); a crashed target stays INCONCLUSIVE.
  const sequential = options.sequential ? judgeSequentialRun(sorted, options, meta.scenario) : null;
  if (sequential?.stop && crashed === undefined) {
    for (const s of sequential.stop.signals.filter((x) => x.certain)) {
      const v = memory.find((m) => m.signal === s.signal)!;
      // Under 8 points the fixed rule has no figures: the stopped window's own, on the looks' axis.
      const figures = v.ciMethod === null ? stoppedWindowTrend(onAxis, s.signal, options.sequential?.axis ?? options.axis ?? { kind: 'requests' }) : null;
      if (figures) Object.assign(v, figures);
      v.status = 'LEAK';
      v.levelledOff = false;
      v.reasons.unshift(`sequential: ${s.reason} (checkpoint ${sequential.stop.seq} of ${sequential.plannedLooks})`);
    }
  }

  const rss = memory.find((v) => v.signal === 'rss')!;
  const js = memory.filter((v) => v.signal !== 'rss');
  if (isNativeGrowth(rss, js)) {
    rss.status = 'NATIVE-GROWTH';
    rss.reasons.unshift('rss grows while heapUsed, external and arrayBuffers are flat: native/allocator growth, not a JS leak');
    findings.push({
      kind: 'native-allocator-growth',
      message: `rss +${(rss.slope ?? 0).toFixed(1)} ${rss.unit} with a flat JS heap and buffers: allocator fragmentation or native memory`,
    });
  }
  for (const v of memory) {
    if (v.levelledOff) findings.push({ kind: 'levelled-off', message: `${v.signal}: ${v.reasons[0]}` });
  }

  const handles = judgeHandles(judged, {
    minJudgedSeconds: options.minJudgedSeconds,
    minJudgedRequests: options.minJudgedRequests,
    ...options.handles,
  });
  for (const t of handles.types.filter((h) => h.held)) {
    findings.push({ kind: 'handles-held', message: `${t.type}: ${t.baseline} → ${t.last}; ${t.reason}` });
  }
  for (const f of handles.releasedOnlyByGc) {
    findings.push({
      kind: 'released-only-by-gc',
      message: `${f.type}: released only by the forced GC at ${f.checkpoints}/${f.of} checkpoints (median ${f.medianReleased}): left for finalizers`,
    });
  }

  // Samples taken before the first judged checkpoint belong to warm-up, whichever rule decided it.
  const judgedFrom = warmup.dropped > 0 && judged.length > 0 ? sorted[warmup.dropped - 1]!.t : -Infinity;
  const churn = measureChurn(judged, samples.filter((s) => s.t >= judgedFrom), {
    ...options.churn,
    excludePhases: options.churn?.excludePhases ?? options.warmup?.phases ?? DEFAULT_WARMUP_PHASES,
  });
  const signatures = (options.signatures ?? []).map((s) => checkSignature(judged, s, options));
  for (const s of signatures) {
    findings.push({ kind: 'signature', message: `${s.variant ?? s.signal}: ${s.outcome} (${s.reason})` });
  }

  const served = options.served === false ? undefined : judgeServedLoad(samples, options.served);
  // A target's resident bytes is /proc rss by another name: the same floor.
  const vitals = judgeVitals(judged, { bytesFloor: floors?.rss ?? DEFAULT_FLOORS.rss, ...(meta.vitals ? { judge: meta.vitals.judge } : {}), ...options.vitals });
  const heapVerdict = memory.find((v) => v.signal === 'heapUsed');
  const sites = judgeSites(
    judged,
    options.axis?.kind === 'event' ? null : (heapVerdict?.slope ?? null),
    (floors?.heapUsed ?? DEFAULT_FLOORS.heapUsed) / 4,
  );
  // The same points and axis the heapUsed verdict regressed on, so the spaces' slopes compare with its slope (Theil–Sen
  // slopes are medians, not additive: the shares need not sum to 100 %).
  const heapSpaces =
    heapVerdict?.slope !== null && heapVerdict?.slope !== undefined ? judgeHeapSpaces(onAxis, onAxis.map((c) => xOf(c, options.axis ?? { kind: 'requests' })), heapVerdict.slope) : null;
  const harness = judgeHarnessSelf(judged, { minJudgedSeconds: options.minJudgedSeconds, minJudgedRequests: options.minJudgedRequests });
  if (harness?.status === 'LEAK') {
    const growing = [...harness.memory.filter((m) => m.status === 'LEAK').map((m) => `${m.signal} +${(m.slope ?? 0).toFixed(1)} ${m.unit}`), ...harness.handles.filter((h) => h.status === 'LEAK').map((h) => `${h.type} Δ ${h.delta}`)];
    findings.push({ kind: 'harness-growth', message: `the harness's own process grows (${growing.join(', ')}): a harness problem, not the target's leak; the target's figures are unaffected (separate processes)` });
  }
  const reasons: string[] = [];
  let status: Status;
  // A target's own vital names itself in the reason with its growth: `go_goroutines +328.4/1k requests`.
  const vitalsLeaking = vitals.signals.filter((v) => v.status === 'LEAK').map((v) => `${v.key} ${vitalGrowthText(v)}`);
  const leaking = [...vitalsLeaking, ...memory.filter((v) => v.status === 'LEAK').map((v) => v.signal), ...handles.types.filter((t) => t.status === 'LEAK').map(handleName)];
  // A level threshold breached (level-threshold.ts) names itself with its peak and when: `handles:tcp:ESTABLISHED reached 2 341 > 2 000 at 00:41 (…)`.
  const levelThresholds = judgeLevelThresholds(samples, options.levels ?? []);
  leaking.push(...breachLines(levelThresholds));
  const unsure = [...memory.filter((v) => v.status === 'INCONCLUSIVE').map((v) => v.signal), ...handles.types.filter((t) => t.status === 'INCONCLUSIVE').map((t) => `handles ${t.type}`), ...vitals.signals.filter((v) => v.status === 'INCONCLUSIVE').map((v) => v.key)];
  if (crashed !== undefined) {
    status = 'INCONCLUSIVE';
    reasons.push(`target crashed (${crashed})`);
    findings.push({ kind: 'target-crashed', message: `target crashed (${crashed}); figures are for diagnosis only` });
  } else if (served?.status === 'not-served') {
    // Not judged as if it had served: the memory and handle figures stay in the verdict for diagnosis.
    status = 'INCONCLUSIVE';
    reasons.push(`target did not serve the load: ${served.reason}`);
    findings.push({ kind: 'load-not-served', message: served.reason });
  } else if (judged.length === 0) {
    status = 'INCONCLUSIVE';
    reasons.push(`no checkpoints after warm-up (${sorted.length} in total)`);
  } else if (leaking.length > 0) {
    status = 'LEAK';
    reasons.push(`leaking: ${leaking.join(', ')}`);
  } else if (unsure.length > 0) {
    status = 'INCONCLUSIVE';
    const first = memory.find((v) => v.status === 'INCONCLUSIVE') ?? handles.types.find((t) => t.status === 'INCONCLUSIVE') ?? vitals.signals.find((v) => v.status === 'INCONCLUSIVE');
    const why = first === undefined ? '' : 'signal' in first ? ` (${first.signal}: ${first.reasons[0]})` : 'type' in first ? ` (${first.type}: ${first.reason})` : ` (${first.key}: ${first.reason})`;
    reasons.push(`inconclusive: ${unsure.join(', ')}${why}`);
  } else {
    status = 'NO-LEAK';
    reasons.push('no signal above its floor');
  }
  if (sequential) reasons.push(sequentialLine(sequential));
  if (meta.outcome !== undefined && meta.outcome.status !== 'completed' && meta.outcome.status !== 'target-crashed') {
    findings.push({ kind: 'run-not-completed', message: `run ${meta.outcome.status}: judged on the checkpoints written before it stopped` });
  }
  return {
    status,
    reasons,
    run: { runId: meta.runId ?? null, scenario: meta.scenario, seed: String(meta.seed), target: meta.target ?? null },
    axis: axisLabel(options.axis ?? { kind: 'requests' }),
    warmup,
    checkpoints: { total: sorted.length, judged: judged.length },
    memory,
    handles,
    churn,
    signatures,
    findings,
    ...(served !== undefined ? { served } : {}),
    ...(vitals.signals.length > 0 || vitals.heapTop !== null ? { vitals } : {}),
    ...(harness !== null ? { harness } : {}),
    ...(sites !== null ? { sites } : {}),
    ...(heapSpaces !== null ? { heapSpaces } : {}),
    ...(options.budget ? { budget } : {}),
    ...(adaptive ? { adaptiveFloor: adaptive } : {}),
    ...(sequential ? { sequential } : {}),
    ...(levelThresholds.results.length > 0 ? { levels: levelThresholds } : {}),
  };
}
