import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { pace, type Operation } from './pacer.ts';

/** An operation that takes `ms` and tracks its own concurrency. */
function probeOp(ms: number) {
  const seen = { started: 0, inFlight: 0, maxInFlight: 0, killed: 0 };
  const op: Operation = async (kill) => {
    seen.started++;
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    try {
      await sleep(ms, undefined, { signal: kill });
      return true;
    } catch {
      seen.killed++;
      return false;
    } finally {
      seen.inFlight--;
    }
  };
  return { op, seen };
}

describe('pace', () => {
  it('open model: starts rate × time operations regardless of their latency', async () => {
    const { op, seen } = probeOp(50);
    const stop = new AbortController();
    let dropped = 0;
    const done = pace(op, { model: 'open', rate: 200, maxInFlight: 100 }, stop.signal, new AbortController().signal, { onDrop: (n) => (dropped += n) });
    await sleep(500);
    stop.abort();
    await done;
    expect(seen.started).toBeGreaterThanOrEqual(90);
    expect(seen.started).toBeLessThanOrEqual(110);
    // 200/s × 50 ms ≈ 10 concurrent: the arrivals did not wait for completions.
    expect(seen.maxInFlight).toBeGreaterThanOrEqual(8);
    expect(dropped).toBe(0);
    expect(seen.inFlight).toBe(0); // resolved only once everything settled
  });

  it('open model: the in-flight cap drops starts instead of queueing them', async () => {
    const { op, seen } = probeOp(200);
    const stop = new AbortController();
    let dropped = 0;
    const done = pace(op, { model: 'open', rate: 100, maxInFlight: 3 }, stop.signal, new AbortController().signal, { onDrop: (n) => (dropped += n) });
    await sleep(400);
    stop.abort();
    await done;
    expect(seen.maxInFlight).toBe(3);
    expect(dropped).toBeGreaterThan(20);
    expect(seen.started + dropped).toBeGreaterThanOrEqual(36);
  });

  it('closed model: exactly `workers` loops back to back; kill aborts in-flight work', async () => {
    const { op, seen } = probeOp(20);
    const stop = new AbortController();
    const kill = new AbortController();
    const done = pace(op, { model: 'closed', workers: 3 }, stop.signal, kill.signal, { onDrop: () => {} });
    await sleep(210);
    expect(seen.maxInFlight).toBe(3);
    expect(seen.started).toBeGreaterThanOrEqual(15);
    stop.abort();
    kill.abort();
    await done;
    expect(seen.inFlight).toBe(0);
    expect(seen.killed).toBeGreaterThanOrEqual(1);
  });
});
