// runInLanes: at most N at once, in queue order, no barrier between rounds,
// and the first error stops new work after the running items settle.
import { describe, expect, it } from 'vitest';
import { runInLanes } from './lanes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runInLanes', () => {
  it('runs at most `lanes` at once, starting items in order, and a lane takes the next item as soon as its own ends', async () => {
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    // 0 is long; 1, 2 and 3 are short: with two lanes they all run while 0 does.
    const ms = [60, 10, 10, 10];
    await runInLanes([0, 1, 2, 3], 2, async (i) => {
      running++;
      peak = Math.max(peak, running);
      log.push(`start ${i}`);
      await sleep(ms[i]!);
      log.push(`end ${i}`);
      running--;
    });
    expect(peak).toBe(2);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start 0', 'start 1', 'start 2', 'start 3']);
    expect(log.indexOf('start 3')).toBeLessThan(log.indexOf('end 0'));
  });

  it('one lane is one after the other', async () => {
    const log: string[] = [];
    await runInLanes(['a', 'b', 'c'], 1, async (x) => {
      log.push(`+${x}`);
      await sleep(2);
      log.push(`-${x}`);
    });
    expect(log).toEqual(['+a', '-a', '+b', '-b', '+c', '-c']);
  });

  it('the first error starts nothing new, waits for the running item, then is thrown', async () => {
    const started: number[] = [];
    let otherEnded = false;
    const run = runInLanes([0, 1, 2, 3], 2, async (i) => {
      started.push(i);
      if (i === 0) {
        await sleep(5);
        throw new Error('interrupted');
      }
      await sleep(30);
      if (i === 1) otherEnded = true;
    });
    await expect(run).rejects.toThrow('interrupted');
    expect(otherEnded).toBe(true);
    expect(started).toEqual([0, 1]);
  });

  it('refuses a lane count that is not a whole number ≥ 1', async () => {
    await expect(runInLanes([1], 0, async () => {})).rejects.toThrow(RangeError);
  });
});

describe('defaultParallel (run.ts)', () => {
  it('three runs at once on two cores or more, one on a single core', async () => {
    const { defaultParallel } = await import('./run.ts');
    expect([1, 2, 4, 64].map((cores) => defaultParallel(cores))).toEqual([1, 3, 3, 3]);
  });
});
