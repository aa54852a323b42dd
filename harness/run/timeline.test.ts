import { describe, expect, it } from 'vitest';
import { buildTimeline, checkpointTimes, mergeCheckpointTimes, requestCheckpointTimes } from './timeline.ts';

describe('checkpointTimes', () => {
  it('spaces at least minCount checkpoints evenly and ends at the duration', () => {
    expect(checkpointTimes(60_000, 30_000, 8)).toEqual([7500, 15000, 22500, 30000, 37500, 45000, 52500, 60000]);
  });
  it('uses the cadence when it gives more checkpoints than the minimum', () => {
    const t = checkpointTimes(3_600_000, 60_000, 8);
    expect(t).toHaveLength(60);
    expect(t[0]).toBe(60_000);
    expect(t.at(-1)).toBe(3_600_000);
  });
});

describe('checkpoints by requests', () => {
  it('places a mark at every multiple of the planned requests, through ramps', () => {
    // 10 s at 100 req/s, then 10 s ramping 100 → 300 req/s (2 000 requests): marks every 500 requests.
    const phases = [
      { startMs: 0, endMs: 10_000, rate: { from: 100, to: 100 } },
      { startMs: 10_000, endMs: 20_000, rate: { from: 100, to: 300 } },
    ];
    const t = requestCheckpointTimes(phases, 500);
    expect(t.slice(0, 2)).toEqual([5_000, 10_000]);
    // In the ramp, requests(t) = 100 t + 10 t²: 500 more at t = 3.66 s, 1 000 at 6.18 s, 1 500 at 8.23 s, 2 000 at 10 s.
    expect(t.slice(2)).toEqual([13_660, 16_180, 18_229, 20_000]);
    expect(requestCheckpointTimes([{ startMs: 0, endMs: 10_000, rate: null }], 500)).toEqual([]);
  });

  it('merges with the time marks: ordered, a mark within the gap of another dropped, the end always last', () => {
    expect(mergeCheckpointTimes([10_000, 20_000, 30_000], [4_000, 10_500, 25_000, 29_000], 30_000, 2_000)).toEqual([4_000, 10_000, 20_000, 25_000, 30_000]);
    expect(mergeCheckpointTimes([15_000, 30_000], [], 30_000, 2_000)).toEqual([15_000, 30_000]);
  });
});

describe('buildTimeline', () => {
  const phases = [
    { name: 'warm-up', startMs: 0, endMs: 10_000 },
    { name: 'steady', startMs: 10_000, endMs: 40_000 },
  ];
  it('cuts phases at checkpoints and marks phase starts', () => {
    const segs = buildTimeline(phases, [20_000, 40_000]);
    expect(segs.map((s) => [s.phaseIndex, s.startMs, s.endMs, s.phaseStart, s.checkpointAfter])).toEqual([
      [0, 0, 10_000, true, null],
      [1, 10_000, 20_000, true, 1],
      [1, 20_000, 40_000, false, 2],
    ]);
  });
  it('covers the whole load time without gaps or overlaps', () => {
    const segs = buildTimeline(phases, checkpointTimes(40_000, 7_000, 8));
    let t = 0;
    for (const s of segs) {
      expect(s.startMs).toBe(t);
      t = s.endMs;
    }
    expect(t).toBe(40_000);
    expect(segs.filter((s) => s.checkpointAfter !== null)).toHaveLength(8);
  });
});

describe('plannedCheckpointTimes (harness/soak/drive.ts): a scenario with checkpoints.everyRequests', () => {
  it('adds a checkpoint wherever the planned requests since the previous one would pass everyRequests', async () => {
    const { plannedCheckpointTimes } = await import('../soak/drive.ts');
    const { defineScenario, resolveScenario } = await import('../../scenarios/index.ts');
    const spec = defineScenario({
      name: 'by-requests',
      description: 'unit',
      defaults: { duration: '5m', rate: 100, accounts: 10, seed: 1 },
      phases: [
        { name: 'warm-up', kind: 'warm-up', duration: '30s', load: 0.5, mix: { chat: 1 } },
        { name: 'steady', kind: 'steady', share: 1, mix: { chat: 1 } },
      ],
      checkpoints: { count: 10 },
      thresholds: { heapUsed: 32 },
      variants: [],
    });
    const byTime = plannedCheckpointTimes(resolveScenario(spec), {});
    expect(byTime).toHaveLength(10);
    const s = resolveScenario({ ...spec, checkpoints: { count: 10, everyRequests: 1_000 } });
    const t = plannedCheckpointTimes(s, {});
    expect(t.at(-1)).toBe(300_000);
    expect([...t].sort((a, b) => a - b)).toEqual(t);
    // 28 500 planned requests (30 s × 50 + 270 s × 100): at most 1 000 between checkpoints, whatever the time marks.
    const planned = (ms: number) => (ms <= 30_000 ? ms * 0.05 : 1_500 + (ms - 30_000) * 0.1);
    for (let i = 0; i < t.length; i++) expect(planned(t[i]!) - planned(t[i - 1] ?? 0)).toBeLessThanOrEqual(1_000 + 1);
    expect(t.length).toBeGreaterThanOrEqual(28);
    for (const m of byTime) expect(t.some((x) => Math.abs(x - m) < 2_000)).toBe(true);
    // --checkpoints 40 (minCheckpoints): 40 evenly spaced over the same 5 minutes, the scenario's 10 among them.
    const dense = plannedCheckpointTimes(resolveScenario(spec), { minCheckpoints: 40 });
    expect(dense).toHaveLength(40);
    expect(dense[0]).toBe(7_500);
    for (const m of byTime) expect(dense).toContain(m);
  });
});
