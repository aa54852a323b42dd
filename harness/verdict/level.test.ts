import { describe, expect, it } from 'vitest';
import { compareLevels, levelAtDrainedCheckpoints, levelUnderLoad, sampleHandleCount } from './level.ts';
import { syntheticCheckpoints, syntheticSamples } from '../../test/fixtures/verdict/synthetic.ts';
import type { ContinuousSample } from '../records.ts';

/** Checkpoints whose Timeout count after GC is `timeouts[i]` (index 0 = the pre-load checkpoint). */
function timeoutRun(timeouts: number[]) {
  return syntheticCheckpoints({ checkpoints: timeouts.length, resourcesAfterGc: (i) => ({ TCPSocketWrap: 1, Timeout: timeouts[i]! }) });
}

/** Samples in phase `phase` (default 'load') whose TCPSocketWrap count is `counts[i]`, after one warm-up sample that must be ignored. */
function socketSamples(counts: number[], phase: (i: number) => string = () => 'load'): ContinuousSample[] {
  const base = syntheticSamples({ durationMs: counts.length * 2000, phase: (t) => (t === 0 ? 'warm-up' : phase(t / 2000 - 1)) });
  return base.map((s, i) => ({
    ...s,
    probe: { ...s.probe!, resources: { TCPSocketWrap: i === 0 ? 10_000 : counts[i - 1]! } },
    proc: { rss: 1, fds: 20 + i, threads: 7, tcp: { ESTABLISHED: i, LISTEN: 1 }, cpu: { user: 0, system: 0 } },
  }));
}

describe('levelAtDrainedCheckpoints', () => {
  it('measures every checkpoint after load against the pre-load count', () => {
    const e = levelAtDrainedCheckpoints(timeoutRun([2, 2, 9, 2, 14, 40]), 'handles:Timeout');
    expect(e.baseline).toBe(2);
    expect(e.values).toEqual([0, 7, 0, 12, 38]);
    expect(e.held).toBe(3);
    expect(e.median).toBe(7);
    expect(e.max).toBe(38);
    // p90 of [0, 0, 7, 12, 38]: h = 4 × 0.9 = 3.6 → 12 + 0.6 × 26
    expect(e.p90).toBeCloseTo(27.6, 10);
  });

  it('reads fds and TCP states as handle keys', () => {
    const run = syntheticCheckpoints({ checkpoints: 4, fds: (i) => 24 + i * i, tcp: (i) => ({ ESTABLISHED: i, LISTEN: 1 }) });
    expect(levelAtDrainedCheckpoints(run, 'handles:fds').values).toEqual([1, 4, 9]);
    expect(levelAtDrainedCheckpoints(run, 'handles:tcp:ESTABLISHED').values).toEqual([1, 2, 3]);
    expect(levelAtDrainedCheckpoints(run, 'Timeout').values).toEqual([]);
  });

  it('reads a post-GC memory signal as bytes above the pre-load checkpoint (a plateau store)', () => {
    const run = syntheticCheckpoints({ checkpoints: 4, heapUsed: (_, i) => i * 1_000_000, noise: { heapUsed: 0 } });
    const e = levelAtDrainedCheckpoints(run, 'heapUsed');
    expect(e.baseline).toBe(run[0]!.memory.heapUsed);
    expect(e.values).toEqual([1_000_000, 2_000_000, 3_000_000]);
  });
});

describe('compareLevels on memory', () => {
  // No noise: each run's values are read against its own pre-load checkpoint, whose ±40 KiB of
  // post-GC noise shifts all of them at once; "alike" is then exactly alike.
  const run = (level: number, seed: string) => syntheticCheckpoints({ checkpoints: 8, seed, heapUsed: (_, i) => (i === 0 ? 0 : level), noise: { heapUsed: 0 } });
  it("holds when the leaky run's median stands above the fixed run's p90, fails when the two levels are alike", () => {
    const fixed = levelAtDrainedCheckpoints(run(4 * 2 ** 20, 'f'), 'heapUsed');
    const higher = compareLevels(levelAtDrainedCheckpoints(run(7 * 2 ** 20, 'l'), 'heapUsed'), fixed);
    expect(higher.failures).toEqual([]);
    expect(higher.leakyLine).toMatch(/^heapUsed above its pre-load [\d.]+ MiB at drained checkpoints: median \+7\.\d\d MiB/);
    const alike = compareLevels(levelAtDrainedCheckpoints(run(4 * 2 ** 20, 'l'), 'heapUsed'), fixed);
    expect(alike.triggered).toBe(false);
    expect(alike.failures[0]).toMatch(/level is not above the fixed run's/);
  });
});

describe('levelUnderLoad', () => {
  it('reads a relay:<series> key from the samples\' /metrics gauges (headers-timeout)', () => {
    const series = 'relay_upstream_pool{field="running"}';
    const samples = socketSamples([5, 1, 3]).map((s, i) => ({ ...s, relay: i === 0 ? null : { [series]: 10 * i } }));
    const e = levelUnderLoad(samples, `handles:relay:${series}`, new Set(['load']));
    expect(e.values).toEqual([10, 20, 30]);
  });

  it('keeps only the samples of the given phases', () => {
    const e = levelUnderLoad(socketSamples([5, 1, 3]), 'handles:TCPSocketWrap', new Set(['load']));
    expect(e.values).toEqual([5, 1, 3]);
    expect(e.median).toBe(3);
    expect(e.max).toBe(5);
  });

  it('reads /proc for fds and TCP states, the probe for resource types', () => {
    const [, s] = socketSamples([7]);
    expect(sampleHandleCount(s!, 'fds')).toBe(21);
    expect(sampleHandleCount(s!, 'tcp:ESTABLISHED')).toBe(1);
    expect(sampleHandleCount(s!, 'tcp:CLOSE_WAIT')).toBe(0);
    expect(sampleHandleCount(s!, 'TCPSocketWrap')).toBe(7);
    expect(sampleHandleCount({ ...s!, proc: null }, 'fds')).toBeNull();
  });
});

describe('compareLevels', () => {
  it('drained: holds when the leaky run keeps extra handles at ≥ 3 checkpoints and the fixed run returns to its baseline', () => {
    const leaky = levelAtDrainedCheckpoints(timeoutRun([2, 30, 41, 2, 35, 50]), 'handles:Timeout');
    const fixed = levelAtDrainedCheckpoints(timeoutRun([2, 2, 2, 3, 2, 2]), 'handles:Timeout');
    const c = compareLevels(leaky, fixed);
    expect(c.failures).toEqual([]);
    expect(c.holds).toBe(true);
    expect(c.triggered).toBe(true);
    expect(c.leakyLine).toContain('4/5 drained checkpoints');
  });

  it('drained: fails when the leaky run shows the level at fewer than 3 checkpoints', () => {
    const leaky = levelAtDrainedCheckpoints(timeoutRun([2, 30, 2, 2, 35, 2]), 'handles:Timeout');
    const fixed = levelAtDrainedCheckpoints(timeoutRun([2, 2, 2, 2, 2, 2]), 'handles:Timeout');
    const c = compareLevels(leaky, fixed);
    expect(c.holds).toBe(false);
    expect(c.triggered).toBe(false);
    expect(c.tooLittleData).toBe(false);
    expect(c.failures[0]).toMatch(/leaky run holds extra handles:Timeout at 2 drained checkpoints/);
  });

  it('drained: fails when the fixed run still holds handles', () => {
    const leaky = levelAtDrainedCheckpoints(timeoutRun([2, 30, 41, 2, 35, 50]), 'handles:Timeout');
    const fixed = levelAtDrainedCheckpoints(timeoutRun([2, 2, 20, 2, 2, 2]), 'handles:Timeout');
    // One checkpoint, but +18 is more than a tenth of the leaky run's +152.
    expect(compareLevels(leaky, fixed).triggered).toBe(true);
    expect(compareLevels(leaky, fixed).failures).toEqual([expect.stringMatching(/fixed run still holds extra handles:Timeout at 1 drained/)]);
  });

  it('drained: needs 3 checkpoints after load on both sides', () => {
    const leaky = levelAtDrainedCheckpoints(timeoutRun([2, 30, 41]), 'handles:Timeout');
    const fixed = levelAtDrainedCheckpoints(timeoutRun([2, 2, 2, 2]), 'handles:Timeout');
    expect(compareLevels(leaky, fixed).failures).toEqual([expect.stringMatching(/leaky run has 2 checkpoints after load .* needs 3/)]);
    expect(compareLevels(leaky, fixed).tooLittleData).toBe(true);
  });

  it('under load: holds when the leaky median is above the fixed 90th percentile, not when the distributions overlap', () => {
    const phases = new Set(['load']);
    const fixed = levelUnderLoad(socketSamples([8, 9, 10, 8, 12, 9, 30, 9, 10, 8]), 'handles:TCPSocketWrap', phases);
    const leaky = levelUnderLoad(socketSamples([60, 120, 128, 10, 128, 90, 128, 12, 128, 100]), 'handles:TCPSocketWrap', phases);
    expect(compareLevels(leaky, fixed).holds).toBe(true);
    const overlapping = levelUnderLoad(socketSamples([9, 10, 11, 10, 40, 9, 10, 11, 12, 10]), 'handles:TCPSocketWrap', phases);
    const c = compareLevels(overlapping, fixed);
    expect(c.holds).toBe(false);
    expect(c.failures[0]).toMatch(/in no phase is its median handles:TCPSocketWrap above the fixed run's 90th percentile \(closest: load, 10 vs 13.8\)/);
  });

  it('under load: compares phase with phase, so one phase that runs the trigger is enough', () => {
    const phases = new Set(['fast', 'slow']);
    const phaseOf = (i: number) => (i < 10 ? 'fast' : 'slow');
    const fixed = levelUnderLoad(socketSamples([36, 70, 39, 35, 2, 38, 36, 35, 70, 41, 93, 94, 93, 9, 90, 94, 90, 25, 80, 92], phaseOf), 'handles:TCPSocketWrap', phases);
    const leaky = levelUnderLoad(socketSamples([37, 59, 37, 34, 2, 37, 36, 35, 66, 37, 142, 160, 159, 48, 130, 150, 153, 48, 130, 160], phaseOf), 'handles:TCPSocketWrap', phases);
    expect(leaky.phases.map((p) => p.phase)).toEqual(['fast', 'slow']);
    // Pooled, the leaky median (61.5) is under the fixed p90 (93.1): only the phase view sees it.
    expect(leaky.median).toBeLessThan(fixed.p90);
    const c = compareLevels(leaky, fixed);
    expect(c.failures).toEqual([]);
    expect(c.leakyLine).toContain('phase slow: median 146');
    // The fast phase alone does not show it.
    const fastOnly = new Set(['fast']);
    const c2 = compareLevels(levelUnderLoad(socketSamples([37, 59, 37, 34, 2, 37, 36, 35, 66, 37], phaseOf), 'handles:TCPSocketWrap', fastOnly), levelUnderLoad(socketSamples([36, 70, 39, 35, 2, 38, 36, 35, 70, 41], phaseOf), 'handles:TCPSocketWrap', fastOnly));
    expect(c2.holds).toBe(false);
  });

  it("under load, while the trigger runs: a scan that comes and goes is read mid-scan (unbounded-fanout's 2026-12-07 runs)", () => {
    // tcp:ESTABLISHED per 2-s sample of the relay-scan phases, `r`: a relay scan
    // was running. The leaky scans last 2–4 s of each ≈ 6-s segment (at the
    // 128-socket cap: 204 with the clients'); the fixed scans run longer, lower.
    const leakyRuns: Array<[string, number, boolean]> = [
      ...([[204, true], [204, true], [85, false], [0, false], [204, true], [201, false], [22, false], [96, false], [22, false]] as const).map(([v, r]) => ['relay-scan', v, r] as [string, number, boolean]),
      ...([[204, true], [200, false], [7, false], [204, true], [204, false], [85, false], [5, false], [204, true], [102, false], [79, false], [103, false], [78, false]] as const).map(([v, r]) => ['relay-scan-2', v, r] as [string, number, boolean]),
    ];
    const fixedRuns: Array<[string, number, boolean]> = [
      ...([[110, true], [115, true], [108, false], [150, true], [114, true], [111, true], [10, false], [80, false]] as const).map(([v, r]) => ['relay-scan', v, r] as [string, number, boolean]),
      ...([[21, false], [82, false], [84, false], [21, true], [109, true], [125, false], [10, false], [113, true], [110, true], [110, false], [5, false], [82, false]] as const).map(([v, r]) => ['relay-scan-2', v, r] as [string, number, boolean]),
    ];
    const samples = (rows: Array<[string, number, boolean]>) =>
      socketSamples(rows.map(([, v]) => v), (i) => rows[i]![0]).map((s, i) =>
        i > 0 && rows[i - 1]![2] ? { ...s, load: { ...s.load!, running: { 'relay-scan': 1 } } } : s,
      );
    const phases = new Set(['relay-scan', 'relay-scan-2']);
    const signal = 'handles:TCPSocketWrap';
    // Whole phases: the gaps between scans pull the leaky median under the fixed p90 (102.5 vs 112.7).
    const whole = compareLevels(levelUnderLoad(samples(leakyRuns), signal, phases), levelUnderLoad(samples(fixedRuns), signal, phases));
    expect(whole.holds).toBe(false);
    expect(whole.failures[0]).toMatch(/closest: relay-scan-2, 102.5 vs 112.7/);
    // Mid-scan only: every leaky sample at the cap, one group over both phases.
    const leaky = levelUnderLoad(samples(leakyRuns), signal, phases, 'relay-scan');
    const fixed = levelUnderLoad(samples(fixedRuns), signal, phases, 'relay-scan');
    expect(leaky.values).toEqual([204, 204, 204, 204, 204, 204]);
    expect(leaky.phases.map((p) => p.phase)).toEqual(['while relay-scan runs']);
    expect(fixed.values).toHaveLength(9);
    const c = compareLevels(leaky, fixed);
    expect(c.failures).toEqual([]);
    expect(c.leakyLine).toContain('under load while relay-scan runs: median 204');
    // A fixed relay at the same level mid-scan does not pass.
    const atCap = fixedRuns.map(([p, v, r]): [string, number, boolean] => [p, r ? 204 : v, r]);
    expect(compareLevels(leaky, levelUnderLoad(samples(atCap), signal, phases, 'relay-scan')).holds).toBe(false);
  });

  it('under load: needs a phase with 5 samples in both runs', () => {
    const phases = new Set(['load']);
    const c = compareLevels(levelUnderLoad(socketSamples([90, 90, 90, 90]), 'handles:TCPSocketWrap', phases), levelUnderLoad(socketSamples([1, 1, 1, 1, 1, 1]), 'handles:TCPSocketWrap', phases));
    expect(c.failures).toEqual([expect.stringMatching(/no phase with 5 samples/)]);
    expect(c.tooLittleData).toBe(true);
  });
});
