// The relay's background task manager (seed 001 P0-9's create_background_task):
// work a request starts and does not wait for (the request-state sync) runs
// through here, never as a bare floating promise. It
//  - keeps a reference to every running task (the set below: shutdown can
//    abort and await them, /metrics can count them);
//  - bounds how many run at once: a slow sink makes tasks pile up at the
//    request rate, so past `maxTasks` a new task is refused and counted
//    `dropped` (the work is best-effort by definition: nobody waits for it);
//  - gives each task a deadline: an AbortSignal that fires after `timeoutMs`
//    (the task passes it to undici, which removes a queued request or
//    destroys the socket of a running one) and at shutdown;
//  - catches and counts what a task throws: a rejection never becomes an
//    unhandled rejection, and never goes unseen either.

export type TaskOutcome = 'ok' | 'failed' | 'timeout' | 'dropped';
export const TASK_OUTCOMES: readonly TaskOutcome[] = ['ok', 'failed', 'timeout', 'dropped'];

interface RunningTask {
  readonly name: string;
  readonly controller: AbortController;
  readonly timer: NodeJS.Timeout;
}

class TaskTimeout extends Error {
  readonly code = 'RELAY_ERR_TASK_TIMEOUT';
}

export class BackgroundTasks {
  readonly #running = new Set<RunningTask>();
  readonly #maxTasks: number;
  readonly #timeoutMs: number;
  readonly #outcomes: Record<TaskOutcome, number> = { ok: 0, failed: 0, timeout: 0, dropped: 0 };
  #closed = false;
  #idle: Array<() => void> = [];

  constructor(maxTasks: number, timeoutMs: number) {
    this.#maxTasks = maxTasks;
    this.#timeoutMs = timeoutMs;
  }

  /** Tasks running now. */
  get size(): number {
    return this.#running.size;
  }

  /** Tasks ended by outcome since start. */
  get outcomes(): Readonly<Record<TaskOutcome, number>> {
    return this.#outcomes;
  }

  /**
   * Starts `work` in the background with a signal it must pass on; returns
   * false when it was refused (the manager is full or closed). Never throws,
   * and the promise `work` returns is always observed.
   */
  run(name: string, work: (signal: AbortSignal) => Promise<unknown>): boolean {
    if (this.#closed || this.#running.size >= this.#maxTasks) {
      this.#outcomes.dropped++;
      return false;
    }
    const controller = new AbortController();
    const timer = setTimeout(abortOnTimeout, this.#timeoutMs, controller);
    // An unref'd deadline: a pending sync must not keep a stopping process alive.
    timer.unref();
    const task: RunningTask = { name, controller, timer };
    this.#running.add(task);
    let promise: Promise<unknown>;
    try {
      promise = work(controller.signal);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      () => this.#end(task, 'ok'),
      () => this.#end(task, controller.signal.reason instanceof TaskTimeout ? 'timeout' : 'failed'),
    );
    return true;
  }

  #end(task: RunningTask, outcome: TaskOutcome): void {
    clearTimeout(task.timer);
    this.#running.delete(task);
    this.#outcomes[outcome]++;
    if (this.#running.size === 0 && this.#idle.length > 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const wake of waiters) wake();
    }
  }

  /** Shutdown: refuse new tasks, abort the running ones, resolve when they have ended. */
  close(): Promise<void> {
    this.#closed = true;
    for (const task of this.#running) task.controller.abort(new Error('relay is shutting down'));
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

function abortOnTimeout(controller: AbortController): void {
  controller.abort(new TaskTimeout('background task deadline passed'));
}
