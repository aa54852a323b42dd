// The idempotency / response cache: a repeated `Idempotency-Key` (from the
// same client key) replays the stored JSON response instead of spending a
// second upstream call. A capped LRU on a Map (insertion order = recency;
// a hit re-inserts), evicting synchronously on insert so the size can never
// pass the cap, not even briefly.

export interface CachedResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** Longest Idempotency-Key accepted; longer ones are refused (400) rather than stored. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

export class IdempotencyCache {
  readonly #cap: number;
  readonly #entries = new Map<string, CachedResponse>();

  constructor(cap: number) {
    this.#cap = cap;
  }

  get size(): number {
    return this.#entries.size;
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
    while (this.#entries.size > this.#cap) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
