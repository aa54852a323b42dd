// Start one proof run in its own process (run-one.ts) and wait for its
// outcome. Its progress lines come back prefixed with the run's name, so two
// runs side by side stay readable; an abort is passed on as the signal that
// caused it, so the child stops its relay and mock and keeps its folder, as a
// soak interrupted at the terminal does.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { interruptSignalOf } from '../errors.ts';
import type { RunOutcome } from '../records.ts';
import type { RunOneResult, RunOneSpec } from './run-one.ts';

const RUN_ONE = fileURLToPath(new URL('./run-one.ts', import.meta.url));
/** Lines of the child's stderr kept to explain a child that ended without a result. */
const TAIL_LINES = 20;

export interface ChildRunOptions {
  /** Where the child's progress goes, each line after `prefix`; omit for silence. */
  progress?: NodeJS.WritableStream;
  prefix: string;
  signal?: AbortSignal;
}

/** The run's outcome as the child reported it; a child that ended without one is a failed run naming its exit and last stderr lines. */
export function runInChild(spec: RunOneSpec, options: ChildRunOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    // No execArgv: the harness needs no Node flags, and a test runner's would not belong here.
    const child = spawn(process.execPath, [RUN_ONE, '--spec', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let result: RunOneResult | null = null;
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      options.progress?.write(`${options.prefix}${line}\n`);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Partial<RunOneResult>;
        if (parsed.outcome && typeof parsed.outcome.status === 'string') result = parsed as RunOneResult;
      } catch {
        // Not the result line: nothing else is written to stdout, so ignore it.
      }
    });
    const onAbort = () => {
      const signal = interruptSignalOf((options.signal?.reason as Error | undefined)?.message);
      child.kill(signal);
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ status: 'failed', code: 'SOAK_ERR_HARNESS', error: `could not start ${RUN_ONE}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (result) return resolve(result.outcome);
      const why = tail.filter((l) => l.trim() !== '').slice(-3).join(' | ');
      resolve({ status: 'failed', code: 'SOAK_ERR_HARNESS', error: `the run's process ended without a result (exit code ${code}, signal ${signal})${why ? `: ${why}` : ''}` });
    });
  });
}
