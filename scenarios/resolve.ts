// ScenarioSpec + overrides → ResolvedScenario: absolute phase times, absolute
// rates/connections, normalised mixes and every driver knob filled in. All
// validation happens here, once, before anything is started: every error is a
// ScenarioError naming the field (`phases[2].mix.chat`) or flag (`--rate`).

import { ScenarioError } from './errors.ts';
import { durationMs } from './duration.ts';
import { durationText } from '../shared/duration.ts';
import {
  PHASE_KINDS,
  TRAFFIC_KINDS,
  type FaultPlan,
  type LeakVariant,
  type PhaseKind,
  type PhaseSpec,
  type ScenarioSpec,
  type SignalName,
  type Thresholds,
  type TrafficKind,
} from './define.ts';

export interface ScenarioOverrides {
  durationMs?: number;
  /** Switches to the open model at this rate. */
  rate?: number;
  /** Switches to the closed model with this many connections (wins over rate). */
  connections?: number;
  accounts?: number;
  seed?: number;
}

/** Shares of the phase's rate/connections per kind, summing to 1 (kinds weighing 0 included as 0). */
export type ResolvedMix = Readonly<Record<TrafficKind, number>>;

export interface ResolvedSettings {
  apiCallConcurrency: number;
  relayScan: { concurrency: number; pauseMs: number } | null;
  abortAfterChunks: { min: number; max: number };
  retry: { maxTries: number; on: readonly number[]; giveUpAfterMs: number | null };
  sync: { eventsPerBatch: number; snapshotAtStart: boolean; snapshotChunk: number };
  idempotencyKeys: 'unique' | number;
  includeUsage: number;
  /** Set only when the phase gives one (define.ts PhaseSettings.maxInFlight). */
  maxInFlight?: number;
}

export interface ResolvedPhase {
  index: number;
  name: string;
  kind: PhaseKind;
  /** ms since load start. */
  startMs: number;
  endMs: number;
  durationMs: number;
  /** Absolute requests/s at phase start and end (open model), else null. */
  rate: { from: number; to: number } | null;
  /** Absolute connections at phase start and end (closed model), else null. */
  connections: { from: number; to: number } | null;
  mix: ResolvedMix;
  faults: FaultPlan | null;
  settings: ResolvedSettings;
  measured: boolean;
}

export interface ResolvedScenario {
  name: string;
  description: string;
  durationMs: number;
  model: 'open' | 'closed';
  /** Base rate (open model) or null. */
  rate: number | null;
  /** Base connections (closed model) or null. */
  connections: number | null;
  accounts: number;
  seed: number;
  phases: ResolvedPhase[];
  /**
   * Cadence: at most `everyMs` apart, at least `min` per run (≥ MIN_CHECKPOINTS),
   * and after every `everyRequests` planned requests when set (harness/soak/drive.ts). `expected` = checkpoints at this cadence.
   */
  checkpoints: { everyMs: number; everyRequests: number | null; min: number; expected: number };
  thresholds: Thresholds;
  variants: LeakVariant[];
  /** Flags for the reference relay (ScenarioSpec.referenceRelayArgs); [] when none. */
  referenceRelayArgs: string[];
}

/** The orchestrator takes at least this many checkpoints (issue #4); the cadence honours it. */
export const MIN_CHECKPOINTS = 8;
/** Shortest phase after resolution: shorter ones would be all ramp-up and drain. */
export const MIN_PHASE_MS = 500;
/** Fixed-length phases may take at most this fraction of a run; beyond it they shrink proportionally. */
export const MAX_FIXED_FRACTION = 0.5;

const DEFAULT_SETTINGS: ResolvedSettings = {
  apiCallConcurrency: 16,
  relayScan: null,
  abortAfterChunks: { min: 1, max: 8 },
  retry: { maxTries: 5, on: [429, 503], giveUpAfterMs: null },
  sync: { eventsPerBatch: 10, snapshotAtStart: false, snapshotChunk: 500 },
  idempotencyKeys: 'unique',
  includeUsage: 0.5,
};

const SIGNALS: readonly SignalName[] = ['heapUsed', 'external', 'arrayBuffers', 'rss', 'handles', 'fds', 'tcp'];

function invalid(field: string, message: string): ScenarioError {
  return new ScenarioError('SCENARIO_ERR_INVALID', field, `${field}: ${message}`);
}

function positiveInt(value: unknown, field: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalid(field, `expected an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(field, `expected a number > 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function fraction(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw invalid(field, `expected a number in [0, 1], got ${JSON.stringify(value)}`);
  }
  return value;
}

function resolveMix(mix: unknown, field: string): ResolvedMix {
  if (typeof mix !== 'object' || mix === null) throw invalid(field, 'expected an object of weights');
  const out = Object.fromEntries(TRAFFIC_KINDS.map((k) => [k, 0])) as Record<TrafficKind, number>;
  let total = 0;
  for (const [kind, weight] of Object.entries(mix)) {
    if (!(TRAFFIC_KINDS as readonly string[]).includes(kind)) {
      throw invalid(`${field}.${kind}`, `unknown traffic kind (known: ${TRAFFIC_KINDS.join(', ')})`);
    }
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw invalid(`${field}.${kind}`, `expected a weight ≥ 0, got ${JSON.stringify(weight)}`);
    }
    out[kind as TrafficKind] = weight;
    total += weight;
  }
  if (total <= 0) throw invalid(field, 'at least one weight must be > 0');
  for (const k of TRAFFIC_KINDS) out[k] /= total;
  return out;
}

/**
 * Shape checks only (the type is mocks/'s): mocks validates the full plan
 * (kinds, per-route sums ≤ 1, windows) when the orchestrator applies it, and
 * scenarios.test.ts runs every registered plan through that validator.
 */
function resolveFaults(plan: FaultPlan | null | undefined, field: string): FaultPlan | null {
  if (plan === undefined || plan === null) return null;
  if (typeof plan !== 'object' || !Array.isArray(plan.rules)) throw invalid(field, 'expected { rules: [...] }');
  plan.rules.forEach((rule, i) => {
    if (typeof rule.fault !== 'string' || (rule.fault as string) === '') throw invalid(`${field}.rules[${i}].fault`, 'expected a fault kind');
    fraction(rule.probability, `${field}.rules[${i}].probability`);
  });
  // Deep copy: the orchestrator serialises it, nobody may mutate the scenario module's literal.
  return structuredClone(plan);
}

function resolveSettings(spec: PhaseSpec, field: string): ResolvedSettings {
  const s = spec.settings ?? {};
  const abort = s.abortAfterChunks ?? DEFAULT_SETTINGS.abortAfterChunks;
  positiveInt(abort.min, `${field}.abortAfterChunks.min`);
  if (positiveInt(abort.max, `${field}.abortAfterChunks.max`) < abort.min) {
    throw invalid(`${field}.abortAfterChunks.max`, `must be ≥ min (${abort.min})`);
  }
  const retryOn = s.retry?.on ?? DEFAULT_SETTINGS.retry.on;
  retryOn.forEach((code, i) => positiveInt(code, `${field}.retry.on[${i}]`, 100));
  const keys = s.idempotencyKeys ?? DEFAULT_SETTINGS.idempotencyKeys;
  if (keys !== 'unique') positiveInt(keys, `${field}.idempotencyKeys`);
  return {
    apiCallConcurrency: positiveInt(s.apiCallConcurrency ?? DEFAULT_SETTINGS.apiCallConcurrency, `${field}.apiCallConcurrency`),
    relayScan:
      s.relayScan === undefined
        ? null
        : {
            concurrency: positiveInt(s.relayScan.concurrency ?? 16, `${field}.relayScan.concurrency`),
            pauseMs: durationMs(s.relayScan.pause ?? 1_000, `${field}.relayScan.pause`),
          },
    abortAfterChunks: { min: abort.min, max: abort.max },
    retry: {
      maxTries: positiveInt(s.retry?.maxTries ?? DEFAULT_SETTINGS.retry.maxTries, `${field}.retry.maxTries`),
      on: [...retryOn],
      giveUpAfterMs: s.retry?.giveUpAfter === undefined ? null : durationMs(s.retry.giveUpAfter, `${field}.retry.giveUpAfter`),
    },
    sync: {
      eventsPerBatch: positiveInt(s.sync?.eventsPerBatch ?? DEFAULT_SETTINGS.sync.eventsPerBatch, `${field}.sync.eventsPerBatch`),
      snapshotAtStart: s.sync?.snapshotAtStart ?? DEFAULT_SETTINGS.sync.snapshotAtStart,
      snapshotChunk: positiveInt(s.sync?.snapshotChunk ?? DEFAULT_SETTINGS.sync.snapshotChunk, `${field}.sync.snapshotChunk`),
    },
    idempotencyKeys: keys,
    includeUsage: fraction(s.includeUsage ?? DEFAULT_SETTINGS.includeUsage, `${field}.includeUsage`),
    ...(s.maxInFlight === undefined ? {} : { maxInFlight: positiveInt(s.maxInFlight, `${field}.maxInFlight`) }),
  };
}

function resolveLoad(load: PhaseSpec['load'], field: string): { from: number; to: number } {
  if (load === undefined) return { from: 1, to: 1 };
  if (typeof load === 'number') {
    positiveNumber(load, field);
    return { from: load, to: load };
  }
  return { from: positiveNumber(load.from, `${field}.from`), to: positiveNumber(load.to, `${field}.to`) };
}

/** Splits the run into phases: fixed durations first (capped), shares fill the rest. */
function phaseLengths(phases: readonly PhaseSpec[], totalMs: number): number[] {
  let fixedTotal = 0;
  let shareTotal = 0;
  const raw = phases.map((p, i) => {
    const field = `phases[${i}]`;
    if ((p.share === undefined) === (p.duration === undefined)) {
      throw invalid(field, 'give exactly one of share or duration');
    }
    if (p.duration !== undefined) {
      const ms = durationMs(p.duration, `${field}.duration`);
      fixedTotal += ms;
      return { fixed: ms, share: 0 };
    }
    const share = positiveNumber(p.share, `${field}.share`);
    shareTotal += share;
    return { fixed: 0, share };
  });
  // Short runs (`--duration 60s`) must still resolve: fixed phases shrink
  // proportionally so shared phases keep at least half of the run.
  const fixedBudget = shareTotal > 0 ? Math.min(fixedTotal, totalMs * MAX_FIXED_FRACTION) : totalMs;
  const fixedScale = fixedTotal > 0 ? fixedBudget / fixedTotal : 0;
  const shareBudget = totalMs - fixedTotal * fixedScale;
  const lengths = raw.map((r) => (r.share > 0 ? (shareBudget * r.share) / shareTotal : r.fixed * fixedScale));
  return lengths;
}

/** Each phase's [start, end] in ms at a `totalMs` run: boundaries rounded, not lengths, so the last phase ends exactly at the total. */
function phaseBounds(phases: readonly PhaseSpec[], totalMs: number): Array<[number, number]> {
  const lengths = phaseLengths(phases, totalMs);
  let cursor = 0;
  return lengths.map((length, index) => {
    const start = cursor;
    cursor = index === lengths.length - 1 ? totalMs : Math.round(cursor + length);
    return [start, cursor];
  });
}

const fits = (phases: readonly PhaseSpec[], totalMs: number): boolean => phaseBounds(phases, totalMs).every(([start, end]) => end - start >= MIN_PHASE_MS);

/**
 * The shortest run, in whole seconds, at which every phase of `spec` lasts at
 * least MIN_PHASE_MS: what `--duration` must be at least for this scenario
 * (null when no run up to `maxMs` fits). Phase lengths grow with the total,
 * so a binary search finds it; rounding of boundaries can wobble by a
 * millisecond, hence the few seconds checked above the search's answer.
 */
export function minimumDurationMs(spec: ScenarioSpec, maxMs = 7 * 24 * 3_600_000): number | null {
  let lo = 1;
  let hi = Math.floor(maxMs / 1_000);
  if (!fits(spec.phases, hi * 1_000)) return null;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(spec.phases, mid * 1_000)) hi = mid;
    else lo = mid + 1;
  }
  for (let s = lo; s < lo + 5; s++) if (fits(spec.phases, s * 1_000)) return s * 1_000;
  return lo * 1_000;
}

/** `thresholds.levels`: a list of { signal, max } (harness/verdict/level-threshold.ts reads it). */
function resolveLevels(value: unknown): NonNullable<Thresholds['levels']> {
  if (!Array.isArray(value)) throw invalid('thresholds.levels', 'expected a list of { signal, max }');
  return value.map((item: unknown, i) => {
    const field = `thresholds.levels[${i}]`;
    const t = item as { signal?: unknown; max?: unknown } | null;
    if (t === null || typeof t !== 'object') throw invalid(field, 'expected { signal, max }');
    const extra = Object.keys(t).filter((k) => k !== 'signal' && k !== 'max');
    if (extra.length > 0) throw invalid(field, `unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
    if (typeof t.signal !== 'string' || t.signal.trim() === '' || t.signal === 'handles:') {
      throw invalid(`${field}.signal`, "expected 'handles:<key>' or a /metrics series name");
    }
    return { signal: t.signal, max: positiveNumber(t.max, `${field}.max`) };
  });
}

function resolveThresholds(thresholds: Thresholds): Thresholds {
  const out: Thresholds = {};
  for (const [name, value] of Object.entries(thresholds)) {
    if (name === 'levels') {
      out.levels = resolveLevels(value);
      continue;
    }
    if (!(SIGNALS as readonly string[]).includes(name)) {
      throw invalid(`thresholds.${name}`, `unknown signal (known: ${SIGNALS.join(', ')})`);
    }
    out[name as SignalName] = positiveNumber(value, `thresholds.${name}`);
  }
  return out;
}

export function resolveScenario(spec: ScenarioSpec, overrides: ScenarioOverrides = {}): ResolvedScenario {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.name)) throw invalid('name', `expected kebab-case, got ${JSON.stringify(spec.name)}`);
  const total =
    overrides.durationMs !== undefined
      ? durationMs(overrides.durationMs, '--duration')
      : durationMs(spec.defaults.duration, 'defaults.duration');
  const accounts = positiveInt(overrides.accounts ?? spec.defaults.accounts, overrides.accounts !== undefined ? '--accounts' : 'defaults.accounts');
  const seed = positiveInt(overrides.seed ?? spec.defaults.seed, overrides.seed !== undefined ? '--seed' : 'defaults.seed', 0);

  if ((spec.defaults.rate === undefined) === (spec.defaults.connections === undefined)) {
    throw invalid('defaults', 'give exactly one of rate (open model) or connections (closed model)');
  }
  let model: 'open' | 'closed';
  let rate: number | null = null;
  let connections: number | null = null;
  if (overrides.connections !== undefined) {
    model = 'closed';
    connections = positiveInt(overrides.connections, '--connections');
  } else if (overrides.rate !== undefined) {
    model = 'open';
    rate = positiveNumber(overrides.rate, '--rate');
  } else if (spec.defaults.rate !== undefined) {
    model = 'open';
    rate = positiveNumber(spec.defaults.rate, 'defaults.rate');
  } else {
    model = 'closed';
    connections = positiveInt(spec.defaults.connections, 'defaults.connections');
  }

  if (!Array.isArray(spec.phases) || spec.phases.length === 0) throw invalid('phases', 'at least one phase is required');
  const names = new Set<string>();
  const bounds = phaseBounds(spec.phases, total);
  const phases = spec.phases.map((p, index): ResolvedPhase => {
    const field = `phases[${index}]`;
    if (typeof p.name !== 'string' || p.name === '') throw invalid(`${field}.name`, 'expected a non-empty name');
    if (names.has(p.name)) throw invalid(`${field}.name`, `duplicate phase name ${JSON.stringify(p.name)}`);
    names.add(p.name);
    if (!(PHASE_KINDS as readonly string[]).includes(p.kind)) {
      throw invalid(`${field}.kind`, `unknown phase kind ${JSON.stringify(p.kind)} (known: ${PHASE_KINDS.join(', ')})`);
    }
    const [startMs, endMs] = bounds[index]!;
    if (endMs - startMs < MIN_PHASE_MS) {
      const tooShort = `phase ${JSON.stringify(p.name)} resolves to ${endMs - startMs} ms at a ${durationText(total)} run; each phase needs ≥ ${MIN_PHASE_MS} ms`;
      // A --duration the user typed is what is wrong, not the scenario: name the flag and the shortest that works.
      if (overrides.durationMs !== undefined) {
        const min = minimumDurationMs(spec);
        throw new ScenarioError('SCENARIO_ERR_DURATION', '--duration', `--duration: the ${spec.name} scenario needs at least ${min === null ? 'a longer run' : durationText(min)} (its ${tooShort})`);
      }
      throw invalid(field, tooShort);
    }
    const load = resolveLoad(p.load, `${field}.load`);
    return {
      index,
      name: p.name,
      kind: p.kind,
      startMs,
      endMs,
      durationMs: endMs - startMs,
      rate: rate === null ? null : { from: rate * load.from, to: rate * load.to },
      connections:
        connections === null
          ? null
          : { from: Math.max(1, Math.round(connections * load.from)), to: Math.max(1, Math.round(connections * load.to)) },
      mix: resolveMix(p.mix, `${field}.mix`),
      faults: resolveFaults(p.faults, `${field}.faults`),
      settings: resolveSettings(p, `${field}.settings`),
      measured: p.measured ?? p.kind !== 'warm-up',
    };
  });

  const cp = spec.checkpoints;
  const count = cp.count === undefined ? MIN_CHECKPOINTS : positiveInt(cp.count, 'checkpoints.count');
  const every = cp.every === undefined ? Infinity : durationMs(cp.every, 'checkpoints.every');
  const everyMs = Math.max(1, Math.floor(Math.min(every, total / Math.max(count, MIN_CHECKPOINTS))));
  const everyRequests = cp.everyRequests === undefined ? null : positiveInt(cp.everyRequests, 'checkpoints.everyRequests');
  // Request marks are placed from the planned rate (harness/soak/drive.ts plannedCheckpointTimes); a closed model has none.
  if (everyRequests !== null && model === 'closed') {
    throw invalid('checkpoints.everyRequests', `needs the open model (a rate): with ${overrides.connections !== undefined ? '--connections' : 'defaults.connections'} the request count is not known in advance`);
  }

  spec.variants.forEach((v, i) => {
    if (typeof v.name !== 'string' || v.name === '') throw invalid(`variants[${i}].name`, 'expected a leak name');
  });
  const referenceRelayArgs = spec.referenceRelayArgs ?? [];
  if (!Array.isArray(referenceRelayArgs)) throw invalid('referenceRelayArgs', 'expected an array of relay flags');
  referenceRelayArgs.forEach((a, i) => {
    if (typeof a !== 'string' || a === '') throw invalid(`referenceRelayArgs[${i}]`, 'expected a non-empty string');
  });
  if (referenceRelayArgs.length > 0 && !referenceRelayArgs[0]!.startsWith('--')) {
    throw invalid('referenceRelayArgs[0]', `expected a flag (--name), got ${JSON.stringify(referenceRelayArgs[0])}`);
  }

  return {
    name: spec.name,
    description: spec.description,
    durationMs: total,
    model,
    rate,
    connections,
    accounts,
    seed,
    phases,
    checkpoints: { everyMs, everyRequests, min: Math.max(count, MIN_CHECKPOINTS), expected: Math.floor(total / everyMs) },
    thresholds: resolveThresholds(spec.thresholds),
    variants: spec.variants.map((v) => ({ ...v })),
    referenceRelayArgs: [...referenceRelayArgs],
  };
}
