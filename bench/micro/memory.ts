// The memory side of the micro-benchmarks: tinybench measures time only, so
// each code path's bytes are measured here, outside the timed loop.
//
//   - allocated per op: V8 heap bytes allocated by n ops, garbage included.
//     Node 24.21's v8.getHeapStatistics() has no total_allocated_bytes
//     counter (checked), and heap growth alone undercounts as soon as a
//     scavenge runs inside the batch. So: GC first, then (heap used at the
//     end − at the start) + what every GC during the batch freed, from
//     v8.GCProfiler's before/after statistics of each GC. Off-heap Buffer
//     backing stores are not V8 heap allocations and are not counted.
//   - retained per op: what the code path keeps. GC, n ops (results
//     dropped: only what the code itself holds survives), GC again, the
//     post-GC heapUsed and arrayBuffers deltas / n.
//
// A test (memory.test.ts) checks both against functions of known cost.

import v8 from 'node:v8';
import vm from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';

/** One code path's operation: `i` numbers the call. Async when it returns a promise and the case says so. */
export type Op = (i: number) => unknown;

/** The global gc(): from --expose-gc, else enabled at run time (vitest workers start without the flag). */
export function getGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const gc = getGc();

/** Full GCs, with a few ms between so closes and finalisers scheduled by the ops have run. */
export async function settle(rounds = 3, pauseMs = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    gc();
    if (pauseMs > 0) await sleep(pauseMs);
  }
  gc();
}

async function runOps(op: Op, n: number, isAsync: boolean, first: number): Promise<void> {
  if (isAsync) {
    for (let i = 0; i < n; i++) await op(first + i);
  } else {
    for (let i = 0; i < n; i++) op(first + i);
  }
}

export interface Allocation {
  /** V8 heap bytes allocated per op (kept or not). */
  readonly bytesPerOp: number;
  /** GCs that ran during the batch (their freed bytes are counted back in). */
  readonly gcs: number;
}

/** Heap bytes n ops allocate, garbage included. `first` numbers the first op (keys stay unique across batches). */
export async function measureAllocated(op: Op, n: number, isAsync = false, first = 0): Promise<Allocation> {
  await settle(2, isAsync ? 10 : 0);
  const profiler = new v8.GCProfiler();
  profiler.start();
  const start = v8.getHeapStatistics().used_heap_size;
  await runOps(op, n, isAsync, first);
  const end = v8.getHeapStatistics().used_heap_size;
  const stats = profiler.stop()?.statistics ?? [];
  let freed = 0;
  for (const s of stats) freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  return { bytesPerOp: (end - start + freed) / n, gcs: stats.length };
}

export interface Retention {
  /** Post-GC heapUsed growth per op. */
  readonly heapPerOp: number;
  /** Post-GC arrayBuffers growth per op (Buffer backing stores outside the V8 heap). */
  readonly externalPerOp: number;
}

/** What n ops leave reachable, per op, after full GCs. */
export async function measureRetained(op: Op, n: number, isAsync = false, first = 0): Promise<Retention> {
  await settle(3, 10);
  const before = process.memoryUsage();
  await runOps(op, n, isAsync, first);
  await settle(3, 10);
  const after = process.memoryUsage();
  return { heapPerOp: (after.heapUsed - before.heapUsed) / n, externalPerOp: (after.arrayBuffers - before.arrayBuffers) / n };
}
