// Usage of recently completed requests, queryable by request id
// (GET /v0/management/requests/:id/usage) for `ttlMs` after completion, and
// never more than `cap` entries (the oldest goes first: at high request rates
// the TTL alone would hold hundreds of thousands).
// Entries are inserted in completion order, so the sweep walks from the
// oldest and stops at the first live one: O(expired) per sweep. The sweep
// timer is unref'd (it must never keep the process alive) and cleared on close.
//
// usage-ttl variant (seed 001's completed_requests): the sweep is never
// started and the store has no cap (the pre-fix store relied on the TTL
// alone), so every record stays; get() still hides expired ones.

import type { TokenUsage } from './token-usage.ts';

export interface CompletedRequest {
  readonly id: string;
  readonly model: string;
  readonly authIndex: string;
  readonly status: number;
  readonly stream: boolean;
  readonly usage: TokenUsage | null;
  readonly completedAt: number;
  readonly durationMs: number;
}

export class CompletedUsage {
  readonly #entries = new Map<string, CompletedRequest>();
  readonly #ttlMs: number;
  readonly #cap: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(ttlMs: number, cap: number, neverSweep = false) {
    this.#ttlMs = ttlMs;
    this.#cap = neverSweep ? Infinity : cap;
    if (neverSweep) return;
    // Sweep at half the TTL: an entry lives at most 1.5 × TTL.
    this.#timer = setInterval(sweepTick, Math.max(10, Math.floor(ttlMs / 2)), this);
    this.#timer.unref();
  }

  get size(): number {
    return this.#entries.size;
  }

  record(entry: CompletedRequest): void {
    if (this.#entries.size >= this.#cap) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(entry.id, entry);
  }

  get(id: string, now: number): CompletedRequest | undefined {
    const entry = this.#entries.get(id);
    return entry !== undefined && now - entry.completedAt < this.#ttlMs ? entry : undefined;
  }

  sweep(now: number): void {
    for (const [id, entry] of this.#entries) {
      if (now - entry.completedAt < this.#ttlMs) return;
      this.#entries.delete(id);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#entries.clear();
  }
}

function sweepTick(store: CompletedUsage): void {
  store.sweep(Date.now());
}
