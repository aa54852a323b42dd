// heapUsed split by V8 heap space: each space regressed on the heap verdict's
// own points and axis, the rise named by space (objects in old_space, JIT code
// in code_space), never a verdict of its own.
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../records.ts';
import { syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { judgeRun } from './index.ts';
import { formatVerdict } from './index.ts';
import { judgeHeapSpaces } from './heap-spaces.ts';

const meta = { scenario: 'calibration', seed: 1, nodeVersion: 'v24.21.0' };

/** A run whose heap rises by `objects` B/request in old_space and `code` B/request in code_space (trusted_space flat). */
function run(objects: number, code: number, split = true): Checkpoint[] {
  const cps = syntheticCheckpoints({ checkpoints: 16, seed: `spaces-${objects}-${code}`, heapUsed: (r) => (objects + code) * r });
  return cps.map((c) => {
    if (!split) return c;
    const r = c.requestsCompleted;
    const code_space = 400_000 + Math.round(code * r);
    const trusted_space = 900_000;
    return { ...c, heapSpaces: { old_space: c.memory.heapUsed - code_space - trusted_space, code_space, trusted_space } };
  });
}

describe('judgeHeapSpaces', () => {
  it('names the space that rose and its share of the heap slope', () => {
    const cps = run(300, 0);
    const h = judgeHeapSpaces(cps, cps.map((c) => c.requestsCompleted), 300)!;
    expect(h.n).toBe(16);
    expect(h.spaces[0]!.space).toBe('old_space');
    expect(h.spaces[0]!.slope).toBeGreaterThan(290);
    expect(h.spaces[0]!.slope).toBeLessThan(310);
    expect(h.spaces[0]!.shareOfHeapSlope).toBeGreaterThan(0.95);
    expect(h.spaces.find((s) => s.space === 'code_space')!.slope).toBe(0);
  });

  it('tells code from objects: a rise all in code_space', () => {
    const cps = run(0, 30);
    const h = judgeHeapSpaces(cps, cps.map((c) => c.requestsCompleted), 30)!;
    expect(h.spaces[0]).toMatchObject({ space: 'code_space', slope: 30 });
    expect(Math.abs(h.spaces.find((s) => s.space === 'old_space')!.slope)).toBeLessThan(5);
  });

  it('says nothing without the split (older runs, no probe) or with too few checkpoints', () => {
    const plain = run(300, 0, false);
    expect(judgeHeapSpaces(plain, plain.map((c) => c.requestsCompleted), 300)).toBeNull();
    const short = run(300, 0).slice(0, 4);
    expect(judgeHeapSpaces(short, short.map((c) => c.requestsCompleted), 300)).toBeNull();
  });
});

describe('the run verdict carries the split and prints it when the heap rose', () => {
  it('a real rise: the line names old_space with its meaning; status unchanged by it', () => {
    const cps = run(300, 0);
    const v = judgeRun(meta, cps, []);
    const without = judgeRun(meta, run(300, 0, false), []);
    expect(v.status).toBe(without.status);
    expect(v.heapSpaces?.spaces[0]?.space).toBe('old_space');
    expect(formatVerdict(v)).toMatch(/heapUsed by V8 heap space \(\d+ checkpoints\): old_space \+\d+(\.\d)? \[[\d.]+, [\d.]+\] B\/request, \d+ % \(objects that survived\)/);
    expect(formatVerdict(without)).not.toContain('heapUsed by V8 heap space');
  });

  it('a flat heap prints no split line', () => {
    const v = judgeRun(meta, run(0, 0), []);
    expect(v.heapSpaces).toBeDefined();
    // The precondition, said: the line is printed only when the heap's rise is real (its lower bound above 0).
    expect(v.memory.find((m) => m.signal === 'heapUsed')!.lower!).toBeLessThanOrEqual(0);
    expect(formatVerdict(v)).not.toContain('heapUsed by V8 heap space');
  });
});
