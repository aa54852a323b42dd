// Scenarios are typed data: `defineScenario({...})` returns its argument
// unchanged but checks its shape at compile time (the vitest/tinybench
// style), and `resolveScenario` turns it plus CLI overrides into absolute,
// validated phases the orchestrator and the load driver consume.
//
// Vocabulary
// - rate (open model): target requests per second over all traffic kinds;
//   connections (closed model): concurrent clients looping back to back.
//   A scenario picks one in its defaults; `--rate` / `--connections` switch.
// - phase: a slice of the run with its own load multiplier, traffic mix and
//   fault plan. Its length is a share of the run or a fixed duration.
// - mix: relative weights of traffic kinds. Each kind gets weight/Σweights of
//   the phase's rate (or of its connections in the closed model).
// - event: a harness-side or upstream-side count a leak grows with (the x axis
//   a verdict regresses memory against): `sse-abort`, `api-call`, `429-large`…

//
// Import from scenarios/index.ts (the public entry): it re-exports this file,
// resolve.ts and the registry.

import type { Duration } from './duration.ts';
import type { FaultPlan } from '../mocks/index.ts';

/**
 * Traffic kinds the load driver knows how to generate.
 * - `chat`: JSON chat completion (body verified: a truncated 2xx is a mismatch).
 * - `chat-stream`: SSE chat completion read to `data: [DONE]` (verified).
 * - `chat-idempotent`: JSON chat with an `Idempotency-Key` (seed 004: unique keys churn the relay's cache).
 * - `models`: `GET /v1/models`.
 * - `stream-abort`: SSE client that disconnects after k chunks (event `sse-abort`).
 * - `retry`: a client that retries 429/503 immediately, bounded tries (seed 001; event `retry`).
 * - `api-call`: one management health probe, walking all accounts in order (seed 000; events `api-call`, `scan`).
 * - `sync-event`: a batch of incremental account-sync events (seed 003; event `sync-event`).
 */
export const TRAFFIC_KINDS = [
  'chat',
  'chat-stream',
  'chat-idempotent',
  'models',
  'stream-abort',
  'retry',
  'api-call',
  'sync-event',
] as const;
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

/** Relative weights; omitted kinds weigh 0. At least one weight must be > 0. */
export type Mix = Partial<Record<TrafficKind, number>>;

export const PHASE_KINDS = [
  'warm-up',
  'ramp',
  'steady',
  'spike',
  'error-storm',
  'stream-abort',
  'health-scan',
  'account-churn',
  'cache-churn',
  'retry-storm',
  'cool-down',
] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

// The fake upstream's fault plan, as plain JSON data: mocks/ owns the type
// (fault kinds are checked at compile time) and validates it again when the
// orchestrator PUTs it to `/__upstream/plan`. Type-only import: scenarios/
// never loads mocks/ code.
export type { FaultPlan, FaultRule } from '../mocks/index.ts';

/** Knobs of the custom drivers; every field has a default (see resolve.ts DEFAULT_SETTINGS). */
export interface PhaseSettings {
  /** Max `api-call` probes in flight at once (users scan with bounded concurrency). */
  apiCallConcurrency?: number;
  /**
   * Also run the relay's own scan (`POST /v0/management/health-scan`, polled
   * until done) back to back during the phase, `pause` between scans. Off when absent.
   */
  relayScan?: { concurrency?: number; pause?: Duration };
  /** Stream-abort clients disconnect after a chunk count drawn from [min, max]. */
  abortAfterChunks?: { min: number; max: number };
  /**
   * Retry clients: tries per request (first try included), the statuses they
   * retry, and how long a client waits for one attempt before it gives up and
   * hangs up (seed 001: SDK timeouts during a relay's failover pause; event
   * `client-gave-up`). No time limit when `giveUpAfter` is absent.
   */
  retry?: { maxTries?: number; on?: number[]; giveUpAfter?: Duration };
  /** Account churn: events per `sync-event` batch; send a full snapshot in chunks when the phase starts. */
  sync?: { eventsPerBatch?: number; snapshotAtStart?: boolean; snapshotChunk?: number };
  /** `chat-idempotent` keys: `unique` (never repeat: cache churn) or reuse among n keys (cache hits). */
  idempotencyKeys?: 'unique' | number;
  /** SSE completions ask for `stream_options.include_usage` this often, in [0, 1]. */
  includeUsage?: number;
  /**
   * Open model, custom-driver kinds (`retry`, `stream-abort`, `api-call`, `sync-event`):
   * operations in flight at most per kind, beyond which starts are dropped (event
   * `load-dropped`). Default min(512, 2 × the kind's rate): enough for a healthy
   * target. A burst of many users against a stalled target needs more (seed 002:
   * every request the relay admits is held for the stall; 512 would cap the level
   * the harness can show under seed 002's 2 000 alarm).
   */
  maxInFlight?: number;
}

export interface PhaseSpec {
  /** Unique within the scenario; shown in progress lines and run events. */
  name: string;
  kind: PhaseKind;
  /** Share of the time left after fixed phases (shares are normalised). Exactly one of share / duration. */
  share?: number;
  /** Fixed length (capped at half the run when the run is short; see resolveScenario). */
  duration?: Duration;
  /** Multiplier on the scenario's rate (open) or connections (closed); `{ from, to }` ramps linearly. Default 1. */
  load?: number | { from: number; to: number };
  mix: Mix;
  /** Applied by the orchestrator at phase start; `null` clears faults. Default: no faults. */
  faults?: FaultPlan | null;
  settings?: PhaseSettings;
  /** Include this phase in verdict regressions. Default: every kind but `warm-up`. */
  measured?: boolean;
}

export interface ScenarioDefaults {
  duration: Duration;
  /** Open model: requests per second over all traffic kinds. Exactly one of rate / connections. */
  rate?: number;
  /** Closed model: concurrent clients. */
  connections?: number;
  accounts: number;
  seed: number;
}

/** When checkpoints happen: the orchestrator takes at least 8 per run whatever this says. */
export interface CheckpointSpec {
  /** Aim for this many checkpoints over the run. */
  count?: number;
  /** At most this long between checkpoints (long runs). */
  every?: Duration;
  /**
   * Also one after every this many requests, when given: placed where the
   * phases' planned rates reach each multiple (open model only; a closed
   * model's request count is not known in advance and is refused). For a fast
   * leak at a high rate, checkpoints by request count rather than by the clock.
   */
  everyRequests?: number;
}

/** Signals the verdict engine regresses, per completed request (or per triggering event). */
export type SignalName = 'heapUsed' | 'external' | 'arrayBuffers' | 'rss' | 'handles' | 'fds' | 'tcp';

/**
 * Effect-size floors δ: slopes below these are not called a leak even when
 * statistically significant (post-GC heaps still drift a little with warm-up).
 * Memory signals in bytes per unit of x, handles/fds/tcp in count per unit of x.
 */
export type Thresholds = Partial<Record<SignalName, number>> & {
  /**
   * Level thresholds: ceilings a healthy target stays under whatever the load
   * (seed 002's "goroutine count above 2 000" alarm). A run whose continuous
   * samples go above `max` is a LEAK (harness/verdict/level-threshold.ts).
   * `signal`: `handles:<key>` (`handles:fds`, `handles:tcp:ESTABLISHED`, a
   * probe resource type) or a target /metrics series as printed
   * (`relay_inflight_requests`, `go_goroutines`).
   */
  levels?: Array<{ signal: string; max: number }>;
};

export interface LeakVariant {
  /** The relay's `--leak` name. */
  name: string;
  /** The incident it reproduces, e.g. `seed 002`. */
  origin?: string;
  /**
   * The event the leak grows with, when it is not plain request count: an
   * upstream fault kind (`429-large`) or a harness event (`sse-abort`,
   * `sync-event`, `api-call`, `idempotency-key`, `retry`, `chat-error`: a chat
   * completion answered with a non-2xx status).
   */
  trigger?: string;
}

export interface ScenarioSpec {
  /** Lowercase kebab-case; the `--scenario` value. */
  name: string;
  /** One line for `--scenario list`. */
  description: string;
  defaults: ScenarioDefaults;
  phases: PhaseSpec[];
  checkpoints: CheckpointSpec;
  thresholds: Thresholds;
  variants: LeakVariant[];
  /**
   * Flags the reference relay needs for this scenario's trigger to reach its
   * code path (e.g. sink-stall's `--state-sync`: the sync it stalls is off by
   * default). Added to every reference-relay run of the scenario, soak and
   * proof alike; a third-party target ignores them (its own config decides).
   */
  referenceRelayArgs?: string[];
}

/** Identity at run time; the type annotation is the point (autocomplete, checked literals). */
export function defineScenario<const S extends ScenarioSpec>(spec: S): S {
  return spec;
}
