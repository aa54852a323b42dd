// Prometheus metrics (prom-client), one Registry per relay instance (tests
// run several relays in one process; the global registry would mix them).
//
// Hot path: counters are incremented through label children bound once and
// cached (prom-client's labels() hashes the label values on every call).
// Gauges are not updated per request: each gauge reads its source in a
// collect() callback at scrape time. Every name is documented in README.md;
// the harness parses them.

import { Counter, Gauge, Registry } from 'prom-client';
import type { UpstreamErrorClass } from './upstream/classify.ts';
import { UPSTREAM_ERROR_CLASSES } from './upstream/classify.ts';
import { TASK_OUTCOMES, type TaskOutcome } from './background-tasks.ts';

export type Route =
  | 'chat_completions'
  | 'models'
  | 'management'
  | 'metrics'
  | 'not_found';

export const ROUTES: readonly Route[] = ['chat_completions', 'models', 'management', 'metrics', 'not_found'];

/** Everything a gauge reads at scrape time. */
export interface GaugeSources {
  pool(): { connected: number; free: number; pending: number; queued: number; running: number; size: number };
  accountsByState(): { available: number; cooling: number; disabled: number };
  sizes(): Record<SizeName, number>;
  listeners(): Record<ListenerSite, number>;
  /** Account views built by the management API since start (a clone counter: one lookup must build one). */
  viewsBuilt(): number;
  /** Account deep copies made by management lookups since start (1 per lookup; N with account-clone). */
  clonesMade(): number;
  /** Idempotency cache evictions since start. */
  idempotencyEvictions(): number;
  /** Configured caps of the capped structures. */
  capacities(): Record<CappedName, number>;
  /** The admission semaphore (relay/admission.ts): admitted, waiting, its limit and queue cap, refusals since start. */
  admission(): { active: number; queued: number; limit: number; queueCap: number; rejected: number };
  /** Background tasks (request-state syncs) ended, by outcome, since start. */
  backgroundTasks(): Readonly<Record<TaskOutcome, number>>;
}

/** Every map/cache/buffer whose size the harness watches: label `structure` of relay_structure_entries. */
export const SIZE_NAMES = [
  'inflight_requests',
  'retry_waits',
  'idempotency_cache',
  'completed_usage',
  'usage_series',
  'usage_recent',
  'health_scans',
  'health_scan_workers',
  'sync_tracker_entries',
  'cooling_heap',
  'auth_index_map',
  'model_cursors',
  'client_sockets',
  'cancel_pollers',
  'account_waits',
  'scheduler_stats',
  'request_contexts',
  'background_tasks',
] as const;
export type SizeName = (typeof SIZE_NAMES)[number];

/** Structures with a configured cap: label `structure` of relay_structure_capacity. */
export const CAPPED_NAMES = ['idempotency_cache', 'completed_usage', 'usage_series', 'usage_recent', 'health_scans'] as const;
export type CappedName = (typeof CAPPED_NAMES)[number];

/** Shared emitters whose listener counts must stay flat. */
export const LISTENER_SITES = ['server', 'upstream_pool', 'process', 'account_events'] as const;
export type ListenerSite = (typeof LISTENER_SITES)[number];

export class RelayMetrics {
  readonly registry = new Registry();
  /** [route][status] → bound child. Status codes are few; the inner Map stays tiny. */
  readonly #requests: Record<Route, Map<number, Counter.Internal>>;
  readonly #requestsCounter: Counter<'route' | 'status'>;
  readonly #upstreamErrors: Record<UpstreamErrorClass, Counter.Internal>;
  readonly #upstreamStatus: Counter<'status'>;
  readonly #upstreamStatusChildren = new Map<number, Counter.Internal>();
  readonly #failovers: Counter;
  readonly #tokens: { prompt: Counter.Internal; completion: Counter.Internal };
  readonly #idempotencyHits: Counter;
  readonly #streamsTerminated: Counter;

  constructor(sources: GaugeSources) {
    const registers = [this.registry];
    this.#requestsCounter = new Counter({
      name: 'relay_requests_total',
      help: 'Client requests answered, by route and HTTP status',
      labelNames: ['route', 'status'] as const,
      registers,
    });
    this.#requests = Object.fromEntries(ROUTES.map((r) => [r, new Map()])) as unknown as Record<Route, Map<number, Counter.Internal>>;

    const upstreamErrors = new Counter({
      name: 'relay_upstream_errors_total',
      help: 'Upstream network-level failures, by class (timeout, broken, connect, aborted, too_large, other)',
      labelNames: ['class'] as const,
      registers,
    });
    this.#upstreamErrors = Object.fromEntries(
      UPSTREAM_ERROR_CLASSES.map((c) => [c, upstreamErrors.labels(c)]),
    ) as Record<UpstreamErrorClass, Counter.Internal>;

    this.#upstreamStatus = new Counter({
      name: 'relay_upstream_responses_total',
      help: 'Upstream responses by HTTP status',
      labelNames: ['status'] as const,
      registers,
    });
    this.#failovers = new Counter({
      name: 'relay_failovers_total',
      help: 'Attempts retried on another account',
      registers,
    });
    const tokens = new Counter({
      name: 'relay_usage_tokens_total',
      help: 'Tokens reported by the upstream, by kind',
      labelNames: ['kind'] as const,
      registers,
    });
    this.#tokens = { prompt: tokens.labels('prompt'), completion: tokens.labels('completion') };
    this.#idempotencyHits = new Counter({
      name: 'relay_idempotency_hits_total',
      help: 'Responses replayed from the idempotency cache',
      registers,
    });
    this.#streamsTerminated = new Counter({
      name: 'relay_streams_terminated_total',
      help: 'SSE streams cut after commit because the upstream broke',
      registers,
    });

    new Counter({
      name: 'relay_account_views_built_total',
      help: 'Account views built for management responses (grows by the page size per list call, by 1 per lookup)',
      registers,
      collect() {
        this.reset();
        this.inc(sources.viewsBuilt());
      },
    });
    new Counter({
      name: 'relay_account_clones_total',
      help: 'Account deep copies made by management lookups (1 per lookup; N per lookup with the account-clone leak)',
      registers,
      collect() {
        this.reset();
        this.inc(sources.clonesMade());
      },
    });
    new Counter({
      name: 'relay_idempotency_evictions_total',
      help: 'Entries evicted from the idempotency cache',
      registers,
      collect() {
        this.reset();
        this.inc(sources.idempotencyEvictions());
      },
    });
    new Counter({
      name: 'relay_background_tasks_total',
      help: 'Background tasks (request-state syncs) ended, by outcome (ok, failed, timeout, dropped: refused at the bound)',
      labelNames: ['outcome'] as const,
      registers,
      collect() {
        this.reset();
        const outcomes = sources.backgroundTasks();
        for (const outcome of TASK_OUTCOMES) this.inc({ outcome }, outcomes[outcome]);
      },
    });
    new Gauge({
      name: 'relay_structure_capacity',
      help: 'Configured cap of each capped structure (compare with relay_structure_entries)',
      labelNames: ['structure'] as const,
      registers,
      collect() {
        const caps = sources.capacities();
        for (const name of CAPPED_NAMES) this.set({ structure: name }, caps[name]);
      },
    });
    new Gauge({
      name: 'relay_upstream_pool',
      help: 'undici Pool.stats of the upstream pool, by field (connected, free, pending, queued, running, size)',
      labelNames: ['field'] as const,
      registers,
      collect() {
        const stats = sources.pool();
        for (const field of ['connected', 'free', 'pending', 'queued', 'running', 'size'] as const) this.set({ field }, stats[field]);
      },
    });
    new Gauge({
      name: 'relay_admission',
      help: 'Admission semaphore by field: active (admitted, doing upstream work), queued, limit (--max-inflight), queue_cap (--admission-queue); active passes limit only with no-admission',
      labelNames: ['field'] as const,
      registers,
      collect() {
        const a = sources.admission();
        this.set({ field: 'active' }, a.active);
        this.set({ field: 'queued' }, a.queued);
        this.set({ field: 'limit' }, a.limit);
        this.set({ field: 'queue_cap' }, a.queueCap);
      },
    });
    new Counter({
      name: 'relay_admission_rejected_total',
      help: 'Chat requests refused with 503 + Retry-After at the admission limit (queue full or wait expired)',
      registers,
      collect() {
        this.reset();
        this.inc(sources.admission().rejected);
      },
    });
    new Gauge({
      name: 'relay_accounts',
      help: 'Accounts by state (available, cooling, disabled)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const counts = sources.accountsByState();
        this.set({ state: 'available' }, counts.available);
        this.set({ state: 'cooling' }, counts.cooling);
        this.set({ state: 'disabled' }, counts.disabled);
      },
    });
    new Gauge({
      name: 'relay_inflight_requests',
      help: 'Chat requests in flight (the scheduler map)',
      registers,
      collect() {
        this.set(sources.sizes().inflight_requests);
      },
    });
    new Gauge({
      name: 'relay_structure_entries',
      help: 'Entries held by each bounded map, cache, buffer or timer set, by structure',
      labelNames: ['structure'] as const,
      registers,
      collect() {
        const sizes = sources.sizes();
        for (const name of SIZE_NAMES) this.set({ structure: name }, sizes[name]);
      },
    });
    new Gauge({
      name: 'relay_listeners',
      help: 'Event listeners on shared long-lived emitters, by emitter',
      labelNames: ['emitter'] as const,
      registers,
      collect() {
        const counts = sources.listeners();
        for (const site of LISTENER_SITES) this.set({ emitter: site }, counts[site]);
      },
    });
  }

  request(route: Route, status: number): void {
    const children = this.#requests[route];
    let child = children.get(status);
    if (child === undefined) {
      child = this.#requestsCounter.labels(route, String(status));
      children.set(status, child);
    }
    child.inc();
  }

  upstreamError(cls: UpstreamErrorClass): void {
    this.#upstreamErrors[cls].inc();
  }

  upstreamStatus(status: number): void {
    let child = this.#upstreamStatusChildren.get(status);
    if (child === undefined) {
      child = this.#upstreamStatus.labels(String(status));
      this.#upstreamStatusChildren.set(status, child);
    }
    child.inc();
  }

  failover(): void {
    this.#failovers.inc();
  }

  tokens(prompt: number, completion: number): void {
    if (prompt > 0) this.#tokens.prompt.inc(prompt);
    if (completion > 0) this.#tokens.completion.inc(completion);
  }

  idempotencyHit(): void {
    this.#idempotencyHits.inc();
  }

  streamTerminated(): void {
    this.#streamsTerminated.inc();
  }
}
