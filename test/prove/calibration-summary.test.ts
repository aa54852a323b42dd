// The calibration's arithmetic: requests-to-detection from growing prefixes of
// a real verdict, and the confusion matrix / precision / recall it counts.

import { describe, expect, it } from 'vitest';
import { detect } from '../../harness/calibrate/detection.ts';
import { estimatedMs, plannedRuns } from '../../harness/calibrate/plan.ts';
import { binomialUpper, formatSummary, formatSummaryMarkdown, summarise, type CalibrationRun, type Truth } from '../../harness/calibrate/summary.ts';
import type { VerdictRunMeta } from '../../harness/verdict/index.ts';
import { syntheticCheckpoints } from '../fixtures/verdict/synthetic.ts';
import { FULL_PLAN, QUICK_PLAN } from '../../harness/index.ts';

const meta: VerdictRunMeta = { scenario: 'calibration', seed: 1, nodeVersion: 'v24.21.0' };

describe('requests to detection', () => {
  const options = { warmup: { phases: ['start'] } };
  it('a 300 B/request leak is found at a prefix, later than the minimum window and no later than the whole run', () => {
    const cps = syntheticCheckpoints({ checkpoints: 17, seed: 'leak', requestsPerCheckpoint: 5_000, intervalMs: 6_000, heapUsed: (r) => 300 * r });
    const d = detect(meta, cps, [], options);
    expect(d.status).toBe('LEAK');
    expect(d.leaking).toContain('heapUsed');
    // The verdict's minimum judged window is 50 000 requests after warm-up: no prefix below it may say LEAK.
    expect(d.requestsToDetection).toBeGreaterThanOrEqual(50_000);
    expect(d.requestsToDetection).toBeLessThanOrEqual(cps.at(-1)!.requestsCompleted);
    expect(d.checkpointsToDetection).toBeGreaterThanOrEqual(8);
    // What the leak measured as: the whole run's slope, its interval around the injected size.
    expect(d.heapSlope!.slope).toBeGreaterThan(290);
    expect(d.heapSlope!.slope).toBeLessThan(310);
    expect(d.heapSlope!.lower).toBeLessThanOrEqual(d.heapSlope!.slope);
    expect(d.heapSlope!.upper).toBeGreaterThanOrEqual(d.heapSlope!.slope);
  });

  it('a flat run is never detected', () => {
    const d = detect(meta, syntheticCheckpoints({ checkpoints: 17, seed: 'flat', requestsPerCheckpoint: 5_000, intervalMs: 6_000 }), [], options);
    expect(d.status).not.toBe('LEAK');
    expect(d.requestsToDetection).toBeNull();
    expect(d.sequential).toBeNull();
  });

  it('the sequential looks are judged on the same run: a 1 KiB/request leak stops them after their 20 000-request minimum, before the fixed rule can call it', () => {
    const cps = syntheticCheckpoints({ checkpoints: 17, seed: 'kib', requestsPerCheckpoint: 5_000, intervalMs: 6_000, heapUsed: (r) => 1024 * r });
    const d = detect(meta, cps, [], options);
    expect(d.status).toBe('LEAK');
    expect(d.sequential).not.toBeNull();
    expect(d.sequential!.requests).toBeGreaterThanOrEqual(20_000);
    expect(d.sequential!.requests).toBeLessThan(d.requestsToDetection!);
    expect(d.sequential!.checkpoints).toBeLessThan(d.checkpointsToDetection!);
    expect(d.sequential!.ms).toBe(cps[d.sequential!.checkpoints - 1]!.t - cps[0]!.t);
  });
});

describe('calibration summary', () => {
  const run = (truth: Truth, status: 'LEAK' | 'NO-LEAK' | 'INCONCLUSIVE', requests: number | null = null): CalibrationRun => ({
    truth,
    seed: 1,
    runDir: '/x',
    outcome: 'completed',
    requests: 70_000,
    wallMs: 1,
    detection: { status, leaking: status === 'LEAK' ? ['heapUsed'] : [], requestsToDetection: requests, msToDetection: requests === null ? null : requests / 10, checkpointsToDetection: requests === null ? null : 10 },
    preloadInvisible: true,
  });
  const runs = [
    run({ kind: 'control' }, 'NO-LEAK'),
    run({ kind: 'control' }, 'LEAK', 60_000),
    run({ kind: 'bytes', bytesPerRequest: 16 }, 'NO-LEAK'),
    run({ kind: 'bytes', bytesPerRequest: 64 }, 'LEAK', 60_000),
    run({ kind: 'bytes', bytesPerRequest: 64 }, 'INCONCLUSIVE'),
    run({ kind: 'bytes', bytesPerRequest: 256 }, 'LEAK', 50_000),
    run({ kind: 'bytes', bytesPerRequest: 256 }, 'LEAK', 54_000),
    run({ kind: 'handles', every: 1000 }, 'LEAK', 52_000),
  ];
  const s = summarise(runs, 32);

  it('counts the confusion matrix by truth class', () => {
    expect(s.confusion.control).toEqual({ LEAK: 1, 'NO-LEAK': 1, INCONCLUSIVE: 0 });
    expect(s.confusion['leak-below-floor']).toEqual({ LEAK: 0, 'NO-LEAK': 1, INCONCLUSIVE: 0 });
    expect(s.confusion.leak).toEqual({ LEAK: 4, 'NO-LEAK': 0, INCONCLUSIVE: 1 });
  });

  it('precision, recall, false LEAKs, smallest sizes, medians', () => {
    expect(s.precision).toBeCloseTo(4 / 5);
    expect(s.recall).toBeCloseTo(4 / 5);
    expect(s.recallAtLeast64).toBeCloseTo(3 / 4);
    expect(s.falseLeaks).toBe(1);
    expect(s.controls).toBe(2);
    expect(s.smallestAlwaysDetected).toBe(256);
    expect(s.smallestEverDetected).toBe(64);
    const row256 = s.rows.find((r) => r.label === '256 B/request')!;
    expect(row256.medianRequestsToDetection).toBe(52_000);
    expect(row256.recall).toBe(1);
    expect(formatSummary(s, 32)).toMatch(/false LEAK in controls 1\/2/);
  });

  it('bounds the false-LEAK rate exactly: 0/20 under 14 %, 0/10 under 26 %, 1/2 here', () => {
    expect(binomialUpper(0, 20)!).toBeCloseTo(1 - 0.05 ** (1 / 20), 6); // 0.139
    expect(binomialUpper(0, 10)!).toBeCloseTo(0.259, 3);
    expect(binomialUpper(1, 20)!).toBeCloseTo(0.216, 3); // Clopper–Pearson tables
    expect(binomialUpper(2, 2)).toBe(1);
    expect(binomialUpper(0, 0)).toBeNull();
    expect(s.falseLeakRateUpper95!).toBeCloseTo(0.975, 3);
    expect(formatSummary(s, 32)).toMatch(/false LEAK in controls 1\/2 \(rate < 97\.5 % at 95 %\)/);
  });

  it('each run is classed against its own floor when floors differ (--floor adaptive)', () => {
    const adaptive = [
      { ...run({ kind: 'bytes', bytesPerRequest: 8 }, 'LEAK', 300_000), detection: { ...run({ kind: 'bytes', bytesPerRequest: 8 }, 'LEAK', 300_000).detection!, heapFloor: 2.5 } },
      { ...run({ kind: 'bytes', bytesPerRequest: 8 }, 'NO-LEAK'), detection: { ...run({ kind: 'bytes', bytesPerRequest: 8 }, 'NO-LEAK').detection!, heapFloor: 17 } },
    ];
    const a = summarise(adaptive, 32);
    expect(a.confusion.leak).toEqual({ LEAK: 1, 'NO-LEAK': 0, INCONCLUSIVE: 0 });
    expect(a.confusion['leak-below-floor']).toEqual({ LEAK: 0, 'NO-LEAK': 1, INCONCLUSIVE: 0 });
    expect(a.recall).toBe(1);
    expect(a.heapFloors).toEqual({ min: 2.5, max: 17 });
    expect(formatSummary(a, 32)).toContain('leak ≥ own δ 2.5–17 or fds');
  });

  it('counts the sequential looks beside the fixed rule: their stops per size and their false stops in controls', () => {
    const withLooks = (r: CalibrationRun, sequential: { requests: number; ms: number; checkpoints: number } | null): CalibrationRun => ({ ...r, detection: { ...r.detection!, sequential } });
    const a = summarise(
      [
        withLooks(run({ kind: 'bytes', bytesPerRequest: 1024 }, 'LEAK', 60_000), { requests: 30_000, ms: 40_000, checkpoints: 6 }),
        withLooks(run({ kind: 'bytes', bytesPerRequest: 1024 }, 'LEAK', 70_000), { requests: 34_000, ms: 44_000, checkpoints: 7 }),
        withLooks(run({ kind: 'control' }, 'NO-LEAK'), null),
        withLooks(run({ kind: 'control' }, 'NO-LEAK'), { requests: 90_000, ms: 80_000, checkpoints: 12 }),
        run({ kind: 'control' }, 'NO-LEAK'),
      ],
      32,
    );
    const kib = a.rows.find((r) => r.label === '1024 B/request')!;
    expect([kib.sequentialLeak, kib.sequentialJudged, kib.medianRequestsSequential, kib.medianSecondsSequential]).toEqual([2, 2, 32_000, 42]);
    expect(kib.medianRequestsToDetection).toBe(65_000);
    // The third control predates the looks (no `sequential`): not counted either way.
    expect([a.falseStops, a.controlsWithLooks]).toEqual([1, 2]);
    expect(formatSummary(a, 32)).toMatch(/sequential looks \(where --until-verdict stops\): false LEAK in controls 1\/2/);
    expect(formatSummary(a, 32)).toMatch(/1024 B\/request .* 2\/2 +32000 +42/);
  });

  it("gives each row its runs' measured heap slopes: smallest, largest, widest interval", () => {
    const sloped = (slope: number, lower: number, upper: number): CalibrationRun => {
      const r = run({ kind: 'bytes', bytesPerRequest: 16 }, 'LEAK', 250_000);
      return { ...r, detection: { ...r.detection!, heapSlope: { slope, lower, upper } } };
    };
    const a = summarise([sloped(16.8, 16.5, 17.0), sloped(16.9, 16.6, 17.1), run({ kind: 'control' }, 'NO-LEAK')], 32);
    expect(a.rows.find((r) => r.label === '16 B/request')!.heapSlope).toEqual({ min: 16.8, max: 16.9, lower: 16.5, upper: 17.1, runs: 2 });
    expect(a.rows.find((r) => r.label === 'control (none)')!.heapSlope).toBeNull();
    // A run without a slope (its folder gone before the backfill): the cell says over how many runs it is.
    const partial = summarise([sloped(16.8, 16.5, 17.0), run({ kind: 'bytes', bytesPerRequest: 16 }, 'LEAK', 250_000)], 32);
    expect(formatSummaryMarkdown(partial, 32)).toContain('| 16.8 [16.5, 17.0] (1 of 2 runs) |');
  });

  it('the full plan: 4 and 8 B/request, 20 controls, 54 runs', () => {
    const planned = plannedRuns(FULL_PLAN);
    expect(planned).toHaveLength(54);
    expect(planned.filter((p) => p.truth.kind === 'control')).toHaveLength(20);
    expect(planned.filter((p) => p.truth.kind === 'bytes' && p.truth.bytesPerRequest <= 8)).toHaveLength(6);
  });

  it('the quick plan is 13 interleaved runs that fit 30 minutes', () => {
    const planned = plannedRuns(QUICK_PLAN);
    expect(planned).toHaveLength(13);
    expect(new Set(planned.map((p) => p.seed)).size).toBe(13);
    expect(planned.slice(0, 4).every((p) => p.truth.kind === 'control')).toBe(false);
    expect(estimatedMs(QUICK_PLAN)).toBeLessThanOrEqual(30 * 60_000);
  });
});
