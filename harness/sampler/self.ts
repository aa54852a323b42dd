// The harness watching itself (issue #16): at every drained checkpoint the
// harness samples its own process the way the probe samples the target
// (post-GC heap, rss, active handles, fds), so a long soak can tell a harness
// whose own memory grows (a load generator keeping per-request state, a
// sampler holding every sample) from the target's leak. The figures go into
// the checkpoint record (Checkpoint.harness) and are judged apart
// (verdict/harness-self.ts): they never make the target's verdict.
//
// The GC: the load is idle at a checkpoint, so a full collection here costs
// the run nothing it measures (≈ 5–30 ms on a 20–60 MiB harness heap). The
// harness runs without --expose-gc (npm scripts start it plainly), so the gc
// function is obtained once with V8's flag and a fresh context, the standard
// way to reach it after startup.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { HarnessSelfSample } from '../records.ts';
import { readProcSync } from './proc.ts';

let gcFn: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (gcFn = exposed);
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    gcFn = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

/** The harness process now, after a full GC when one can be forced (`gc: false` otherwise). */
export function sampleSelf(): HarnessSelfSample {
  const gc = collector();
  if (gc !== null) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  let fds: number | null = null;
  try {
    fds = readProcSync(process.pid, { tcpStates: false }).fds;
  } catch {
    fds = null; // not Linux, or /proc unreadable: the memory figures still count
  }
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    handles: process.getActiveResourcesInfo().length,
    fds,
    gc: gc !== null,
  };
}
