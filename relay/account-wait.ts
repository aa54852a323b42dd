// Waiting for an account when every account serving the model is cooling
// down (429 Retry-After, a codex quota reset, a 5xx cooldown), instead of
// answering 429 at once: what CLIProxyAPI's max-retry-interval does. Each
// poll is a wait request registered in `pending` (the management view of who
// waits for which model), the relay's form of seed 001 P2-10's
// GetIdleSiteBp: `request = StorageRequest(...)`, submit_request, poll, sleep.
//
// The fix is the write-up's: a bound (the --account-wait deadline) and a
// cancel check before every poll (client gone, management cancel, shutdown:
// the request's AbortSignal, which also cuts the sleep short), and each
// poll's request replacing the previous one, the last removed when the wait ends. The sleep is until the earliest
// recovery when that comes before the next poll: no poll can succeed sooner.
//
// account-wait-loop variant: the pre-fix `while True` loop: no bound, no
// cancel check, every poll's request left registered. A request whose
// accounts stay cooling (a quota that resets in an hour) polls for the
// relay's life after its client has gone, one armed timer per loop and one
// more registered request per poll.

import { setTimeout as sleep } from 'node:timers/promises';
import { RelayError } from './errors.ts';

const SHUTTING_DOWN = new RelayError('RELAY_ERR_SHUTTING_DOWN', 'relay is shutting down');

/** How often a wait polls for an account: the write-up's default retry_sleep (1 s). */
export const ACCOUNT_WAIT_POLL_MS = 1_000;

/** One poll of one waiting request (the write-up's StorageRequest). */
export interface AccountWaitRequest {
  readonly id: number;
  readonly requestId: string;
  readonly model: number;
  readonly poll: number;
  readonly submittedAt: number;
}

/** What a wait needs from the request and the account pool. */
export interface AccountWaitInput {
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly model: number;
  /** The next available account, or -1. */
  pick(now: number): number;
  /** When the first cooling account recovers (ms since epoch), 0 when none is cooling (nothing to wait for). */
  earliestRecovery(now: number): number;
}

export class AccountWaits {
  readonly #pending = new Map<number, AccountWaitRequest>();
  readonly #unbounded: boolean;
  /**
   * account-wait-loop variant only: relay close stops the loops (the process
   * is going anyway). A flag read after each sleep, not an AbortSignal: one
   * signal shared by thousands of sleeping loops would warn about its listeners.
   */
  #disposed = false;
  #nextId = 0;

  constructor(unbounded: boolean) {
    this.#unbounded = unbounded;
  }

  /** Wait requests registered: one per request waiting now (0 when drained); the variant's grow by one per poll, for good. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * An account for the model within `maxWaitMs`, or -1. Rejects with the
   * abort reason when the request is cut short meanwhile.
   */
  async waitFor(input: AccountWaitInput, maxWaitMs: number): Promise<number> {
    if (this.#unbounded) return this.#waitForever(input);
    const deadline = Date.now() + maxWaitMs;
    // One registration per waiting request: each poll replaces the previous one, the end removes it.
    let request: AccountWaitRequest | undefined;
    try {
      for (let poll = 0; ; poll++) {
        if (input.signal.aborted) throw input.signal.reason;
        const now = Date.now();
        if (request !== undefined) this.#pending.delete(request.id);
        request = this.#submit(input, poll, now);
        const a = input.pick(now);
        if (a !== -1) return a;
        const recovery = input.earliestRecovery(now);
        // Nothing cooling: no account comes back by waiting.
        if (recovery === 0 || now >= deadline) return -1;
        const pause = Math.max(1, Math.min(ACCOUNT_WAIT_POLL_MS, recovery - now, deadline - now));
        await sleep(pause, undefined, { signal: input.signal });
      }
    } finally {
      if (request !== undefined) this.#pending.delete(request.id);
    }
  }

  /** account-wait-loop variant: the write-up's `while True`, as it was before its fix. */
  async #waitForever(input: AccountWaitInput): Promise<number> {
    for (let poll = 0; ; poll++) {
      const now = Date.now();
      this.#submit(input, poll, now);
      const a = input.pick(now);
      if (a !== -1) return a;
      await sleep(ACCOUNT_WAIT_POLL_MS);
      if (this.#disposed) throw SHUTTING_DOWN;
    }
  }

  #submit(input: AccountWaitInput, poll: number, now: number): AccountWaitRequest {
    const request: AccountWaitRequest = { id: this.#nextId++, requestId: input.requestId, model: input.model, poll, submittedAt: now };
    this.#pending.set(request.id, request);
    return request;
  }

  /** Relay close: stops what only the variant leaves running (its loops), drops the registrations. */
  dispose(): void {
    this.#disposed = true;
    this.#pending.clear();
  }
}
