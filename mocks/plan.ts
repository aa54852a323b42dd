// The fault plan: plain JSON-serialisable data saying which faults to inject,
// how often, when, and with which parameters, plus its validator. A report can
// print a plan verbatim and a rerun with the same plan, seed and request order
// injects the same faults.

import { RelaySoakError } from '../shared/errors.ts';
import { FAULT_KINDS, isFaultKind, type FaultKind } from './faults.ts';

/**
 * The API routes a rule can target. Control routes (/__upstream/*) never fault.
 * `state`: POST /backend-api/request-state, where a relay syncs each finished
 * request's state (seed 001 P0-9's system sync); `stall-headers` on it is a stalled sink.
 */
export const ROUTES = ['chat', 'models', 'usage', 'state'] as const;
export type RouteName = (typeof ROUTES)[number];

/**
 * When a rule is active, in ms since the plan took effect (upstream start for
 * the initial plan, the `setPlan`/`PUT /__upstream/plan` call for a later one).
 * Without `everyMs` the window happens once; with it, it repeats every
 * `everyMs` (e.g. a 30 s storm every 5 min: { startMs: 0, durationMs: 30000, everyMs: 300000 }).
 */
export interface FaultWindow {
  startMs: number;
  durationMs: number;
  everyMs?: number;
}

export interface FaultRule {
  fault: FaultKind;
  /** Chance in [0, 1] that an eligible request gets this fault. */
  probability: number;
  /** Routes the rule applies to; default ['chat']. */
  routes?: RouteName[];
  window?: FaultWindow;
}

/** Per-account behaviours: which accounts are chosen depends only on (plan seed, account index). */
export interface AccountBehaviour {
  /** Share of accounts whose token always gets 401 (expired). */
  expiredShare: number;
  /** Share of accounts that always get 429 quota-exhausted. */
  quotaExhaustedShare: number;
  /** `resets_in_seconds` those accounts report. */
  quotaResetSeconds: number;
}

/** A step of a sequence: a fault kind, or `ok` for a plain success. */
export type SequenceStep = FaultKind | 'ok';

/**
 * What a sequence does once its steps are used up:
 * - `ok`: it ends; later requests are served as if it did not exist (a plain
 *   200 unless a per-account behaviour or a rule applies).
 * - `repeat-last`: the last step forever (an outage that never recovers).
 * - `cycle`: the steps again from the first, forever.
 */
export const SEQUENCE_THEN = ['ok', 'repeat-last', 'cycle'] as const;
export type SequenceThen = (typeof SEQUENCE_THEN)[number];

/**
 * A scripted sequence: the requests it matches get `steps` in order, one
 * step per request. It is what a relay's retry and cool-down logic meets in
 * production (429, 429, 503, then ok), reproduced exactly instead of drawn.
 */
export interface FaultSequence {
  /** The route whose requests it matches; default `chat`. */
  route?: RouteName;
  /** Only requests of this account index; omitted = any account. */
  account?: number;
  steps: SequenceStep[];
  /** Default `ok`. */
  then?: SequenceThen;
}

/** Bounds that keep a plan small enough to print in a report and cheap to match. */
export const MAX_SEQUENCES = 1_000;
export const MAX_SEQUENCE_STEPS = 10_000;

export interface FaultPlan {
  /** Seed of fault selection; defaults to the upstream's --seed. */
  seed?: number;
  /** Drawn faults; a plan file may leave it out (no rules), validatePlan fills in []. */
  rules: FaultRule[];
  /** Scripted outcomes; they take precedence over per-account behaviour and rules. */
  sequences?: FaultSequence[];
  accounts?: AccountBehaviour;
  /** `latency` fault: delay before headers = baseMs + uniform(-jitterMs, +jitterMs), floored at 0. */
  latency?: { baseMs: number; jitterMs: number };
  /** `dribble` fault: body sent in chunks of chunkBytes every intervalMs. */
  dribble?: { chunkBytes: number; intervalMs: number };
  /**
   * `slow-stream` fault: the SSE completion in `chunks` writes `intervalMs`
   * apart (seed 002's slow generations: longer in total than a headers or
   * total timeout, never idle longer than one interval).
   */
  slowStream?: { chunks: number; intervalMs: number };
  /** How long `stall-body` / `stall-headers` keep the socket silent before closing it. */
  stallMs?: number;
  /** `Retry-After` seconds (and codex `resets_in_seconds`) of the 429 faults. */
  retryAfterSeconds?: number;
  /** Size of the `-large` error bodies; at least 256 KiB so an unread body pins an undici connection. */
  largeBodyBytes?: number;
}

export interface ResolvedRule {
  fault: FaultKind;
  probability: number;
  routes: readonly RouteName[];
  window?: FaultWindow;
}

/** A plan with every default filled in: what the engine runs on. */
export interface ResolvedSequence {
  route: RouteName;
  /** -1 = any account. */
  account: number;
  steps: readonly SequenceStep[];
  then: SequenceThen;
}

export interface ResolvedPlan {
  seed: number;
  rules: readonly ResolvedRule[];
  sequences: readonly ResolvedSequence[];
  accounts: AccountBehaviour;
  latency: { baseMs: number; jitterMs: number };
  dribble: { chunkBytes: number; intervalMs: number };
  slowStream: { chunks: number; intervalMs: number };
  stallMs: number;
  retryAfterSeconds: number;
  largeBodyBytes: number;
}

export const MIN_LARGE_BODY_BYTES = 256 * 1024;

export const PLAN_DEFAULTS = {
  accounts: { expiredShare: 0, quotaExhaustedShare: 0, quotaResetSeconds: 3600 },
  latency: { baseMs: 200, jitterMs: 100 },
  dribble: { chunkBytes: 64, intervalMs: 20 },
  // 24 writes 5 s apart: a 2-minute stream, past the relay's 60-s headers
  // timeout in total, with every gap well under its 60-s body inactivity timeout.
  slowStream: { chunks: 24, intervalMs: 5_000 },
  stallMs: 120_000,
  retryAfterSeconds: 2,
  largeBodyBytes: MIN_LARGE_BODY_BYTES,
} as const;

/** An empty plan: no faults. */
export const NO_FAULTS: FaultPlan = { rules: [] };

export class PlanError extends RelaySoakError<'MOCK_ERR_PLAN'> {
  /** Dotted path of the offending field, e.g. `plan.rules[2].probability`. */
  readonly field: string;
  constructor(field: string, problem: string) {
    super('MOCK_ERR_PLAN', `${field}: ${problem}`);
    this.field = field;
  }
}

// Floating-point slack for "probabilities sum to at most 1" (0.1 + 0.2 + 0.7).
const SUM_EPSILON = 1e-9;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isRecord(value)) throw new PlanError(field, `expected an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new PlanError(`${field}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
  }
  return value;
}

function number(value: unknown, field: string, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new PlanError(field, `expected ${integer ? 'an integer' : 'a number'}, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new PlanError(field, `must be in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${value}`);
  }
  return value;
}

function share(value: unknown, field: string): number {
  return number(value, field, 0, 1);
}

const MAX = Number.MAX_SAFE_INTEGER;

function validateWindow(value: unknown, field: string): FaultWindow {
  const w = record(value, field, ['startMs', 'durationMs', 'everyMs']);
  const startMs = number(w.startMs, `${field}.startMs`, 0, MAX);
  const durationMs = number(w.durationMs, `${field}.durationMs`, 1, MAX);
  if (w.everyMs === undefined) return { startMs, durationMs };
  const everyMs = number(w.everyMs, `${field}.everyMs`, 1, MAX);
  if (everyMs < durationMs) {
    throw new PlanError(`${field}.everyMs`, `must be ≥ durationMs (${durationMs}), got ${everyMs}`);
  }
  return { startMs, durationMs, everyMs };
}

function validateRule(value: unknown, field: string): FaultRule {
  const r = record(value, field, ['fault', 'probability', 'routes', 'window']);
  if (!isFaultKind(r.fault)) {
    throw new PlanError(`${field}.fault`, `unknown fault kind ${describe(r.fault)} (known: ${FAULT_KINDS.join(', ')})`);
  }
  const rule: FaultRule = { fault: r.fault, probability: share(r.probability, `${field}.probability`) };
  if (r.routes !== undefined) {
    if (!Array.isArray(r.routes) || r.routes.length === 0) {
      throw new PlanError(`${field}.routes`, `expected a non-empty array of ${ROUTES.join(' | ')}, got ${describe(r.routes)}`);
    }
    rule.routes = r.routes.map((route, i) => {
      if (!(ROUTES as readonly unknown[]).includes(route)) {
        throw new PlanError(`${field}.routes[${i}]`, `unknown route ${describe(route)} (known: ${ROUTES.join(', ')})`);
      }
      return route as RouteName;
    });
  }
  if (r.window !== undefined) rule.window = validateWindow(r.window, `${field}.window`);
  return rule;
}

function validateSequence(value: unknown, field: string): FaultSequence {
  const q = record(value, field, ['route', 'account', 'steps', 'then']);
  if (!Array.isArray(q.steps) || q.steps.length === 0 || q.steps.length > MAX_SEQUENCE_STEPS) {
    throw new PlanError(`${field}.steps`, `expected an array of 1 to ${MAX_SEQUENCE_STEPS} steps, got ${describe(q.steps)}${Array.isArray(q.steps) ? ` of length ${q.steps.length}` : ''}`);
  }
  const steps = q.steps.map((step, i): SequenceStep => {
    if (step === 'ok' || isFaultKind(step)) return step;
    throw new PlanError(`${field}.steps[${i}]`, `unknown step ${describe(step)} (known: ok, ${FAULT_KINDS.join(', ')})`);
  });
  const sequence: FaultSequence = { steps };
  if (q.route !== undefined) {
    if (!(ROUTES as readonly unknown[]).includes(q.route)) {
      throw new PlanError(`${field}.route`, `unknown route ${describe(q.route)} (known: ${ROUTES.join(', ')})`);
    }
    sequence.route = q.route as RouteName;
  }
  if (q.account !== undefined) sequence.account = number(q.account, `${field}.account`, 0, MAX, true);
  if (q.then !== undefined) {
    if (!(SEQUENCE_THEN as readonly unknown[]).includes(q.then)) {
      throw new PlanError(`${field}.then`, `unknown value ${describe(q.then)} (known: ${SEQUENCE_THEN.join(', ')})`);
    }
    sequence.then = q.then as SequenceThen;
  }
  return sequence;
}

/**
 * The checks that need the size of the account set, which a plan file does
 * not carry: a sequence for an account that does not exist would silently
 * never match. Throws PlanError naming the field.
 */
export function checkPlanAccounts(plan: FaultPlan, accounts: number, field = 'plan'): void {
  plan.sequences?.forEach((sequence, i) => {
    if (sequence.account !== undefined && sequence.account >= accounts) {
      throw new PlanError(`${field}.sequences[${i}].account`, `must be < the account count (${accounts}), got ${sequence.account}`);
    }
  });
}

/**
 * Checks an untrusted value (parsed JSON) and returns it as a FaultPlan.
 * Throws PlanError naming the first offending field.
 */
export function validatePlan(value: unknown, field = 'plan'): FaultPlan {
  const p = record(value, field, [
    'seed',
    'rules',
    'sequences',
    'accounts',
    'latency',
    'dribble',
    'slowStream',
    'stallMs',
    'retryAfterSeconds',
    'largeBodyBytes',
  ]);
  // `rules` may be left out (a plan of sequences or per-account behaviour only): requiring it
  // made such a plan fail on `plan.rules` and hid the error of the field actually wrong.
  if (p.rules !== undefined && !Array.isArray(p.rules)) throw new PlanError(`${field}.rules`, `expected an array of rules, got ${describe(p.rules)}`);
  const rules: unknown[] = p.rules ?? [];
  const plan: FaultPlan = { rules: rules.map((rule, i) => validateRule(rule, `${field}.rules[${i}]`)) };

  // Rules that can apply to the same request compete for one uniform draw, so
  // their probabilities must fit in [0, 1]. Windows are ignored here on
  // purpose: proving two windows never overlap is not worth the surprise.
  for (const route of ROUTES) {
    const sum = plan.rules.reduce((acc, r) => acc + ((r.routes ?? ['chat']).includes(route) ? r.probability : 0), 0);
    if (sum > 1 + SUM_EPSILON) {
      throw new PlanError(`${field}.rules`, `probabilities of the rules for route "${route}" sum to ${sum} (> 1)`);
    }
  }

  if (p.sequences !== undefined) {
    if (!Array.isArray(p.sequences) || p.sequences.length > MAX_SEQUENCES) {
      throw new PlanError(`${field}.sequences`, `expected an array of at most ${MAX_SEQUENCES} sequences, got ${describe(p.sequences)}`);
    }
    plan.sequences = p.sequences.map((sequence, i) => validateSequence(sequence, `${field}.sequences[${i}]`));
  }

  if (p.seed !== undefined) plan.seed = number(p.seed, `${field}.seed`, 0, 2 ** 32 - 1, true);
  if (p.accounts !== undefined) {
    const a = record(p.accounts, `${field}.accounts`, ['expiredShare', 'quotaExhaustedShare', 'quotaResetSeconds']);
    const accounts: AccountBehaviour = {
      expiredShare: share(a.expiredShare ?? 0, `${field}.accounts.expiredShare`),
      quotaExhaustedShare: share(a.quotaExhaustedShare ?? 0, `${field}.accounts.quotaExhaustedShare`),
      quotaResetSeconds: number(
        a.quotaResetSeconds ?? PLAN_DEFAULTS.accounts.quotaResetSeconds,
        `${field}.accounts.quotaResetSeconds`,
        0,
        MAX,
        true,
      ),
    };
    if (accounts.expiredShare + accounts.quotaExhaustedShare > 1 + SUM_EPSILON) {
      throw new PlanError(`${field}.accounts`, `expiredShare + quotaExhaustedShare must be ≤ 1`);
    }
    plan.accounts = accounts;
  }
  if (p.latency !== undefined) {
    const l = record(p.latency, `${field}.latency`, ['baseMs', 'jitterMs']);
    plan.latency = {
      baseMs: number(l.baseMs, `${field}.latency.baseMs`, 0, MAX),
      jitterMs: number(l.jitterMs ?? 0, `${field}.latency.jitterMs`, 0, MAX),
    };
  }
  if (p.dribble !== undefined) {
    const d = record(p.dribble, `${field}.dribble`, ['chunkBytes', 'intervalMs']);
    plan.dribble = {
      chunkBytes: number(d.chunkBytes, `${field}.dribble.chunkBytes`, 1, MAX, true),
      intervalMs: number(d.intervalMs, `${field}.dribble.intervalMs`, 0, MAX),
    };
  }
  if (p.slowStream !== undefined) {
    const w = record(p.slowStream, `${field}.slowStream`, ['chunks', 'intervalMs']);
    plan.slowStream = {
      chunks: number(w.chunks, `${field}.slowStream.chunks`, 1, 10_000, true),
      intervalMs: number(w.intervalMs, `${field}.slowStream.intervalMs`, 1, MAX),
    };
  }
  if (p.stallMs !== undefined) plan.stallMs = number(p.stallMs, `${field}.stallMs`, 1, MAX);
  if (p.retryAfterSeconds !== undefined) {
    plan.retryAfterSeconds = number(p.retryAfterSeconds, `${field}.retryAfterSeconds`, 0, MAX, true);
  }
  if (p.largeBodyBytes !== undefined) {
    plan.largeBodyBytes = number(p.largeBodyBytes, `${field}.largeBodyBytes`, MIN_LARGE_BODY_BYTES, 64 * 1024 * 1024, true);
  }
  return plan;
}

/** Fills in the defaults; `fallbackSeed` is the upstream's seed. */
export function resolvePlan(plan: FaultPlan, fallbackSeed: number): ResolvedPlan {
  return {
    seed: plan.seed ?? fallbackSeed,
    rules: plan.rules.map((r) => ({
      fault: r.fault,
      probability: r.probability,
      routes: r.routes ?? ['chat'],
      ...(r.window ? { window: r.window } : {}),
    })),
    sequences: (plan.sequences ?? []).map((q) => ({
      route: q.route ?? 'chat',
      account: q.account ?? -1,
      steps: q.steps,
      then: q.then ?? 'ok',
    })),
    accounts: plan.accounts ?? { ...PLAN_DEFAULTS.accounts },
    latency: plan.latency ?? { ...PLAN_DEFAULTS.latency },
    dribble: plan.dribble ?? { ...PLAN_DEFAULTS.dribble },
    slowStream: plan.slowStream ?? { ...PLAN_DEFAULTS.slowStream },
    stallMs: plan.stallMs ?? PLAN_DEFAULTS.stallMs,
    retryAfterSeconds: plan.retryAfterSeconds ?? PLAN_DEFAULTS.retryAfterSeconds,
    largeBodyBytes: plan.largeBodyBytes ?? PLAN_DEFAULTS.largeBodyBytes,
  };
}
