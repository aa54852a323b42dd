// How the harness judges each catalog variant: its vocabulary and decisions.
// The relay's catalog (relay/leaks/catalog.ts) states facts about each bug
// (what it keeps or spends, how much per which event, how long, how measured);
// this file decides which verdict signal reads that resource, what kind of
// evidence proves it (a slope, a handle count, an allocation ratio, a level),
// with which tolerance, and where a level shows. proof-plan.ts and everything
// else in harness/ read a variant's signature through signatureOf().

import type { LeakEntry, LeakResource } from '../../relay/leaks/catalog.ts';
import type { SignatureSignal } from '../verdict/index.ts';
import type { LevelWhere } from '../verdict/level.ts';

/**
 * What a signature measures:
 *  - `retained`: memory kept per event (`heapUsed`, `external`, `arrayBuffers`, `rss`), post-GC;
 *  - `handles`: OS/libuv handles kept per event (`handles:<key>`: fds, TCP states, timers);
 *  - `churn`: nothing is kept; `signal: 'allocated'` = bytes allocated per event (the GC's work),
 *    read from the probe's allocation estimate, not from a post-GC series;
 *  - `level`: a plateau set by a rate times a lifetime or by peak concurrency, not a slope.
 *    `seen: 'drained'`: handles still held at drained checkpoints (nothing in flight) beyond
 *    the pre-load count; `seen: 'under-load'`: only while the trigger runs (compare the
 *    continuous samples of the leaky and the fixed run).
 */
export type SignatureKind = 'retained' | 'handles' | 'churn' | 'level';

/** A verdict signal (harness/verdict/signature.ts: memory or `handles:<key>`), or `allocated` for churn. */
export type LeakSignal = SignatureSignal | 'allocated';

/**
 * The verdict signal that reads each catalog resource. `handles:<key>` keys are
 * as harness/verdict/handles.ts spells them.
 */
export const SIGNAL_OF: Readonly<Record<LeakResource, LeakSignal>> = {
  heap: 'heapUsed',
  'external-buffers': 'external',
  fds: 'handles:fds',
  timers: 'handles:Timeout',
  // From /proc (the TCP state table), not libuv's TCPSocketWrap count: idle
  // pooled sockets are unref'd and TCPSocketWrap misses them (catalog basis of
  // unbounded-fanout: 204 ESTABLISHED vs 81 TCPSocketWrap in the leaky run).
  'upstream-sockets': 'handles:tcp:ESTABLISHED',
  allocation: 'allocated',
};

/** How one variant is judged: the harness's decision, per variant. */
export type VariantJudging =
  | {
      readonly kind: 'retained' | 'handles' | 'churn';
      /** Relative tolerance for "triggered" (verdict/signature.ts: measured ≥ perEvent·(1 − tolerance)). */
      readonly tolerance: number;
    }
  | {
      readonly kind: 'level';
      /** Not read today: a level has no per-event check (proof-plan.ts); kept as the catalog stated it. */
      readonly tolerance: number;
      /** Where the level shows. Absent: `drained`. */
      readonly seen?: LevelWhere;
      /** The signal the level is read on, when not the resource's (SIGNAL_OF). */
      readonly signal?: LeakSignal;
      /** under-load: read only the samples taken while this harness trigger ran (verdict/level.ts `whileRunning`). */
      readonly whileRunning?: string;
    };

/** The judging of every catalog variant, by name (signatures.test.ts: exactly the catalog's names). */
export const VARIANT_JUDGING: Readonly<Record<string, VariantJudging>> = {
  // Nothing is kept: N clones per lookup die young, so the cost is GC work,
  // read from the probe's allocation estimate (the after/before allocation
  // ratio). checkSignature cannot measure `allocated`: the tolerance is not read.
  'account-clone': { kind: 'churn', tolerance: 0.5 },
  // One pinned socket per large error body, kept for the relay's life: a
  // per-event handle count. On fds, not ESTABLISHED: the connection turns
  // CLOSE_WAIT once the upstream gives up on it, the fd is what lasts.
  'error-body': { kind: 'handles', tolerance: 0.5 },
  // One pinned socket per stalled error body the relay gave up on, kept until
  // the upstream ends the response (10 min in error-stalls: past the run): a
  // per-event fd count, as error-body's.
  'error-body-read-fail': { kind: 'handles', tolerance: 0.5 },
  // A stalled-header attempt holds its socket until the client hangs up (at
  // the latest at the next drained checkpoint, when the load cuts what is
  // left), not for good: a level while the stalls run, compared sample by
  // sample with the fixed relay, whose --headers-timeout ends each after 1 s.
  // Read on the relay's own pool gauge (running: sockets busy with a request),
  // not /proc's ESTABLISHED: that count includes the load's client sockets,
  // which close and reopen around every checkpoint (the first proof, on
  // tcp:ESTABLISHED: leaky samples 40–94 against fixed 70–79, FAILED), while
  // the pool's running count stood apart in the same runs (leaky median 22,
  // fixed p90 15).
  'headers-timeout': { kind: 'level', tolerance: 0.5, seen: 'under-load', signal: 'handles:relay:relay_upstream_pool{field="running"}' },
  // The socket is freed when the upstream finishes the stream, before a
  // drained checkpoint: a level (abort rate × rest of the stream) that shows
  // only while streams are being abandoned, so compare the continuous samples.
  'sse-abort': { kind: 'level', tolerance: 0.5, seen: 'under-load' },
  // Every event appended for good: a post-GC heap slope per sync-event.
  'sync-tracker': { kind: 'retained', tolerance: 0.5 },
  // Every stream keeps its request graph: a heap slope per sse-abort (a lower
  // bound, since finished streams leak too).
  listener: { kind: 'retained', tolerance: 0.5 },
  // On external, not heapUsed: the body buffers are the clean signal (two
  // cache-churn proof runs: external 320 B/key [312, 322], LEAK; the lazily
  // evicted heap 268 [228, 290] with a second half too noisy to call).
  // Tolerance 0.6: only writes above the 100/s drain rate are kept, ≈ 64 % at
  // cache-churn's ≈ 280 keys/s, so the measured cost is well under perEvent.
  'lazy-lru': { kind: 'retained', tolerance: 0.6 },
  // Every request leaves its InFlight entry: a heap slope per request.
  'inflight-map': { kind: 'retained', tolerance: 0.5 },
  // Every request answered with an error leaves its InFlight entry: a heap
  // slope per `chat-error` (proof-plan.ts regresses it on that event's axis).
  'inflight-error-path': { kind: 'retained', tolerance: 0.5 },
  // A timer lasts --retry-delay after the abort: a level (abort rate × pause),
  // seen at drained checkpoints when the pause outlasts the drain; the proof
  // runs both relays with --retry-delay 10000 (proof-plan.ts) and the
  // retry-storm clients give up after 2 s.
  'retry-timers': { kind: 'level', tolerance: 0.9, seen: 'drained' },
  // Every finished request leaves a ref'd interval: a Timeout count per request.
  'cancel-poller': { kind: 'handles', tolerance: 0.5 },
  // Every record outlives its TTL: a heap slope per request.
  'usage-ttl': { kind: 'retained', tolerance: 0.5 },
  // Records kept 2–3 × TTL: a plateau of post-GC heap at rate × lifetime, not
  // a slope. A level at drained checkpoints on heapUsed, read only after one
  // lifetime of load, and the plateau rule (verdict/plateau.ts: the leaky run
  // must level off, not keep growing; proof-plan.ts gives the lifetime).
  'usage-plateau': { kind: 'level', tolerance: 0.5, seen: 'drained' },
  // The scan's extra sockets live for the scan plus a keep-alive: a level set
  // by the scan's concurrency, read in the samples taken while a relay scan
  // runs. A leaky scan lasts ≈ 2–4 s of a ≈ 6-s checkpoint segment (a scan
  // that would not finish before the segment's end is not started), so over
  // the whole relay-scan phase its median weighed the gaps: 102.5 against the
  // fixed run's p90 112.7 while every sample taken mid-scan read 204 (the cap's
  // 128 upstream sockets plus the clients'), failed, 2026-12-07 --prove all.
  // Read on the relay's own pool gauge (sockets connected upstream), as
  // headers-timeout is: /proc's ESTABLISHED adds the load's client sockets, and
  // with 32 scan workers the fixed run's mid-scan ESTABLISHED reached p90 179
  // against the leaky run's 204, where its upstream sockets stood far under
  // the leaky relay's 128 (the pool's cap).
  'unbounded-fanout': { kind: 'level', tolerance: 0.9, seen: 'under-load', whileRunning: 'relay-scan', signal: 'handles:relay:relay_upstream_pool{field="connected"}' },
  // The idle sockets follow the burst's peak concurrency, not the request
  // count, so a per-request slope understates them: a level, and since they
  // stay for 30 minutes idle it shows at drained checkpoints (the default).
  'pool-size': { kind: 'level', tolerance: 0.9 },
  // Every chat request leaves its execution context registered: a heap slope per request.
  'task-contexts': { kind: 'retained', tolerance: 0.5 },
  // Every request while the sink stalls leaves one pending sync queued in the
  // sink pool (the pool frees 8 a minute): a heap slope per request, measured
  // in sink-stall where the sink stalls through the whole judged window.
  'orphan-tasks': { kind: 'retained', tolerance: 0.5 },
  // Every request held while the upstream stalls: a level of arrival rate ×
  // stall (× the clients' patience), gone once the burst's clients give up,
  // so it shows only while the burst runs: compare the continuous samples.
  // The scenario's level threshold (stall-burst: relay_inflight_requests ≤
  // 2 000, seed 002's alarm) must be breached by the leaky run and held by the
  // fixed one.
  'no-admission': { kind: 'level', tolerance: 0.9, seen: 'under-load' },
  // Every request abandoned during a wall leaves its loop polling for good,
  // each loop one armed sleep timer: a Timeout count per `client-gave-up`,
  // at drained checkpoints (the fixed wait ends with the client).
  'account-wait-loop': { kind: 'handles', tolerance: 0.5 },
  // Every chat request appends a record for good: a heap slope per request.
  'scheduler-stats': { kind: 'retained', tolerance: 0.5 },
};

/** A variant's signature as the harness judges it: the catalog's cost plus the judging decisions. */
export interface LeakSignature {
  readonly kind: SignatureKind;
  readonly signal: LeakSignal;
  /** Expected cost per event: bytes for memory signals, handles for `handles:*`. Per account when `perAccount`. */
  readonly perEvent: number;
  /** perEvent is multiplied by the relay's account count. */
  readonly perAccount?: boolean;
  /** The cumulative counter in a checkpoint's `events`. */
  readonly event: string;
  /** Relative tolerance for "triggered" (harness default 0.5). */
  readonly tolerance?: number;
  /** `level` only: where the level shows (default `drained`). */
  readonly seen?: LevelWhere;
  /** `level` under load only: read only the samples taken while this harness trigger ran. */
  readonly whileRunning?: string;
  /** How long the cost lasts once paid (the catalog's `lasts`); absent: while the relay lives. */
  readonly lasts?: string;
}

/** The signature of a catalog entry. Throws when the harness has no judging for it (a new variant). */
export function signatureOf(entry: LeakEntry): LeakSignature {
  const judging = Object.hasOwn(VARIANT_JUDGING, entry.name) ? VARIANT_JUDGING[entry.name] : undefined;
  if (judging === undefined) throw new Error(`harness/judge/signatures.ts: no judging for catalog variant "${entry.name}"`);
  const c = entry.cost;
  return {
    kind: judging.kind,
    signal: judging.kind === 'level' && judging.signal !== undefined ? judging.signal : SIGNAL_OF[c.what],
    perEvent: c.perEvent,
    ...(c.perAccount === undefined ? {} : { perAccount: c.perAccount }),
    event: c.event,
    tolerance: judging.tolerance,
    ...(judging.kind === 'level' && judging.seen !== undefined ? { seen: judging.seen } : {}),
    ...(judging.kind === 'level' && judging.whileRunning !== undefined ? { whileRunning: judging.whileRunning } : {}),
    ...(c.lasts === undefined ? {} : { lasts: c.lasts }),
  };
}
