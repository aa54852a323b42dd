// The idempotency / response cache: a repeated `Idempotency-Key` (from the
// same client key) replays the stored JSON response instead of spending a
// second upstream call. A capped LRU on a Map (insertion order = recency;
// a hit re-inserts), evicting synchronously on insert so the size can never
// pass the cap, not even briefly.
//
// lazy-lru variant (seed 004, GoFrame gcache): set() only records the write;
// the LRU bookkeeping and eviction run in a background timer that handles at
// most LAZY_BUDGET writes per tick. Unique-key writes faster than
// LAZY_BUDGET / LAZY_TICK_MS outrun it and the cache grows past its cap.

export interface CachedResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** Longest Idempotency-Key accepted; longer ones are refused (400) rather than stored. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/** lazy-lru variant: background bookkeeping cadence and per-tick budget (100 writes/s). */
export const LAZY_TICK_MS = 100;
export const LAZY_BUDGET = 10;

export class IdempotencyCache {
  readonly #cap: number;
  readonly #entries = new Map<string, CachedResponse>();
  #evictions = 0;
  /** lazy-lru variant only: writes not yet seen by the background bookkeeping. */
  readonly #lazy: boolean;
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(cap: number, lazyEviction = false) {
    this.#cap = cap;
    this.#lazy = lazyEviction;
    if (lazyEviction) {
      this.#timer = setInterval(lazyTick, LAZY_TICK_MS, this);
      this.#timer.unref();
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  get cap(): number {
    return this.#cap;
  }

  /** Entries evicted since start. */
  get evictions(): number {
    return this.#evictions;
  }

  /** Scoped per client key: one client can never replay another's response. */
  static keyOf(clientKey: number, idempotencyKey: string): string {
    return `${clientKey}:${idempotencyKey}`;
  }

  get(key: string): CachedResponse | undefined {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: CachedResponse): void {
    if (this.#cap === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#lazy) {
      this.#pending.push(key);
      return;
    }
    this.#evictOverCap(Infinity);
  }

  /** Evicts least recently used entries while over the cap, at most `budget`. */
  #evictOverCap(budget: number): void {
    let evicted = 0;
    while (this.#entries.size > this.#cap && evicted < budget) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      evicted++;
    }
    this.#evictions += evicted;
  }

  /** lazy-lru variant: one background tick, LAZY_BUDGET writes' worth of bookkeeping. */
  lazyTick(): void {
    const batch = this.#pending.length <= LAZY_BUDGET ? this.#pending : this.#pending.slice(0, LAZY_BUDGET);
    this.#pending = batch === this.#pending ? [] : this.#pending.slice(LAZY_BUDGET);
    this.#evictOverCap(batch.length);
  }

  clear(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
    this.#entries.clear();
  }
}

function lazyTick(cache: IdempotencyCache): void {
  cache.lazyTick();
}
