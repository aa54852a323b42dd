// Health scan: probe every account's upstream usage endpoint with bounded
// concurrency (N workers pulling the next index from a shared cursor, so at
// most N probes are ever in flight, whatever the account count). One scan
// runs at a time; the last `kept` scans stay queryable, older ones are
// dropped. Shutdown aborts the running scan.
//
// unbounded-fanout variant (seed 001's ParallelFlowBp without
// MAX_PARALLEL_BLOCKS): one worker per account, i.e. every probe at once.

import type { AccountPool } from '../accounts/pool.ts';
import { NO_LEAKS, type LeakFlags } from '../leaks/flags.ts';

export const PROBE_PATH = '/backend-api/wham/usage';

export interface ScanStatus {
  id: string;
  state: 'running' | 'done';
  total: number;
  done: number;
  ok: number;
  failed: number;
  startedAt: string;
  finishedAt: string | null;
}

/** Probes one account; resolves to the HTTP status (502/504 for network failures), never rejects. */
export type Probe = (account: number, signal: AbortSignal) => Promise<number>;

interface Scan {
  readonly status: ScanStatus;
  readonly controller: AbortController;
  next: number;
}

export class HealthScans {
  readonly #accounts: AccountPool;
  readonly #probe: Probe;
  readonly #kept: number;
  readonly #scans = new Map<string, Scan>();
  #seq = 0;
  #running: Scan | undefined;
  #workers = 0;
  readonly #unbounded: boolean;

  constructor(accounts: AccountPool, probe: Probe, kept: number, leaks: LeakFlags = NO_LEAKS) {
    this.#accounts = accounts;
    this.#probe = probe;
    this.#kept = kept;
    this.#unbounded = leaks.unboundedFanout;
  }

  get size(): number {
    return this.#scans.size;
  }

  /** Probe workers alive right now (≤ the scan's concurrency). */
  get workers(): number {
    return this.#workers;
  }

  get runningId(): string | undefined {
    return this.#running?.status.id;
  }

  /** Starts a scan; undefined when one is already running. */
  start(concurrency: number): ScanStatus | undefined {
    if (this.#running !== undefined) return undefined;
    const id = `scan-${++this.#seq}`;
    const scan: Scan = {
      status: { id, state: 'running', total: this.#accounts.size, done: 0, ok: 0, failed: 0, startedAt: new Date().toISOString(), finishedAt: null },
      controller: new AbortController(),
      next: 0,
    };
    this.#scans.set(id, scan);
    while (this.#scans.size > this.#kept) this.#scans.delete(this.#scans.keys().next().value as string);
    this.#running = scan;
    const workers = this.#unbounded ? scan.status.total : Math.min(concurrency, scan.status.total);
    let live = workers;
    const onWorkerDone = (): void => {
      this.#workers--;
      if (--live === 0) this.#finish(scan);
    };
    if (workers === 0) this.#finish(scan);
    for (let i = 0; i < workers; i++) {
      this.#workers++;
      void this.#work(scan).then(onWorkerDone, onWorkerDone);
    }
    return { ...scan.status };
  }

  get(id: string): ScanStatus | undefined {
    const scan = this.#scans.get(id);
    return scan === undefined ? undefined : { ...scan.status };
  }

  abort(): void {
    this.#running?.controller.abort();
  }

  async #work(scan: Scan): Promise<void> {
    const signal = scan.controller.signal;
    while (!signal.aborted && scan.next < scan.status.total) {
      const a = scan.next++;
      const status = await this.#probe(a, signal);
      if (signal.aborted) return;
      this.#accounts.recordProbe(a, status, Date.now());
      scan.status.done++;
      if (status >= 200 && status < 300) scan.status.ok++;
      else scan.status.failed++;
    }
  }

  #finish(scan: Scan): void {
    scan.status.state = 'done';
    scan.status.finishedAt = new Date().toISOString();
    if (this.#running === scan) this.#running = undefined;
  }
}
