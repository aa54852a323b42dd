// Runs one operation over and over, open or closed model, until `stop` aborts.
//
// Open model: operation k starts at t0 + k/rate whatever happened to the
// previous ones (a slow target does not slow the arrivals, which is what
// exposes queues and leaks), with a cap on operations in flight so a stalled
// target cannot make the harness itself grow without bound: a start that
// would exceed the cap is dropped and reported. Closed model: `workers` loops,
// each starting its next operation when the previous one ends.
//
// After `stop`, no operation starts; the returned promise resolves when every
// started one has settled. Operations receive `kill`, which aborts them.

import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

/** One unit of work. Resolves false on failure (it records its own stats); never rejects. */
export type Operation = (kill: AbortSignal) => Promise<boolean>;

export type Pace =
  | { model: 'open'; rate: number; maxInFlight: number }
  | { model: 'closed'; workers: number };

export interface PaceHooks {
  /** An open-model start was skipped (cap reached, or the harness fell > 1 s behind). */
  onDrop(count: number): void;
}

/** Closed-model back-off after a failed operation, so a refused connection is not a busy loop. */
const FAILURE_BACKOFF_MS = 50;
/** Open model: a backlog older than this is dropped rather than fired in one burst. */
const MAX_BACKLOG_MS = 1_000;

export function pace(op: Operation, how: Pace, stop: AbortSignal, kill: AbortSignal, hooks: PaceHooks): Promise<void> {
  return how.model === 'open' ? paceOpen(op, how.rate, how.maxInFlight, stop, kill, hooks) : paceClosed(op, how.workers, stop, kill);
}

function run(op: Operation, kill: AbortSignal): Promise<boolean> {
  // Belt and braces: an operation that throws despite its contract still settles.
  return op(kill).catch(() => false);
}

function paceOpen(op: Operation, rate: number, maxInFlight: number, stop: AbortSignal, kill: AbortSignal, hooks: PaceHooks): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted || rate <= 0) return resolve();
    const intervalMs = 1000 / rate;
    const t0 = performance.now();
    let slots = 0; // starts accounted for: launched or dropped
    let inFlight = 0;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;

    const settle = () => {
      if (stopped && inFlight === 0) resolve();
    };
    const tick = () => {
      timer = undefined;
      if (stopped) return;
      const elapsed = performance.now() - t0;
      const due = Math.floor(elapsed / intervalMs) + 1;
      const stale = due - slots - Math.ceil(MAX_BACKLOG_MS / intervalMs);
      if (stale > 0) {
        slots += stale;
        hooks.onDrop(stale);
      }
      let dropped = 0;
      while (slots < due) {
        slots++;
        if (inFlight >= maxInFlight) {
          dropped++;
          continue;
        }
        inFlight++;
        void run(op, kill).then(() => {
          inFlight--;
          settle();
        });
      }
      if (dropped > 0) hooks.onDrop(dropped);
      timer = setTimeout(tick, Math.max(0, t0 + slots * intervalMs - performance.now()));
    };
    stop.addEventListener(
      'abort',
      () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        settle();
      },
      { once: true },
    );
    tick();
  });
}

async function paceClosed(op: Operation, workers: number, stop: AbortSignal, kill: AbortSignal): Promise<void> {
  const worker = async () => {
    while (!stop.aborted) {
      const ok = await run(op, kill);
      if (!ok && !stop.aborted) await sleep(FAILURE_BACKOFF_MS, undefined, { signal: stop }).catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}
