// Sequential verdicts (sequential.ts) on synthetic runs shaped like the
// calibration quick run: 16 checkpoints over 90 s of load at 800 req/s, a
// warm-up phase over the first 10 % at half rate, ≈ 1.5 s of drain and GC per
// checkpoint. Heap noise: 120 KB per checkpoint, the upper end of what the
// README's calibration intervals imply (quick runs: ±3.5–5 B/request over 13
// judged checkpoints 4 500 requests apart → σ ≈ 120 KB; full mode: ±0.3 over
// 30 000 requests apart → σ ≈ 60 KB); healthy drift 3 B/request (quick-run
// controls measured 1.3–3.3).
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../records.ts';
import { createRng } from '../../shared/prng.ts';
import { gaussian } from '../../test/fixtures/verdict/synthetic.ts';
import { alphaSpent, judgeSequential, oneSidedSenLower, type SequentialOptions } from './sequential.ts';
import { compareRuns, judgeRun, type VerdictRunMeta } from './index.ts';

const K = 16;
const WARMUP = { phases: ['start', 'warm-up'] };
const SIGMA = 120_000;

interface Shape {
  /** Bytes above the base at `requests` cumulative requests. */
  heap: (requests: number) => number;
  sigma?: number;
  /** AR(1) coefficient of the heap noise between checkpoints. */
  phi?: number;
  checkpoints?: number;
  durationS?: number;
  rate?: number;
}

function quickRun(seed: string, shape: Shape): Checkpoint[] {
  const rng = createRng(seed);
  const n = shape.checkpoints ?? K;
  const dur = shape.durationS ?? 90;
  const rate = shape.rate ?? 800;
  const sigma = shape.sigma ?? SIGMA;
  const phi = shape.phi ?? 0;
  const out: Checkpoint[] = [];
  let e = 0;
  for (let k = 0; k <= n; k++) {
    const load = (k * dur) / n;
    const warm = Math.min(load, dur * 0.1);
    const requests = Math.round(warm * rate * 0.5 + Math.max(0, load - dur * 0.1) * rate);
    e = phi * e + Math.sqrt(1 - phi * phi) * gaussian(rng);
    const memory = {
      heapUsed: Math.round(40 * 2 ** 20 + shape.heap(requests) + sigma * e),
      heapTotal: 64 * 2 ** 20,
      external: Math.round(3 * 2 ** 20 + 8_000 * gaussian(rng)),
      arrayBuffers: Math.round(2 ** 20 + 4_000 * gaussian(rng)),
      rss: Math.round(120 * 2 ** 20 + shape.heap(requests) + 4 * sigma * gaussian(rng)),
    };
    out.push({
      kind: 'checkpoint',
      seq: k,
      t: Math.round(2_000 + load * 1000 + k * 1_500),
      phase: k === 0 ? 'start' : load <= dur * 0.1 ? 'warm-up' : 'steady',
      requestsCompleted: requests,
      events: { requests },
      drainMs: 1_000,
      memory,
      preGcMemory: memory,
      resourcesBeforeGc: {},
      resourcesAfterGc: { TCPSocketWrap: 4 },
      fds: 24,
      tcp: { ESTABLISHED: 4, LISTEN: 1 },
      relay: null,
      gc: { count: k * 40, timeMs: 0 },
      allocatedBytes: requests * 6_000,
      procOnly: false,
    });
  }
  return out;
}

const OPTIONS: SequentialOptions = { plannedLooks: K };
const judge = (cps: Checkpoint[], options: SequentialOptions = OPTIONS) => judgeSequential(cps, options, { warmup: WARMUP });

/** Upper end of a binomial count at `p` over `n` trials, 3 standard errors out. */
const allowed = (p: number, n: number): number => Math.floor(n * p + 3 * Math.sqrt(n * p * (1 - p)));

describe('sequential looks: early LEAK', () => {
  it('a 1 KiB/request leak is LEAK after few checkpoints, within 60 s of load at 800 req/s', () => {
    for (let s = 0; s < 20; s++) {
      const v = judge(quickRun(`kib:${s}`, { heap: (r) => 1024 * r }));
      expect(v.status).toBe('LEAK');
      // Checkpoint 8 of 16 is 45 s of load: 7 judged points are the first that reach the look's α.
      expect(v.stop!.seq).toBeLessThanOrEqual(8);
      expect(v.stop!.requests).toBeLessThan(60 * 800);
      expect(v.stop!.signals.find((x) => x.signal === 'heapUsed')!.certain).toBe(true);
      // The budget is spent, never more than it.
      expect(v.stop!.alphaSpent).toBeLessThanOrEqual(0.005);
      expect(v.stop!.alphaSpent).toBeGreaterThan(0);
    }
  });

  it('the look that crossed is the same when re-judged from the checkpoints up to it (what the live run saw)', () => {
    const cps = quickRun('kib:replay', { heap: (r) => 1024 * r });
    const whole = judge(cps);
    const prefix = judge(cps.slice(0, whole.stop!.seq + 1));
    expect(prefix.stop).toEqual(whole.stop);
  });

  it("O'Brien–Fleming spending calls the same leak later than Pocock", () => {
    const cps = quickRun('kib:obf', { heap: (r) => 1024 * r });
    const pocock = judge(cps);
    const obf = judge(cps, { ...OPTIONS, spending: 'obrien-fleming' });
    expect(obf.stop!.seq).toBeGreaterThan(pocock.stop!.seq);
  });
});

describe('sequential looks: no false early LEAK', () => {
  const healthy: Array<[string, Shape]> = [
    ['iid noise', { heap: (r) => 3 * r }],
    ['twice the noise', { heap: (r) => 3 * r, sigma: 2 * SIGMA }],
    ['AR(1) 0.6 noise', { heap: (r) => 3 * r, phi: 0.6 }],
  ];
  for (const [name, shape] of healthy) {
    it(`a healthy run (3 B/request drift, ${name}) is not LEAK at any look over 200 seeds`, () => {
      let stops = 0;
      for (let s = 0; s < 200; s++) if (judge(quickRun(`healthy:${name}:${s}`, shape)).stop !== null) stops++;
      // Nominal 0.005 per signal; measured 0 (the drift is a tenth of δ, ~100 interval widths below it).
      expect(stops).toBeLessThanOrEqual(allowed(0.005, 200));
      expect(stops).toBe(0);
    });
  }

  it('at a true slope exactly at δ (the worst case) the early looks stay within their budget', () => {
    let stops = 0;
    const n = 400;
    for (let s = 0; s < n; s++) if (judge(quickRun(`boundary:${s}`, { heap: (r) => 32 * r })).stop !== null) stops++;
    expect(stops).toBeLessThanOrEqual(allowed(0.005, n));
  });

  it('a capped cache filling one entry per request (10 000 × 300 B) is not called early: its second half is flat', () => {
    // The fill starts at the first judged checkpoint and ends 10 000 requests later, inside the 20 000-request early window.
    for (let s = 0; s < 20; s++) {
      const v = judge(quickRun(`cache:${s}`, { heap: (r) => 300 * Math.min(Math.max(0, r - 7_200), 10_000) }));
      expect(v.stop).toBeNull();
      // Over a real leak under δ (24 B/request) the fill must not lift it to an early LEAK either.
      expect(judge(quickRun(`cache24:${s}`, { heap: (r) => 24 * r + 300 * Math.min(Math.max(0, r - 7_200), 10_000) })).stop).toBeNull();
    }
  });
});

describe('sequential looks: never NO-LEAK early, and the budget', () => {
  it('a flat run: every look continues (no look says NO-LEAK), the verdict is not LEAK', () => {
    const v = judge(quickRun('flat', { heap: () => 0 }));
    expect(v.status).toBe('continue');
    expect(v.looks.every((l) => l.status === 'continue')).toBe(true);
    // Looks are early looks only: seq 1 … K−1; checkpoint K is the fixed rule's.
    expect(Math.max(...v.looks.map((l) => l.seq))).toBe(K - 1);
  });

  it('spends only at eligible looks, never more than alpha in total', () => {
    const v = judge(quickRun('flat:budget', { heap: () => 0 }));
    const spent = v.looks.reduce((a, l) => a + l.alphaLook, 0);
    expect(spent).toBeLessThanOrEqual(0.005 + 1e-12);
    expect(spent).toBeCloseTo(alphaSpent((K - 1) / K, 0.005), 12);
    for (const l of v.looks.filter((x) => !x.eligible)) expect(l.alphaLook).toBe(0);
    // The first eligible look has ≥ 30 s, ≥ 20 000 requests and 7 points (6 cannot reach its α).
    const first = v.looks.find((l) => l.eligible)!;
    expect(first.windowSeconds).toBeGreaterThanOrEqual(30);
    expect(first.windowRequests).toBeGreaterThanOrEqual(20_000);
    expect(first.judged).toBe(7);
  });

  it('spending functions: 0 at 0, alpha at 1, monotone; O\'Brien–Fleming spends far less early', () => {
    for (const kind of ['pocock', 'obrien-fleming'] as const) {
      expect(alphaSpent(0, 0.005, kind)).toBe(0);
      expect(alphaSpent(1, 0.005, kind)).toBeCloseTo(0.005, 10);
      let last = 0;
      for (let t = 0.05; t <= 1; t += 0.05) {
        const a = alphaSpent(t, 0.005, kind);
        expect(a).toBeGreaterThanOrEqual(last);
        last = a;
      }
    }
    expect(alphaSpent(0.25, 0.005, 'obrien-fleming')).toBeLessThan(alphaSpent(0.25, 0.005, 'pocock') / 100);
  });

  it('a one-sided bound the points cannot reach is null, not the extreme slope', () => {
    const x = [0, 1, 2, 3, 4, 5].map((i) => i * 4500);
    const y = x.map((v) => 1024 * v);
    expect(oneSidedSenLower(x, y, 0.003).lower).toBeNull();
    expect(oneSidedSenLower([...x, 27_000], [...y, 1024 * 27_000], 0.003).lower).toBeCloseTo(1024, 6);
  });

  it('refuses bad options naming the field', () => {
    const cps = quickRun('opts', { heap: () => 0 });
    expect(() => judge(cps, { plannedLooks: 0 })).toThrow(/sequential\.plannedLooks/);
    expect(() => judge(cps, { plannedLooks: K, alpha: 0.7 })).toThrow(/sequential\.alpha/);
  });
});

describe('judgeRun with sequential looks', () => {
  const META: VerdictRunMeta = { scenario: 'calibration', seed: 1, nodeVersion: 'v24.21.0' };
  const options = { warmup: WARMUP, served: false as const, sequential: OPTIONS };

  it('a run stopped at the look that crossed is LEAK, where the fixed rule alone says INCONCLUSIVE (too short)', () => {
    const cps = quickRun('run:kib', { heap: (r) => 1024 * r });
    const stop = judge(cps).stop!.seq;
    const stopped = cps.slice(0, stop + 1);
    const fixed = judgeRun(META, stopped, [], { warmup: WARMUP, served: false });
    expect(fixed.status).toBe('INCONCLUSIVE');
    const v = judgeRun(META, stopped, [], options);
    expect(v.status).toBe('LEAK');
    expect(v.sequential?.stop?.seq).toBe(stop);
    const heap = v.memory.find((m) => m.signal === 'heapUsed')!;
    expect(heap.status).toBe('LEAK');
    expect(heap.reasons[0]).toMatch(/^sequential: /);
    expect(v.reasons.some((r) => r.includes(`LEAK certain at checkpoint ${stop} of ${K}`))).toBe(true);
  });

  it('a healthy full run judged with the looks is what the fixed rule says (NO-LEAK needs the whole run)', () => {
    const cps = quickRun('run:healthy', { heap: (r) => 3 * r });
    const fixed = judgeRun(META, cps, [], { warmup: WARMUP, served: false });
    const v = judgeRun(META, cps, [], options);
    expect(v.sequential?.stop).toBeNull();
    expect(v.status).toBe(fixed.status);
    expect(v.memory.map((m) => m.status)).toEqual(fixed.memory.map((m) => m.status));
  });

  it('a crashed target stays INCONCLUSIVE even when a look crossed', () => {
    const cps = quickRun('run:crash', { heap: (r) => 1024 * r });
    const v = judgeRun({ ...META, outcome: { status: 'target-crashed', exitCode: 1, signal: null, stderrTail: [] } }, cps.slice(0, 9), [], options);
    expect(v.status).toBe('INCONCLUSIVE');
  });
});

describe('compareRuns with a before run stopped early', () => {
  const META: VerdictRunMeta = { scenario: 'calibration', seed: 1, nodeVersion: 'v24.21.0' };
  const options = { warmup: WARMUP, served: false as const };

  it('judges the before run with its looks and the after run whole: the fix holds', () => {
    const leaky = quickRun('cmp:kib', { heap: (r) => 1024 * r });
    const stop = judge(leaky).stop!.seq;
    const before = { meta: META, checkpoints: leaky.slice(0, stop + 1) };
    const after = { meta: META, checkpoints: quickRun('cmp:fixed', { heap: (r) => 3 * r }) };
    // Cut to the stopped run's requests, the fixed run keeps too few checkpoints to say anything.
    const cut = compareRuns(before, after, options);
    expect(cut.after.status).toBe('INCONCLUSIVE');
    const c = compareRuns(before, after, { ...options, stoppedEarlyBefore: OPTIONS });
    expect(c.before.status).toBe('LEAK');
    expect(c.alignment.afterCheckpointsDropped).toBe(0);
    expect(c.alignment.whole).toBe(true);
    expect(c.after.sequential).toBeUndefined();
    expect(c.after.status).toBe('NO-LEAK');
    expect(c.outcome).toBe('fix-holds');
  });
});
