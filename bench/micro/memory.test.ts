// The memory helper against functions of known cost: one that keeps a known
// object per call, one that allocates the same and drops it, one that does
// neither. Fails if either column reads the wrong side (allocated vs kept)
// or misses a scavenge's freed bytes (the batches are large enough to run
// several).

import { describe, expect, it } from 'vitest';
import { measureAllocated, measureRetained } from './memory.ts';

// A 125-element double array: a JSArray (32 B) + FixedDoubleArray (16 + 1 000 B) ≈ 1 050 B on 64-bit V8.
const ARRAY_BYTES = 1_050;
const make = (i: number): number[] => new Array<number>(125).fill(i + 0.5);

describe('bench/micro/memory', () => {
  it('counts what a function keeps as retained and allocated', async () => {
    const kept: number[][] = [];
    const keep = (i: number): void => {
      kept.push(make(i));
    };
    const n = 20_000;
    const retained = await measureRetained(keep, n);
    // + the kept array's slot (8 B, amortised growth up to ~2×)
    expect(retained.heapPerOp).toBeGreaterThan(ARRAY_BYTES * 0.95);
    expect(retained.heapPerOp).toBeLessThan(ARRAY_BYTES + 40);
    // Allocated also counts the kept array's regrowth (old backing stores become garbage).
    const allocated = await measureAllocated(keep, n, false, n);
    expect(allocated.bytesPerOp).toBeGreaterThan(ARRAY_BYTES * 0.95);
    expect(allocated.bytesPerOp).toBeLessThan(ARRAY_BYTES + 100);
    expect(kept.length).toBe(2 * n);
  });

  it('counts garbage as allocated, not retained, across scavenges', async () => {
    let sink: number[] = [];
    const drop = (i: number): void => {
      sink = make(i);
    };
    const n = 100_000; // ~100 MB of garbage: many scavenges inside the batch
    const allocated = await measureAllocated(drop, n);
    expect(allocated.gcs).toBeGreaterThan(1);
    expect(allocated.bytesPerOp).toBeGreaterThan(ARRAY_BYTES * 0.95);
    expect(allocated.bytesPerOp).toBeLessThan(ARRAY_BYTES + 40);
    const retained = await measureRetained(drop, n);
    // 50 B/op: the test worker's own traffic (vitest RPC, other files' workers) stays far below it, a kept 1 KB object does not.
    expect(Math.abs(retained.heapPerOp)).toBeLessThan(50);
    expect(sink.length).toBe(125);
  });

  it('reads ~0 for a function that allocates nothing', async () => {
    // Kept a small integer: a sum past 2^31 would box a HeapNumber per call (16 B allocated).
    let sum = 0;
    const nothing = (i: number): void => {
      sum = (sum + i) & 0xffff;
    };
    const n = 200_000;
    await measureAllocated(nothing, 1_000); // JIT warm-up: compiled code is heap too
    const allocated = await measureAllocated(nothing, n);
    // Margins: up to a few MB of the test worker's own traffic over 200 000 ops (CI runs files in parallel), far below one 1 KB object per op.
    expect(Math.abs(allocated.bytesPerOp)).toBeLessThan(20);
    const retained = await measureRetained(nothing, n);
    expect(Math.abs(retained.heapPerOp)).toBeLessThan(20);
    expect(sum).toBeGreaterThanOrEqual(0);
  });

  it('measures async ops and off-heap buffers kept', async () => {
    const kept: Buffer[] = [];
    const keepBuffer = async (): Promise<void> => {
      await Promise.resolve();
      kept.push(Buffer.alloc(16 * 1024));
    };
    const retained = await measureRetained(keepBuffer, 500, true);
    expect(retained.externalPerOp).toBeGreaterThan(16 * 1024 * 0.95);
    expect(retained.externalPerOp).toBeLessThan(16 * 1024 * 1.1);
    expect(kept.length).toBe(500);
  });
});
