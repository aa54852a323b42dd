import { describe, expect, it } from 'vitest';
import type { ContinuousSample } from '../records.ts';
import { syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { formatVerdict, judgeRun, type VerdictRunMeta } from './index.ts';
import { breachLines, checkLevelThresholds, clock, grouped, judgeLevelThreshold, judgeLevelThresholds, levelValueOf } from './level-threshold.ts';

/** One sample per second; `established[i]` ESTABLISHED sockets and as many in-flight requests in /metrics. */
function samples(established: readonly number[], phase = (i: number) => (i < 3 ? 'warm-up' : 'burst')): ContinuousSample[] {
  return established.map((n, i) => ({
    kind: 'sample',
    t: i * 1000,
    phase: phase(i),
    proc: { rss: 1, fds: 30 + n, threads: 7, tcp: { ESTABLISHED: n, LISTEN: 1 }, cpu: { user: 0, system: 0 } },
    probe: null,
    relay: { relay_inflight_requests: n, 'relay_admission{field="active"}': Math.min(n, 512) },
    load: null,
    faults: null,
    requestsCompleted: i * 100,
  }));
}

describe('level thresholds', () => {
  it('breaches on the samples above max, naming the peak, when and how long', () => {
    const s = samples([10, 12, 11, 400, 1900, 2100, 2341, 2200, 300, 12]);
    const r = judgeLevelThreshold(s, { signal: 'handles:tcp:ESTABLISHED', max: 2000 });
    expect(r.status).toBe('breached');
    expect(r.peak).toBe(2341);
    expect(r.peakAt).toBe(6000);
    expect(r.firstAboveAt).toBe(5000);
    expect(r.above).toBe(3);
    expect(r.samples).toBe(10);
    expect(r.line).toBe('handles:tcp:ESTABLISHED reached 2 341 > 2 000 at 00:06 (above from 00:05, 3 of 10 samples, phase burst)');
  });

  it('holds when every sample is at or under max (max itself is allowed)', () => {
    const r = judgeLevelThreshold(samples([10, 2000, 1999, 12]), { signal: 'handles:tcp:ESTABLISHED', max: 2000 });
    expect(r.status).toBe('held');
    expect(r.peak).toBe(2000);
    expect(r.line).toBe('handles:tcp:ESTABLISHED peaked at 2 000 ≤ 2 000 (at 00:01, 4 samples)');
  });

  it('reads /metrics series by their printed name, and fds from /proc', () => {
    const s = samples([5, 700, 5]);
    expect(levelValueOf(s[1]!, 'relay_inflight_requests')).toBe(700);
    expect(levelValueOf(s[1]!, 'relay_admission{field="active"}')).toBe(512);
    expect(levelValueOf(s[1]!, 'handles:fds')).toBe(730);
    expect(levelValueOf(s[1]!, 'go_goroutines')).toBeNull();
    expect(judgeLevelThreshold(s, { signal: 'relay_inflight_requests', max: 600 }).status).toBe('breached');
    expect(judgeLevelThreshold(s, { signal: 'relay_admission{field="active"}', max: 600 }).status).toBe('held');
  });

  it('says so when no sample carries the signal, and does not call it a leak', () => {
    const v = judgeLevelThresholds(samples([1, 2, 3]), [{ signal: 'go_goroutines', max: 2000 }]);
    expect(v.results[0]!.status).toBe('no-data');
    expect(v.status).toBe('INCONCLUSIVE');
    expect(breachLines(v)).toEqual([]);
  });

  it('is LEAK when any threshold is breached, with one breach line each', () => {
    const s = samples([10, 3000, 10]);
    const v = judgeLevelThresholds(s, [
      { signal: 'handles:tcp:ESTABLISHED', max: 2000 },
      { signal: 'relay_admission{field="active"}', max: 1024 },
      { signal: 'go_goroutines', max: 2000 },
    ]);
    expect(v.status).toBe('LEAK');
    expect(v.results.map((r) => r.status)).toEqual(['breached', 'held', 'no-data']);
    expect(breachLines(v)).toEqual(['handles:tcp:ESTABLISHED reached 3 000 > 2 000 at 00:01 (1 of 3 samples, phase warm-up)']);
    expect(judgeLevelThresholds(s, [{ signal: 'handles:tcp:ESTABLISHED', max: 5000 }]).status).toBe('NO-LEAK');
  });

  it('orders samples by time whatever order they come in', () => {
    const s = samples([10, 2500, 2500, 10]).reverse();
    const r = judgeLevelThreshold(s, { signal: 'handles:tcp:ESTABLISHED', max: 2000 });
    expect(r.peakAt).toBe(1000);
    expect(r.firstAboveAt).toBe(1000);
  });

  it('formats counts and clocks as the verdict line does', () => {
    expect(grouped(2341)).toBe('2 341');
    expect(grouped(1_234_567)).toBe('1 234 567');
    expect(grouped(999)).toBe('999');
    expect(grouped(12.5)).toBe('12.5');
    expect(clock(41_900)).toBe('00:41');
    expect(clock(3_725_000)).toBe('1:02:05');
  });

  it('checks scenario data, naming the bad field', () => {
    expect(checkLevelThresholds([{ signal: 'handles:tcp:ESTABLISHED', max: 2000 }])).toEqual([{ signal: 'handles:tcp:ESTABLISHED', max: 2000 }]);
    expect(() => checkLevelThresholds({})).toThrow(/thresholds\.levels: expected a list/);
    expect(() => checkLevelThresholds([{ signal: '', max: 1 }])).toThrow(/levels\[0\]\.signal/);
    expect(() => checkLevelThresholds([{ signal: 'fds', max: -1 }])).toThrow(/levels\[0\]\.max/);
    expect(() => checkLevelThresholds([{ signal: 'fds', max: 1, min: 0 }])).toThrow(/unknown field "min"/);
  });
});

describe('judgeRun with level thresholds', () => {
  const META: VerdictRunMeta = { scenario: 'stall-burst', seed: 1, nodeVersion: 'v24.21.0', heapSizeLimit: 2 * 2 ** 30 };
  const flat = syntheticCheckpoints({ checkpoints: 30, seed: 'flat' });
  const burst = samples([10, 12, 11, 400, 1900, 2100, 2341, 2200, 300, 12]);
  const levels = [{ signal: 'handles:tcp:ESTABLISHED', max: 2000 }];

  it('a flat run whose samples go above a level is LEAK, the breach line its reason', () => {
    const v = judgeRun(META, flat, burst, { levels, served: false });
    expect(v.status).toBe('LEAK');
    expect(v.reasons[0]).toBe('leaking: handles:tcp:ESTABLISHED reached 2 341 > 2 000 at 00:06 (above from 00:05, 3 of 10 samples, phase burst)');
    expect(v.levels?.status).toBe('LEAK');
    const text = formatVerdict(v);
    expect(text).toContain('level thresholds (continuous samples): LEAK');
    expect(text).toContain('  LEAK          handles:tcp:ESTABLISHED reached 2 341 > 2 000 at 00:06');
  });

  it('the same run under a higher level, or with no level set, stays NO-LEAK', () => {
    const held = judgeRun(META, flat, burst, { levels: [{ signal: 'handles:tcp:ESTABLISHED', max: 2500 }], served: false });
    expect(held.status).toBe('NO-LEAK');
    expect(held.levels?.status).toBe('NO-LEAK');
    const none = judgeRun(META, flat, burst, { served: false });
    expect(none.status).toBe('NO-LEAK');
    expect(none.levels).toBeUndefined();
    expect(formatVerdict(none)).not.toContain('level thresholds');
  });
});
