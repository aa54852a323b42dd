// The adaptive floor (certify.ts): the δ a run of R judged requests certifies,
// and judgeRun with --floor adaptive on synthetic runs shaped like the
// calibration's 10-minute and 90-s runs (README → Calibration): controls stay
// NO-LEAK, 8 and 16 B/request leaks the fixed δ 32 cannot call are LEAK.

import { describe, expect, it } from 'vitest';
import { syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { adaptiveFloors, certifiableFloor, CERTIFY_MARGIN, CERTIFY_MIN_PER_REQUEST, HEALTHY_GROWTH_BYTES } from './certify.ts';
import { DEFAULT_FLOORS, formatVerdict, judgeRun, type VerdictRunMeta } from './index.ts';

const META: VerdictRunMeta = { scenario: 'calibration', seed: 1, nodeVersion: 'v24.21.0', heapSizeLimit: 4 * 2 ** 30 };

describe('certifiableFloor', () => {
  it("is the controls' worst growth × the margin ÷ judged requests, never below the minimum", () => {
    expect(HEALTHY_GROWTH_BYTES).toBe(8.6 * 71_000);
    expect(certifiableFloor(367_000)).toBe(2.5); // a 10-minute run at 800 req/s, after warm-up
    expect(certifiableFloor(55_000)).toBe(17); // a 90-s one
    expect(certifiableFloor(25_000)).toBe(37); // a 90-s proof in mixed: above the default δ 32
    expect(certifiableFloor(10_000_000)).toBe(CERTIFY_MIN_PER_REQUEST);
    expect(certifiableFloor(0)).toBe(Infinity);
    expect(certifiableFloor(Number.NaN)).toBe(Infinity);
    // Halving the requests doubles the floor (above the minimum).
    expect(certifiableFloor(100_000) / certifiableFloor(200_000)).toBeCloseTo(2, 1);
    expect(CERTIFY_MARGIN).toBeGreaterThan(1);
  });

  it('lowers the JS memory floors only, only down, and says why', () => {
    const long = adaptiveFloors(367_000, DEFAULT_FLOORS);
    expect(long.floors).toEqual({ heapUsed: 2.5, external: 2.5, arrayBuffers: 2.5, rss: DEFAULT_FLOORS.rss });
    expect(long.lowered).toEqual(['heapUsed', 'external', 'arrayBuffers']);
    expect(long.reason).toBe('adaptive floor: δ 2.5 B/request for heapUsed, external, arrayBuffers (1.5 × the ≤ 611 kB a healthy relay grew by in calibration controls, over 367,000 judged requests; scenario δ 32)');
    const short = adaptiveFloors(25_000, DEFAULT_FLOORS);
    expect(short.floors).toEqual(DEFAULT_FLOORS);
    expect(short.lowered).toEqual([]);
    expect(short.reason).toMatch(/^adaptive floor: not lowered \(25,000 judged requests certify δ ≥ 37 B\/request, not below the scenario's 32/);
    // A scenario without calibration controls of its own: nothing certifies its drift, nothing is lowered.
    const storm = adaptiveFloors(10_000_000, DEFAULT_FLOORS, 'error-storm');
    expect(storm.floors).toEqual(DEFAULT_FLOORS);
    expect(storm.reason).toBe("adaptive floor: not lowered (no calibration controls of scenario error-storm: nothing certifies a healthy relay's drift there; controls exist for calibration)");
    expect(certifiableFloor(10_000_000, 'error-storm')).toBe(Infinity);
    // A scenario floor already under what the run certifies stays as it is.
    expect(adaptiveFloors(367_000, { ...DEFAULT_FLOORS, heapUsed: 1 }).floors.heapUsed).toBe(1);
  });
});

// 16 checkpoints as the calibration scenario takes them; the healthy relay's
// post-GC heap grows by a fixed ≈ 260 kB that saturates (what the controls'
// slopes read as 0.4–0.7 B/request over 10 minutes and 2–3 over 90 s).
const healthy = (x: number): number => 260_000 * (1 - Math.exp(-x / 150_000));
const TEN_MINUTES = { checkpoints: 16, requestsPerCheckpoint: 28_650, intervalMs: 37_500 };
const NINETY_SECONDS = { checkpoints: 16, requestsPerCheckpoint: 4_440, intervalMs: 5_625 };
const SEEDS = Array.from({ length: 20 }, (_, i) => `control-${i}`);

function heap(v: ReturnType<typeof judgeRun>) {
  return v.memory.find((m) => m.signal === 'heapUsed')!;
}

describe('judgeRun with --floor adaptive', () => {
  it('10-minute runs: 20 controls NO-LEAK; 8 and 16 B/request LEAK (NO-LEAK at the fixed δ 32)', () => {
    for (const seed of SEEDS) {
      const control = judgeRun(META, syntheticCheckpoints({ ...TEN_MINUTES, seed, heapUsed: healthy }), [], { floorMode: 'adaptive' });
      expect(heap(control).status, seed).toBe('NO-LEAK');
      expect(control.adaptiveFloor?.lowered).toContain('heapUsed');
      for (const size of [8, 16]) {
        const leak = syntheticCheckpoints({ ...TEN_MINUTES, seed, heapUsed: (x) => healthy(x) + size * x });
        expect(heap(judgeRun(META, leak, [], { floorMode: 'adaptive' })).status, `${size} B, ${seed}`).toBe('LEAK');
        expect(heap(judgeRun(META, leak, [])).status, `${size} B fixed, ${seed}`).toBe('NO-LEAK');
      }
    }
  });

  it('90-s runs: δ only comes down to what 55 000-odd judged requests certify, so 8 B/request stays under it', () => {
    const leak8 = judgeRun(META, syntheticCheckpoints({ ...NINETY_SECONDS, seed: 'short', heapUsed: (x) => healthy(x) + 8 * x }), [], { floorMode: 'adaptive' });
    expect(heap(leak8).floor).toBeGreaterThan(12);
    expect(heap(leak8).status).not.toBe('LEAK');
    for (const seed of SEEDS) {
      const control = judgeRun(META, syntheticCheckpoints({ ...NINETY_SECONDS, seed, heapUsed: healthy }), [], { floorMode: 'adaptive' });
      expect(heap(control).status, seed).not.toBe('LEAK');
    }
  });

  it('a run of another scenario keeps its floors under --floor adaptive (its healthy drift is not the calibration scenario\'s)', () => {
    const v = judgeRun({ ...META, scenario: 'mixed' }, syntheticCheckpoints({ ...TEN_MINUTES, seed: 'mixed', heapUsed: (x) => healthy(x) + 8 * x }), [], { floorMode: 'adaptive' });
    expect(heap(v).floor).toBe(DEFAULT_FLOORS.heapUsed);
    expect(heap(v).status).toBe('NO-LEAK');
    expect(v.adaptiveFloor?.lowered).toEqual([]);
  });

  it('the verdict says the δ it used and why; fixed floors say nothing of it', () => {
    const v = judgeRun(META, syntheticCheckpoints({ ...TEN_MINUTES, seed: 'text', heapUsed: healthy }), [], { floorMode: 'adaptive' });
    expect(heap(v).floor).toBe(v.adaptiveFloor!.certifiable);
    expect(formatVerdict(v)).toContain(`\n${v.adaptiveFloor!.reason}`);
    const fixed = judgeRun(META, syntheticCheckpoints({ ...TEN_MINUTES, seed: 'text', heapUsed: healthy }), []);
    expect(fixed.adaptiveFloor).toBeUndefined();
    expect(formatVerdict(fixed)).not.toContain('adaptive floor');
  });

  it('sequential looks with it: no control stops early; a 16 B/request leak is still LEAK', () => {
    const sequential = { plannedLooks: 16, alpha: 0.005, spending: 'pocock' as const };
    for (const seed of SEEDS) {
      const control = judgeRun(META, syntheticCheckpoints({ ...TEN_MINUTES, seed, heapUsed: healthy }), [], { floorMode: 'adaptive', sequential });
      expect(control.sequential?.stop ?? null, seed).toBeNull();
    }
    const leak = judgeRun(META, syntheticCheckpoints({ ...TEN_MINUTES, seed: 'seq', heapUsed: (x) => healthy(x) + 16 * x }), [], { floorMode: 'adaptive', sequential });
    expect(heap(leak).status).toBe('LEAK');
  });

  it('a budget on a short run is kept to what the run certifies, not to 2 B/request', () => {
    const v = judgeRun(META, syntheticCheckpoints({ ...NINETY_SECONDS, seed: 'budget', heapUsed: healthy }), [], { budget: { text: '10MB/day', bytesPerDay: 10e6 } });
    expect(heap(v).floor).toBeGreaterThan(12);
    expect(v.budget?.raised).toContain('heapUsed');
    expect(heap(v).status).not.toBe('LEAK');
  });
});
