// The request scheduler: the in-flight map (request id → entry, removed on
// completion), the cancellation handle of each request, and the delayed
// failover waits. Everything that can cut a request short (client gone,
// management cancel, shutdown) goes through the entry's AbortController, so
// one signal reaches the upstream request, a pending retry wait and the
// stream pump alike; no per-request polling timer exists.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RelayError } from './errors.ts';

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
    return entry;
  }

  end(entry: InFlight): void {
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
    entry.controller.abort(new RelayError('REQUEST_CANCELLED', 'request cancelled'));
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
  async retryDelay(entry: InFlight, ms: number): Promise<void> {
    if (ms <= 0) return;
    this.#retryWaits++;
    try {
      await sleep(ms, undefined, { signal: entry.controller.signal });
    } finally {
      this.#retryWaits--;
    }
  }

  /** Resolves when nothing is in flight (graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.#inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
