// Admission: a semaphore on concurrent upstream work (chat requests past
// validation and the idempotency cache), with a bounded FIFO wait queue.
// Seed 002's relay pinned what it could never release; its write-up adds "a
// channel as a semaphore, 500 at most" (额外建议 1) and an alarm at 2 000
// goroutines. Without a limit, a burst against a stalled upstream holds every
// request it admits: client socket, body, in-flight entry, a place in
// undici's pending queue (itself unbounded). The level is arrival rate ×
// stall time, whatever the upstream socket cap says.
//
// What happens past the limit is what HAProxy (maxconn + `timeout queue`) and
// Envoy (max_requests + max_pending_requests) do: a short bounded queue
// absorbs a micro-burst, and beyond it, or after waiting too long, the request
// is refused at once with 503 and Retry-After. 503, not 429: the overload is
// the relay's, not this client's quota (the relay's 429 already means "your
// accounts are cooling down"), and RFC 9110 names 503 + Retry-After for a
// temporary overload; OpenAI SDKs retry both after Retry-After. The seed's own
// semaphore blocks without bound (`maxConcurrent <- struct{}{}`): it caps the
// upstream work and lets the waiting goroutines pile up, which is the level
// the alarm fires on; the relay's queue is bounded in size and in time.
//
// no-admission variant (relay/leaks/): acquire() admits every request at once
// (it still counts them, so /metrics shows the level in both builds).

/** How an acquire() ended. `rejected`: the queue was full or the wait too long (answer 503). */
export type Admitted = 'admitted' | 'rejected';

interface Waiter {
  wake(result: Admitted): void;
}

export class Admission {
  readonly limit: number;
  readonly queueCap: number;
  readonly #waitMs: number;
  readonly #unbounded: boolean;
  #active = 0;
  readonly #queue: Waiter[] = [];
  /** Index of the queue's head: shift() on a long array is O(n); compacted when half is consumed. */
  #head = 0;
  #rejected = 0;

  constructor(limit: number, queueCap: number, waitMs: number, unbounded = false) {
    this.limit = limit;
    this.queueCap = queueCap;
    this.#waitMs = waitMs;
    this.#unbounded = unbounded;
  }

  /** Requests admitted and not yet released (above `limit` only with no-admission). */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Requests refused since start (queue full or wait expired). */
  get rejected(): number {
    return this.#rejected;
  }

  /**
   * Waits for a slot. Resolves `admitted` (the caller must release() once,
   * whatever happens next) or `rejected`; rejects with the signal's reason
   * when it aborts while queued (nothing to release then).
   */
  acquire(signal: AbortSignal): Promise<Admitted> {
    // no-admission variant (seed 002's relay before its "并发限制"): every request goes upstream at once.
    if (this.#unbounded || this.#active < this.limit) {
      this.#active++;
      return Promise.resolve('admitted');
    }
    if (this.queued >= this.queueCap || this.#waitMs === 0) {
      this.#rejected++;
      return Promise.resolve('rejected');
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Admitted>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        wake: (result) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
      };
      const leave = (): void => {
        const i = this.#queue.indexOf(waiter, this.#head);
        if (i !== -1) this.#queue.splice(i, 1);
      };
      const onAbort = (): void => {
        clearTimeout(timer);
        leave();
        reject(signal.reason);
      };
      timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        leave();
        this.#rejected++;
        resolve('rejected');
      }, this.#waitMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  /** Gives the slot back: to the oldest waiter, else to the pool. */
  release(): void {
    if (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]!;
      this.#head++;
      if (this.#head * 2 >= this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      // The slot passes on: #active stays the same.
      next.wake('admitted');
      return;
    }
    this.#active--;
  }
}
