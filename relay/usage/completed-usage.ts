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
//
// usage-plateau variant (seed 001 P1-8 as the write-up tells it: a sweep that
// runs, but too rarely for the retention it keeps): the incident's pre-fix
// settings relative to its fix (TTL 600 s swept every 300 s, against 300 s
// swept every 60 s), scaled to --usage-ttl: records are kept 2 × TTL and swept
// every TTL, with no cap. The store then LEVELS OFF at rate × 2–3 × TTL (it
// is not unbounded growth), a plateau as high as the request rate makes it.

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

  /** How long a record is kept (get() hides records older than the TTL either way). */
  readonly #keepMs: number;

  constructor(ttlMs: number, cap: number, variant: 'fixed' | 'never-sweep' | 'rare-sweep' = 'fixed') {
    this.#ttlMs = ttlMs;
    this.#keepMs = variant === 'rare-sweep' ? 2 * ttlMs : ttlMs;
    this.#cap = variant === 'fixed' ? cap : Infinity;
    if (variant === 'never-sweep') return;
    // Fixed: sweep at half the TTL, so an entry lives at most 1.5 × TTL (and the cap bounds a burst).
    // rare-sweep: every TTL, keeping 2 × TTL: an entry lives up to 3 × TTL.
    this.#timer = setInterval(sweepTick, Math.max(10, Math.floor(variant === 'rare-sweep' ? ttlMs : ttlMs / 2)), this);
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
      if (now - entry.completedAt < this.#keepMs) return;
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
