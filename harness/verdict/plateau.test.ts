// The plateau rule (plateau.ts) both ways: a TTL-bounded store that levels off
// (with the sawtooth of its sweeps and post-GC noise) is a plateau; the same
// store with no sweep keeps growing; a run shorter than two lifetimes cannot
// tell them apart and says so.

import { describe, expect, it } from 'vitest';
import { createRng } from '../../shared/prng.ts';
import { judgeShape, type ShapePoint } from './plateau.ts';

const RATE = 300; // requests/s, the relay's rate in `mixed` on 2 cores
const RECORD = 230; // bytes per usage record (catalog: usage-ttl)
const TTL_MS = 10_000;
const LIFETIME_MS = 3 * TTL_MS;
const BASE = 34 * 2 ** 20;

/** Checkpoints every `everyMs` over `loadMs` of load; `held(tMs)` records held at t; seeded ±40 KiB noise. */
function run(loadMs: number, everyMs: number, held: (tMs: number) => number, seed = 'plateau'): ShapePoint[] {
  const rng = createRng(seed);
  const noise = () => (rng() + rng() + rng() - 1.5) * 2 * 40 * 1024;
  const points: ShapePoint[] = [{ t: 0, x: 0, y: BASE + noise() }];
  for (let t = everyMs; t <= loadMs; t += everyMs) points.push({ t, x: (RATE * t) / 1000, y: BASE + held(t) * RECORD + noise() });
  return points;
}

/** The leaky store: kept 2 × TTL, swept every TTL (a sawtooth between 2 and 3 TTLs of records once it is full). */
const rareSweep = (t: number) => (RATE / 1000) * Math.min(t, 2 * TTL_MS + (t % TTL_MS));
/** No sweep at all: every record stays. */
const neverSweep = (t: number) => (RATE / 1000) * t;

// The floor a proof gives: what the same store grows by with no sweep, within tolerance (230 × 0.5).
const opts = { lifetimeMs: LIFETIME_MS, floor: 115, minRise: 256 * 1024 };

describe('judgeShape', () => {
  it('a store swept every TTL levels off after one lifetime: plateau, with its height', () => {
    for (const seed of ['a', 'b', 'c', 'd', 'e']) {
      const j = judgeShape(run(90_000, 5_600, rareSweep, seed), opts);
      expect(j.shape, `${seed}: ${j.line}`).toBe('plateau');
      expect(j.rise!).toBeGreaterThan(1.2 * 2 ** 20);
      expect(j.line).toMatch(/^levels off after one lifetime \(30 s\), over \d+ checkpoints .* \(a plateau, not a leak\)$/);
    }
  });

  it('the same store with no sweep keeps growing: growing, not plateau', () => {
    for (const seed of ['a', 'b', 'c', 'd', 'e']) {
      const j = judgeShape(run(90_000, 5_600, neverSweep, seed), opts);
      expect(j.shape, j.line).toBe('growing');
      expect(j.slope!.lower).toBeGreaterThan(200);
      expect(j.line).toMatch(/^keeps growing after one lifetime/);
    }
  });

  it('a run shorter than two lifetimes is too short, whichever store it ran', () => {
    for (const held of [rareSweep, neverSweep]) {
      const j = judgeShape(run(50_000, 5_000, held), opts);
      expect(j.shape).toBe('too-short');
      expect(j.line).toMatch(/needs ≥ 60 s\)$/);
    }
  });

  it('a series that never rose is flat, not a plateau', () => {
    expect(judgeShape(run(90_000, 5_600, () => 0), opts).shape).toBe('flat');
  });

  it("against the verdict's generic δ (32 B/request) the sweep's sawtooth leaves it undecided, never growing", () => {
    const j = judgeShape(run(90_000, 5_600, rareSweep, 'a'), { ...opts, floor: 32 });
    expect(j.shape).toBe('undecided');
    expect(j.line).toMatch(/straddles δ 32$/);
  });
});
