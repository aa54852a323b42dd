// Request-state sync (--state-sync): when a chat request ends, the relay posts
// its final state (id, model, account, status, usage, duration) to the
// upstream's state endpoint, POST /backend-api/request-state, on the serving
// account's token, the way seed 001's TaskStateBp syncs a task's state to the
// system. Nobody waits for it: the client has its answer already. The sink has
// its own small undici Pool (SINK_CONNECTIONS), so a stalled sink can never
// take the chat traffic's upstream connections; what it can do is make the
// sync calls queue.
//
// orphan-tasks variant (seed 001 P0-9, `asyncio.create_task` without a
// reference): each sync is a floating promise with no manager, no bound and
// no deadline. While the sink stalls, every request adds one: the promise, its
// closure, the request body and undici's queued request (pool queue) pile up
// at the request rate; the pool's 60-s headers timeout frees SINK_CONNECTIONS
// of them a minute. The fix is the write-up's: every sync goes through the
// BackgroundTasks manager (a reference kept, a bound, a deadline as an
// AbortSignal, exceptions caught and counted on /metrics).

import { Pool } from 'undici';
import { BackgroundTasks, type TaskOutcome } from '../background-tasks.ts';
import type { ResolvedOptions } from '../options.ts';
import type { TokenUsage } from './token-usage.ts';

export const STATE_SYNC_PATH = '/backend-api/request-state';
/** Sockets to the state sink: a sync is one small POST, a few carry the whole rate when the sink answers. */
export const SINK_CONNECTIONS = 8;

export interface RequestState {
  readonly requestId: string;
  readonly model: string;
  readonly authIndex: string;
  readonly status: number;
  readonly stream: boolean;
  readonly usage: TokenUsage | null;
  readonly durationMs: number;
  readonly completedAt: number;
}

class SinkRefused extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`state sink answered ${status}`);
    this.status = status;
  }
}

export class StateSync {
  readonly #pool: Pool;
  readonly #tasks: BackgroundTasks;
  readonly #orphan: boolean;
  /** orphan-tasks variant only: floating syncs not yet settled (counted for /metrics, never referenced). */
  #floating = 0;
  readonly #floatingOutcomes: Record<TaskOutcome, number> = { ok: 0, failed: 0, timeout: 0, dropped: 0 };

  constructor(options: ResolvedOptions, orphanTasks: boolean) {
    this.#pool = new Pool(options.upstream, {
      connections: SINK_CONNECTIONS,
      pipelining: 1,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      keepAliveMaxTimeout: options.keepAliveTimeoutMs,
    });
    this.#tasks = new BackgroundTasks(options.stateSyncMaxTasks, options.stateSyncTimeoutMs);
    this.#orphan = orphanTasks;
  }

  /** Syncs pending (running or queued for a socket): the manager's set, or the variant's floating promises. */
  get pending(): number {
    return this.#orphan ? this.#floating : this.#tasks.size;
  }

  get outcomes(): Readonly<Record<TaskOutcome, number>> {
    return this.#orphan ? this.#floatingOutcomes : this.#tasks.outcomes;
  }

  /** The sink pool's undici stats (queued = syncs waiting for a socket). */
  get poolStats(): Pool['stats'] {
    return this.#pool.stats;
  }

  /** Fire and forget, by design; how it is forgotten is the variant. */
  report(state: RequestState, authorization: string): void {
    const body = JSON.stringify({
      request_id: state.requestId,
      model: state.model,
      auth_index: state.authIndex,
      status: state.status,
      stream: state.stream,
      usage: state.usage,
      duration_ms: state.durationMs,
      completed_at: state.completedAt,
    });
    if (this.#orphan) {
      // orphan-tasks variant: a floating promise, no reference, bound or
      // deadline. The .then() only counts for /metrics (an unobserved
      // rejection would crash Node, unlike asyncio's logged warning).
      this.#floating++;
      this.#send(body, authorization, undefined).then(
        () => this.#settled('ok'),
        () => this.#settled('failed'),
      );
      return;
    }
    // The fix: through the manager (bounded, with a deadline, observed).
    this.#tasks.run('state-sync', (signal) => this.#send(body, authorization, signal));
  }

  #settled(outcome: TaskOutcome): void {
    this.#floating--;
    this.#floatingOutcomes[outcome]++;
  }

  async #send(body: string, authorization: string, signal: AbortSignal | undefined): Promise<void> {
    const res = await this.#pool.request({
      path: STATE_SYNC_PATH,
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: signal ?? null,
    });
    await res.body.dump();
    if (res.statusCode >= 300) throw new SinkRefused(res.statusCode);
  }

  /** Shutdown: abort the managed syncs, then close the pool (destroyed after `graceMs`). */
  async close(graceMs: number): Promise<void> {
    await this.#tasks.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#pool.close(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    if (!this.#pool.destroyed) await this.#pool.destroy();
  }
}
