// The request scheduler: the in-flight map (request id → entry, removed on
// completion), the cancellation handle of each request, and the delayed
// failover waits. Everything that can cut a request short (client gone,
// management cancel, shutdown) goes through the entry's AbortController, so
// one signal reaches the upstream request, a pending retry wait and the
// stream pump alike; no per-request polling timer exists.
//
// Three catalog variants (relay/leaks/) live here, each behind a boolean
// fixed at construction: inflight-map (end() keeps the entry),
// retry-timers (a bare setTimeout per failover pause, not cancelled by an
// abort) and cancel-poller (a per-request interval never cleared on
// completion).

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RelayError } from './errors.ts';
import { NO_LEAKS, type LeakFlags } from './leaks/flags.ts';

/** cancel-poller variant: how often each request's poller asks whether it was cancelled. */
const CANCEL_POLL_MS = 250;

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

  constructor(leaks: LeakFlags = NO_LEAKS) {
    this.#keepFinished = leaks.inflightMap;
    this.#fireAndForgetRetries = leaks.retryTimers;
    this.#pollCancel = leaks.cancelPoller;
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

  /** Relay close: stops what only a leak variant leaves running (cancel pollers). */
  dispose(): void {
    for (const timer of this.#pollers) clearInterval(timer);
    this.#pollers.clear();
  }

  /** Resolves when nothing is in flight (graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.#inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
