import { describe, expect, it } from 'vitest';
import { buildTimeline, checkpointTimes } from './timeline.ts';

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
