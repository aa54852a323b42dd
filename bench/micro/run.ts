// Measures one micro-benchmark case: time with tinybench on one fresh
// subject, then bytes with memory.ts on another (the timed run's own sample
// bookkeeping never lands in the byte counts, and a leaky subject's growth
// during the timed run never inflates the memory batches' baseline).
//
// Every loop is bounded: tinybench stops at --time or the case's
// maxIterations, whichever comes first (task mode with one op in flight:
// tinybench's only mode where iterations is a cap, not a minimum); a case
// slower than --time runs its exactIterations instead.

import { Bench, type BenchOptions } from 'tinybench';
import type { MicroCase, Role } from './case.ts';
import { measureAllocated, measureRetained, settle } from './memory.ts';
import { throwIfInterrupted } from '../../harness/cli/command.ts';

export interface Row {
  readonly mechanism: string;
  readonly variant: string;
  readonly role: Role;
  readonly size: string;
  /** 1000 / mean latency: ops per second of the batch as a whole. */
  readonly opsPerSec: number;
  /** tinybench's relative margin of error (95 %) of the mean latency, percent: the same relative margin for opsPerSec. */
  readonly rmePercent: number;
  /** tinybench's throughput.mean (the mean of per-sample ops/s: above opsPerSec when latencies are spread). */
  readonly tinybenchThroughputMean: number;
  readonly meanMs: number;
  /** Timed iterations. */
  readonly samples: number;
  readonly allocatedBytesPerOp: number;
  /** GCs inside the allocation batch. */
  readonly allocationGcs: number;
  readonly retainedHeapBytesPerOp: number;
  readonly retainedExternalBytesPerOp: number;
  /** Ops in each memory batch. */
  readonly memoryOps: number;
  readonly note: string;
}

export function benchOptions(c: MicroCase, timeMs: number, signal?: AbortSignal): BenchOptions {
  const base: BenchOptions = signal === undefined ? {} : { signal };
  if (c.exactIterations !== undefined) {
    // Sequential mode: runs until both budgets are met, so time 0 = exactly this many.
    return { ...base, time: 0, iterations: c.exactIterations, warmupTime: 0, warmupIterations: 1 };
  }
  return {
    ...base,
    concurrency: 'task',
    threshold: 1,
    time: timeMs,
    iterations: c.maxIterations,
    warmupTime: Math.min(250, timeMs / 4),
    warmupIterations: Math.max(1, Math.floor(c.maxIterations / 10)),
  };
}

type Timing = Pick<Row, 'opsPerSec' | 'rmePercent' | 'tinybenchThroughputMean' | 'meanMs' | 'samples'>;

async function timed(c: MicroCase, timeMs: number, signal?: AbortSignal): Promise<Timing> {
  const subject = await c.make();
  try {
    let k = 0;
    const op = subject.op;
    const bench = new Bench({ ...benchOptions(c, timeMs, signal), throws: true });
    if (c.async) bench.add(c.variant, async () => void (await op(k++)), { async: true });
    else bench.add(c.variant, () => void op(k++), { async: false });
    await bench.run();
    if (signal !== undefined) throwIfInterrupted(signal);
    const r = bench.tasks[0]!.result;
    if (r.state !== 'completed') {
      if (r.state === 'errored') throw r.error;
      throw new Error(`${c.mechanism} ${c.variant}: tinybench ended ${r.state}`);
    }
    // ops/s from the mean latency, not tinybench's mean of per-sample ops/s: one op's rate averaged
    // over samples is dominated by the fast ones (a 5 ms mean read as 1 300 ops/s with GC pauses in the tail).
    const meanMs = r.latency.mean;
    return { opsPerSec: meanMs > 0 ? 1_000 / meanMs : 0, rmePercent: r.latency.rme, tinybenchThroughputMean: r.throughput.mean, meanMs, samples: r.latency.samplesCount };
  } finally {
    await subject.close?.();
  }
}

export async function measureCase(c: MicroCase, timeMs: number, signal?: AbortSignal): Promise<Row> {
  const time = await timed(c, timeMs, signal);
  await settle();
  const subject = await c.make();
  try {
    const n = c.memoryOps;
    // JIT and lazily built state warmed on this subject too; skipped where one op takes seconds.
    const warm = c.exactIterations !== undefined ? 0 : Math.ceil(n / 10);
    for (let i = 0; i < warm; i++) await subject.op(i);
    const allocated = await measureAllocated(subject.op, n, c.async, warm);
    if (signal !== undefined) throwIfInterrupted(signal);
    const retained = await measureRetained(subject.op, n, c.async, warm + n);
    return {
      mechanism: c.mechanism,
      variant: c.variant,
      role: c.role,
      size: c.size,
      ...time,
      allocatedBytesPerOp: allocated.bytesPerOp,
      allocationGcs: allocated.gcs,
      retainedHeapBytesPerOp: retained.heapPerOp,
      retainedExternalBytesPerOp: retained.externalPerOp,
      memoryOps: n,
      note: subject.note?.() ?? '',
    };
  } finally {
    await subject.close?.();
    await settle();
  }
}
