// An indexed binary min-heap of account indices keyed by recovery time.
// One per model: the pool asks it "which cooling accounts have recovered by
// now" (pop while top <= now) and "when does the earliest one recover" (top),
// both without scanning the accounts. Indexed (position array) so a cooldown
// can be extended, shortened or cleared in O(log n) without stale entries.

export class CoolingHeap {
  readonly #heap: Int32Array;
  /** Position of each account in #heap, -1 when absent. */
  readonly #pos: Int32Array;
  /** Recovery time per account, ms since epoch; shared with the pool, read-only here. */
  readonly #keys: Float64Array;
  #size = 0;

  constructor(capacity: number, keys: Float64Array) {
    this.#heap = new Int32Array(capacity);
    this.#pos = new Int32Array(capacity).fill(-1);
    this.#keys = keys;
  }

  get size(): number {
    return this.#size;
  }

  has(account: number): boolean {
    return this.#pos[account]! !== -1;
  }

  /** The account that recovers first, or -1. */
  peek(): number {
    return this.#size === 0 ? -1 : this.#heap[0]!;
  }

  /** Insert, or re-position after its key changed. */
  upsert(account: number): void {
    const at = this.#pos[account]!;
    if (at === -1) {
      const i = this.#size++;
      this.#heap[i] = account;
      this.#pos[account] = i;
      this.#up(i);
    } else {
      this.#up(at);
      this.#down(this.#pos[account]!);
    }
  }

  remove(account: number): void {
    const at = this.#pos[account]!;
    if (at === -1) return;
    const last = --this.#size;
    this.#pos[account] = -1;
    if (at === last) return;
    const moved = this.#heap[last]!;
    this.#heap[at] = moved;
    this.#pos[moved] = at;
    this.#up(at);
    this.#down(this.#pos[moved]!);
  }

  pop(): number {
    const top = this.peek();
    if (top !== -1) this.remove(top);
    return top;
  }

  #key(i: number): number {
    return this.#keys[this.#heap[i]!]!;
  }

  #swap(i: number, j: number): void {
    const a = this.#heap[i]!;
    const b = this.#heap[j]!;
    this.#heap[i] = b;
    this.#heap[j] = a;
    this.#pos[b] = i;
    this.#pos[a] = j;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#key(parent) <= this.#key(i)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < this.#size && this.#key(l) < this.#key(min)) min = l;
      if (r < this.#size && this.#key(r) < this.#key(min)) min = r;
      if (min === i) return;
      this.#swap(i, min);
      i = min;
    }
  }
}
