// The request scheduler: the in-flight map (request id → entry, removed on
// completion), the cancellation handle of each request, and the delayed
// failover waits. Everything that can cut a request short (client gone,
// management cancel, shutdown) goes through the entry's AbortController, so
// one signal reaches the upstream request, a pending retry wait and the
// stream pump alike; no per-request polling timer exists.
//
// Four catalog variants (relay/leaks/) live here, each behind a boolean
// fixed at construction: inflight-map (end() keeps the entry),
// retry-timers (a bare setTimeout per failover pause, not cancelled by an
// abort), cancel-poller (a per-request interval never cleared on
// completion) and scheduler-stats (the admission stats appended to a list
// per request instead of counted per model). It also holds the account
// waits (account-wait.ts, variant account-wait-loop).

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccountWaits } from './account-wait.ts';
import { RelayError } from './errors.ts';
import { NO_LEAKS, type LeakFlags } from './leaks/flags.ts';

/** cancel-poller variant: how often each request's poller asks whether it was cancelled. */
const CANCEL_POLL_MS = 250;

/**
 * scheduler-stats variant: the admission record appended per request (seed
 * 001 P0-1's `priority_stats.append(priority)`; the relay has no priorities,
 * its scheduler's per-request facts are these).
 */
interface AdmissionRecord {
  readonly model: string;
  readonly clientKey: number;
  readonly admittedAt: number;
}

/** cancel-poller variant: what each tick opens (the seed's per-tick DB session). */
interface CancelLookupSession {
  readonly requestId: string;
  readonly openedAt: number;
  readonly entry: InFlight | undefined;
}

export interface InFlight {
  readonly id: string;
  readonly controller: AbortController;
  readonly startedAt: number;
  readonly model: string;
  readonly clientKey: number;
  /** Account currently serving it, -1 before the first pick. */
  account: number;
  attempt: number;
  /** True once response bytes went to the client: no failover after that. */
  committed: boolean;
}

export class Scheduler {
  readonly #inflight = new Map<string, InFlight>();
  #retryWaits = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #keepFinished: boolean;
  readonly #fireAndForgetRetries: boolean;
  readonly #pollCancel: boolean;
  /** cancel-poller variant only: the live pollers, so close() can stop them (the process is going anyway). */
  readonly #pollers = new Set<NodeJS.Timeout>();
  /** Admission stats: requests admitted per model. Bounded: begin() only sees models the relay serves. */
  readonly #admittedByModel = new Map<string, number>();
  /** scheduler-stats variant: the same stats as an append-only list (seed 001's priority_stats). */
  readonly #admissionLog: AdmissionRecord[] = [];
  readonly #appendStats: boolean;
  /** Requests waiting for a cooled-down account (account-wait.ts). */
  readonly accountWaits: AccountWaits;

  constructor(leaks: LeakFlags = NO_LEAKS) {
    this.#keepFinished = leaks.inflightMap;
    this.#fireAndForgetRetries = leaks.retryTimers;
    this.#pollCancel = leaks.cancelPoller;
    this.#appendStats = leaks.schedulerStats;
    this.accountWaits = new AccountWaits(leaks.accountWaitLoop);
  }

  /** Entries of the admission stats: one per model admitted (fixed), one per request ever (scheduler-stats variant). */
  get statsEntries(): number {
    return this.#appendStats ? this.#admissionLog.length : this.#admittedByModel.size;
  }

  /** Requests admitted for `model` since start. */
  admitted(model: string): number {
    if (!this.#appendStats) return this.#admittedByModel.get(model) ?? 0;
    // The variant counts its list, as a stats list is read.
    let n = 0;
    for (const r of this.#admissionLog) if (r.model === model) n++;
    return n;
  }

  /** cancel-poller variant: per-request pollers still armed (0 in the fixed build). */
  get cancelPollers(): number {
    return this.#pollers.size;
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  /** Failover waits currently pending (each holds one timer). */
  get retryWaits(): number {
    return this.#retryWaits;
  }

  begin(model: string, clientKey: number, now: number): InFlight {
    const entry: InFlight = {
      id: randomUUID(),
      controller: new AbortController(),
      startedAt: now,
      model,
      clientKey,
      account: -1,
      attempt: 0,
      committed: false,
    };
    this.#inflight.set(entry.id, entry);
    // scheduler-stats variant (seed 001 P0-1's priority_stats): one record appended per request, never dropped.
    if (this.#appendStats) this.#admissionLog.push({ model, clientKey, admittedAt: now });
    else this.#admittedByModel.set(model, (this.#admittedByModel.get(model) ?? 0) + 1);
    if (this.#pollCancel) this.#armCancelPoller(entry);
    return entry;
  }

  end(entry: InFlight): void {
    // inflight-map variant (seed 001's priority_map): completion forgets to remove the entry.
    if (this.#keepFinished) return;
    if (!this.#inflight.delete(entry.id)) return;
    if (this.#inflight.size === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Up to `limit` in-flight entries, oldest first (management listing). */
  list(limit: number): InFlight[] {
    const out: InFlight[] = [];
    for (const entry of this.#inflight.values()) {
      if (out.length === limit) break;
      out.push(entry);
    }
    return out;
  }

  get(id: string): InFlight | undefined {
    return this.#inflight.get(id);
  }

  /** Management cancel: false when no such request is in flight. */
  cancel(id: string): boolean {
    const entry = this.#inflight.get(id);
    if (entry === undefined) return false;
    entry.controller.abort(new RelayError('RELAY_ERR_REQUEST_CANCELLED', 'request cancelled'));
    return true;
  }

  abortAll(reason: RelayError): void {
    for (const entry of this.#inflight.values()) entry.controller.abort(reason);
  }

  /**
   * The pause before failing over to another account. Rejects with the
   * abort reason when the request is cut short meanwhile (the timer is
   * cleared by timers/promises, nothing lingers).
   */
  async retryDelay(entry: InFlight, ms: number, body: Buffer): Promise<void> {
    if (ms <= 0) return;
    if (this.#fireAndForgetRetries) return this.#fireAndForgetDelay(entry, ms, body);
    this.#retryWaits++;
    try {
      await sleep(ms, undefined, { signal: entry.controller.signal });
    } finally {
      this.#retryWaits--;
    }
  }

  /**
   * retry-timers variant (seed 001's unreferenced `_delayed_retry` task): a
   * bare, ref'd timer whose callback holds the request body. An abort
   * rejects the wait at once but leaves the timer armed until it fires, so
   * aborted requests (and shutdown) leave timers and bodies behind.
   */
  #fireAndForgetDelay(entry: InFlight, ms: number, body: Buffer): Promise<void> {
    this.#retryWaits++;
    return new Promise((resolve, reject) => {
      // The body rides along as the retry's payload: the Timeout keeps it reachable until it fires.
      setTimeout((_payload: Buffer) => {
        this.#retryWaits--;
        resolve();
      }, ms, body);
      const signal = entry.controller.signal;
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  /**
   * cancel-poller variant (seed 001's `_check_task_cancel`): every tick opens
   * a fresh lookup session to ask whether the request was cancelled. It
   * stops when it sees a cancellation, never when the request completes.
   */
  #armCancelPoller(entry: InFlight): void {
    const timer: NodeJS.Timeout = setInterval(() => {
      const session: CancelLookupSession = { requestId: entry.id, openedAt: Date.now(), entry: this.#inflight.get(entry.id) };
      if (entry.controller.signal.aborted || session.entry?.controller.signal.aborted === true) {
        clearInterval(timer);
        this.#pollers.delete(timer);
      }
    }, CANCEL_POLL_MS);
    this.#pollers.add(timer);
  }

  /** Relay close: stops what only a leak variant leaves running (cancel pollers, unbounded account waits). */
  dispose(): void {
    for (const timer of this.#pollers) clearInterval(timer);
    this.#pollers.clear();
    this.accountWaits.dispose();
  }

  /** Resolves when nothing is in flight (graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.#inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
