// Per-run verdicts on synthetic checkpoint series built in the tests.
import { describe, expect, it } from 'vitest';
import { gaussian, syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { createRng } from '../../shared/prng.ts';
import { formatVerdict, judgeRun, type SignalVerdict, type VerdictRunMeta } from './index.ts';
import { isNativeGrowth } from './run.ts';
import { decideWarmup } from './warmup.ts';

const META: VerdictRunMeta = { scenario: 'steady', seed: 1, nodeVersion: 'v24.21.0', heapSizeLimit: 2 * 2 ** 30 };
const heapOf = (v: ReturnType<typeof judgeRun>): SignalVerdict => v.memory.find((m) => m.signal === 'heapUsed')!;

// 30 checkpoints, 20 000 requests apart, every 20 s → 1 000 req/s over 10 minutes.
describe('memory verdicts', () => {
  it('flat + noise → NO-LEAK with a finite minimal detectable slope', () => {
    const v = judgeRun(META, syntheticCheckpoints({ checkpoints: 30, seed: 'flat' }), []);
    const heap = heapOf(v);
    expect(v.status).toBe('NO-LEAK');
    expect(heap.status).toBe('NO-LEAK');
    expect(heap.lower).toBeLessThanOrEqual(0);
    expect(heap.upper).toBeGreaterThanOrEqual(0);
    // 40 KiB noise over 480 000 requests: the CI half-width is a fraction of a byte, so the
    // run could have seen anything a little above δ = 32 B/request.
    expect(Number.isFinite(heap.minimalDetectableSlope)).toBe(true);
    expect(heap.minimalDetectableSlope!).toBeGreaterThan(32);
    expect(heap.minimalDetectableSlope!).toBeLessThan(40);
    expect(v.warmup.rule).toBe('fraction');
    expect(v.warmup.dropped).toBe(6);
  });

  it('linear 200 B/request + noise → LEAK with a CI covering 200, MiB/h and time to the heap limit', () => {
    const v = judgeRun(META, syntheticCheckpoints({ checkpoints: 30, seed: 'leak', heapUsed: (x) => 200 * x }), []);
    const heap = heapOf(v);
    expect(v.status).toBe('LEAK');
    expect(heap.status).toBe('LEAK');
    expect(heap.lower).toBeLessThanOrEqual(200);
    expect(heap.upper).toBeGreaterThanOrEqual(200);
    expect(heap.trend!.passed).toBe(true);
    expect(heap.secondHalf!.state).toBe('growing');
    // 200 B × 1 000 req/s × 3600 s / 2^20 = 686.6 MiB/h.
    expect(heap.mibPerHour!).toBeCloseTo(686.6, 0);
    // Heap at the last checkpoint ≈ 40 MiB + 200·600 000 B = 154.4 MiB; (2048 − 154.4) MiB at 0.2 MB/s.
    const expectedHours = (2 * 2 ** 30 - (40 * 2 ** 20 + 200 * 600_000)) / (200 * 1000) / 3600;
    expect(heap.projection!.hoursToLimit!).toBeCloseTo(expectedHours, 1);
    expect(heap.projection!.limitSource).toMatch(/heap_size_limit/);
    // rss carries the same growth but the heap explains it: rss is LEAK too, not native growth.
    expect(v.findings.some((f) => f.kind === 'native-allocator-growth')).toBe(false);
  });

  it('growth that levels off (a cache filling once) → not LEAK, reported as levelled off', () => {
    // 300 B/request until 340 000 requests (≈ 100 MB), then flat for the remaining 260 000:
    // the whole-run slope is far above δ, the second half is flat.
    const cp = syntheticCheckpoints({ checkpoints: 30, seed: 'cache', heapUsed: (x) => 300 * Math.min(x, 340_000) });
    const v = judgeRun(META, cp, []);
    const heap = heapOf(v);
    expect(heap.slope).toBeGreaterThan(32);
    expect(heap.status).toBe('NO-LEAK');
    expect(heap.levelledOff).toBe(true);
    expect(heap.secondHalf!.state).toBe('flat');
    expect(v.status).not.toBe('LEAK');
    expect(v.findings.some((f) => f.kind === 'levelled-off' && f.message.startsWith('heapUsed'))).toBe(true);
  });

  it('warm-up growth then flat → not LEAK (phase-marked and fraction rules)', () => {
    // Growth for the first 200 000 requests (10 checkpoints), marked as the warm-up phase.
    const grow = (x: number): number => 500 * Math.min(x, 200_000);
    const marked = syntheticCheckpoints({ checkpoints: 30, seed: 'warm', heapUsed: grow, phase: (i) => (i < 10 ? 'warmup' : 'load') });
    const vm = judgeRun(META, marked, []);
    expect(vm.warmup.rule).toBe('phase');
    expect(vm.warmup.dropped).toBe(10);
    expect(heapOf(vm).status).toBe('NO-LEAK');
    expect(vm.status).toBe('NO-LEAK');
    const unmarked = syntheticCheckpoints({ checkpoints: 30, seed: 'warm', heapUsed: grow });
    const vu = judgeRun(META, unmarked, []);
    expect(vu.warmup.rule).toBe('fraction');
    expect(heapOf(vu).status).toBe('NO-LEAK');
  });

  it('a significant but tiny drift (0.1 KiB/s at 1 000 req/s ≈ 0.1 B/request) → NO-LEAK because of δ', () => {
    // 60 checkpoints 10 s apart (10 minutes); noise 5 KiB so the 60 KB drift is significant.
    const cp = syntheticCheckpoints({
      checkpoints: 60,
      requestsPerCheckpoint: 10_000,
      intervalMs: 10_000,
      seed: 'drift',
      heapUsed: (x) => 0.1 * x,
      noise: { heapUsed: 5 * 1024 },
    });
    const heap = heapOf(judgeRun(META, cp, []));
    expect(heap.trend!.passed).toBe(true); // significance alone would have said LEAK
    expect(heap.lower).toBeGreaterThan(0);
    expect(heap.status).toBe('NO-LEAK');
    expect(heap.levelledOff).toBe(false); // decided by the floor, not by the second half
    expect(heap.reasons[0]).toMatch(/could have seen ≥ 32\.\d B\/request/);
    expect(heap.slope).toBeCloseTo(0.1, 1);
  });

  it('rss growing while heap, external and arrayBuffers are flat → native/allocator growth, not LEAK', () => {
    const v = judgeRun(META, syntheticCheckpoints({ checkpoints: 30, seed: 'native', rss: (x) => 1000 * x }), []);
    const rss = v.memory.find((m) => m.signal === 'rss')!;
    expect(rss.status).toBe('NATIVE-GROWTH');
    expect(v.status).toBe('NO-LEAK');
    expect(v.findings.map((f) => f.kind)).toContain('native-allocator-growth');
  });

  it('rss growth shown but "still growing?" undecided, JS side flat → native growth too; not when the interval reaches δ or the heap leaks', () => {
    const verdict = (signal: SignalVerdict['signal'], status: SignalVerdict['status'], lower: number | null, floor: number) =>
      ({ signal, status, reasons: [], n: 12, unit: 'B/request', floor, slope: null, lower, upper: null, ciMethod: null, trend: null, secondHalf: null, minimalDetectableSlope: null, xPerSecond: null, mibPerHour: null, projection: null, levelledOff: false }) as SignalVerdict;
    const flatJs = (['heapUsed', 'external', 'arrayBuffers'] as const).map((s) => verdict(s, 'NO-LEAK', -1, 32));
    expect(isNativeGrowth(verdict('rss', 'INCONCLUSIVE', 2860, 512), flatJs)).toBe(true);
    expect(isNativeGrowth(verdict('rss', 'LEAK', 600, 512), flatJs)).toBe(true);
    // The interval reaches below δ: growth not shown.
    expect(isNativeGrowth(verdict('rss', 'INCONCLUSIVE', 300, 512), flatJs)).toBe(false);
    // The heap is not flat: rss may just follow it.
    expect(isNativeGrowth(verdict('rss', 'LEAK', 600, 512), [verdict('heapUsed', 'INCONCLUSIVE', 10, 32), ...flatJs.slice(1)])).toBe(false);
    // No probe: nothing says the JS side is flat.
    expect(isNativeGrowth(verdict('rss', 'LEAK', 600, 512), flatJs.map((v) => ({ ...v, status: 'NOT-MEASURED' as const })))).toBe(false);
  });

  it('too few checkpoints, a crashed target and a noisy run are INCONCLUSIVE, saying why', () => {
    const few = judgeRun(META, syntheticCheckpoints({ checkpoints: 9 }), []);
    expect(few.status).toBe('INCONCLUSIVE');
    expect(heapOf(few).reasons[0]).toMatch(/too few checkpoints after warm-up: 7 < 8/);

    const crashed = judgeRun(
      { ...META, outcome: { status: 'target-crashed', exitCode: null, signal: 'SIGKILL', stderrTail: [] } },
      syntheticCheckpoints({ checkpoints: 30, heapUsed: (x) => 200 * x }),
      [],
    );
    expect(crashed.status).toBe('INCONCLUSIVE');
    expect(crashed.reasons[0]).toMatch(/crashed \(signal SIGKILL\)/);
    expect(heapOf(crashed).slope).toBeGreaterThan(150); // figures kept for diagnosis

    // 12 judged checkpoints over 220 000 requests with 32 MiB noise: SE ≈ 33.5 MB / 220 000 ≈ 150 B/request.
    const noisy = judgeRun(META, syntheticCheckpoints({ checkpoints: 15, noise: { heapUsed: 32 * 2 ** 20 } }), []);
    expect(heapOf(noisy).status).toBe('INCONCLUSIVE');
    expect(heapOf(noisy).reasons[0]).toMatch(/too noisy/);
  });

  it('a strong leak over a judged window under 60 s is INCONCLUSIVE: warm-up looks the same', () => {
    // 13 checkpoints 1.5 s apart (the shape of a 20-second run): 10 judged over 13.5 s.
    const cp = syntheticCheckpoints({ checkpoints: 13, intervalMs: 1500, requestsPerCheckpoint: 1000, heapUsed: (x) => 300 * x, tcp: (i) => ({ CLOSE_WAIT: i }) });
    const v = judgeRun(META, cp, []);
    expect(v.status).toBe('INCONCLUSIVE');
    expect(heapOf(v).reasons[0]).toMatch(/judged window 14 s < 60 s/);
    expect(v.handles.types.find((t) => t.type === 'tcp:CLOSE_WAIT')!.status).toBe('INCONCLUSIVE');
    expect(heapOf(judgeRun(META, cp, [], { minJudgedSeconds: 10, minJudgedRequests: 1000 })).status).toBe('LEAK');
  });

  it('a strong leak over fewer than 50 000 judged requests is INCONCLUSIVE: capped caches fill linearly', () => {
    // 24 judged checkpoints over 8 minutes but only 1 500 requests apart (35 000 requests judged).
    const cp = syntheticCheckpoints({ checkpoints: 30, requestsPerCheckpoint: 1500, heapUsed: (x) => 300 * x });
    const heap = heapOf(judgeRun(META, cp, []));
    expect(heap.status).toBe('INCONCLUSIVE');
    expect(heap.reasons[0]).toMatch(/holds 34500 requests < 50000: bounded caches may still be filling/);
    expect(heapOf(judgeRun(META, cp, [], { minJudgedRequests: 30_000 })).status).toBe('LEAK');
  });

  it('no checkpoints → INCONCLUSIVE; a probe-less target is judged on rss alone', () => {
    const empty = judgeRun(META, [], []);
    expect(empty.status).toBe('INCONCLUSIVE');
    expect(empty.reasons[0]).toMatch(/no checkpoints after warm-up/);
    const procOnly = syntheticCheckpoints({ checkpoints: 30, seed: 'proc', rss: (x) => 1000 * x }).map((c) => ({ ...c, procOnly: true }));
    const v = judgeRun(META, procOnly, []);
    expect(v.memory.filter((m) => m.status === 'NOT-MEASURED').map((m) => m.signal)).toEqual(['heapUsed', 'external', 'arrayBuffers']);
    expect(v.memory.find((m) => m.signal === 'rss')!.status).toBe('LEAK');
    expect(v.status).toBe('LEAK');
  });

  it('uses the envelope of Sen and block bootstrap below 10 checkpoints and Sen’s interval from 10', () => {
    const short = judgeRun(META, syntheticCheckpoints({ checkpoints: 12, heapUsed: (x) => 200 * x }), []);
    expect(heapOf(short).n).toBe(9);
    expect(heapOf(short).ciMethod).toBe('sen+block-bootstrap');
    expect(heapOf(short).status).toBe('LEAK');
    const long = judgeRun(META, syntheticCheckpoints({ checkpoints: 13, heapUsed: (x) => 200 * x }), []);
    expect(heapOf(long).ciMethod).toBe('sen');
  });

  it('judges per triggering event when the axis is an event count', () => {
    // One 'rate_limited' event per 50 requests, each retaining 4 KiB.
    const cp = syntheticCheckpoints({
      checkpoints: 30,
      heapUsed: (x) => 4096 * Math.floor(x / 50),
      events: (_i, x) => ({ rate_limited: Math.floor(x / 50) }),
    });
    const heap = heapOf(judgeRun(META, cp, [], { axis: { kind: 'event', event: 'rate_limited' } }));
    expect(heap.unit).toBe("B/event 'rate_limited'");
    expect(heap.status).toBe('LEAK');
    expect(heap.slope).toBeGreaterThan(4000);
    expect(heap.slope).toBeLessThan(4200);
  });

  it('on an event axis the per-request floor becomes a per-event floor at the run\'s own event rate', () => {
    // 4 events per request: δ 32 B/request is 8 B/event. A leak of 20 B/event (80 B/request) is a leak.
    const dense = syntheticCheckpoints({ checkpoints: 30, seed: 'dense', heapUsed: (x) => 20 * 4 * x, events: (_i, x) => ({ sync: 4 * x }) });
    const heap = heapOf(judgeRun(META, dense, [], { axis: { kind: 'event', event: 'sync' } }));
    expect(heap.floor).toBe(8);
    expect(heap.status).toBe('LEAK');
    // One event per 4 requests: δ is 128 B/event, and 100 B/event (25 B/request) is under it.
    const sparse = syntheticCheckpoints({ checkpoints: 30, seed: 'sparse', heapUsed: (x) => (100 * x) / 4, events: (_i, x) => ({ sync: x / 4 }) });
    const h2 = heapOf(judgeRun(META, sparse, [], { axis: { kind: 'event', event: 'sync' }, floors: { heapUsed: 32 } }));
    expect(h2.floor).toBe(128);
    expect(h2.status).toBe('NO-LEAK');
  });

  it('on an event axis, checkpoints where the event did not advance (a cool-down without it) are not judged', () => {
    // 20 checkpoints of events, then 6 where the event stops and the heap only wobbles.
    const cp = syntheticCheckpoints({
      checkpoints: 26,
      seed: 'cool-down',
      // 3 000 B per key (one key per 20 requests: δ is 640 B/key), then a ±2 MB wobble.
      heapUsed: (_x, i) => 3000 * Math.min(i, 19) * 1000 + (i >= 20 ? (i % 2) * 4_000_000 : 0),
      events: (i) => ({ key: Math.min(i, 19) * 1000 }),
    });
    const judged = judgeRun(META, cp, [], { axis: { kind: 'event', event: 'key' } });
    const heap = heapOf(judged);
    // 26 checkpoints, warm-up drops 6 (20 %, rounded up); of the 20 left, the 14 up to the last advance.
    expect(judged.warmup.dropped).toBe(6);
    expect(heap.n).toBe(14);
    expect(heap.status).toBe('LEAK');
  });

  it('floors are configurable per scenario', () => {
    const cp = syntheticCheckpoints({ checkpoints: 30, seed: 'floor', heapUsed: (x) => 50 * x });
    expect(heapOf(judgeRun(META, cp, [])).status).toBe('LEAK');
    const raised = heapOf(judgeRun(META, cp, [], { floors: { heapUsed: 100 } }));
    expect(raised.status).toBe('NO-LEAK');
    expect(raised.levelledOff).toBe(false);
    expect(() => judgeRun(META, cp, [], { floors: { heapUsed: -1 } })).toThrow(/floors\.heapUsed/);
    expect(() => judgeRun(META, cp, [], { floors: { heapUsed: -1 } })).toThrow(expect.objectContaining({ code: 'SOAK_ERR_VERDICT_INPUT' }));
  });
});

describe('error rates on repeated synthetic runs (seeded)', () => {
  // 10-minute runs, 30 checkpoints, 40 KiB heap noise. These are the calibration
  // targets of issue #6 in miniature: no false LEAK on controls, detection at 64 B/request.
  it('no LEAK in 40 flat runs with iid noise, nor in 40 with AR(1) φ = 0.8 noise', () => {
    for (let s = 0; s < 40; s++) {
      expect(judgeRun(META, syntheticCheckpoints({ checkpoints: 30, seed: `control-${s}` }), []).status).toBe('NO-LEAK');
      const ar = createRng(`ar-${s}`);
      let e = 0;
      const noise = Array.from({ length: 30 }, () => (e = 0.8 * e + 0.6 * gaussian(ar)) * 200 * 1024);
      const v = judgeRun(META, syntheticCheckpoints({ checkpoints: 30, seed: `arc-${s}`, heapUsed: (_x, i) => noise[i]! }), []);
      expect(v.status).not.toBe('LEAK');
    }
  });

  it('LEAK in 40 of 40 runs retaining 64 B/request', () => {
    for (let s = 0; s < 40; s++) {
      expect(judgeRun(META, syntheticCheckpoints({ checkpoints: 30, seed: `leak64-${s}`, heapUsed: (x) => 64 * x }), []).status).toBe('LEAK');
    }
  });
});

describe('handle verdicts', () => {
  it('+1 handle per checkpoint persisting → LEAK on that type only', () => {
    const cp = syntheticCheckpoints({
      checkpoints: 20,
      resourcesAfterGc: (i) => ({ TCPSocketWrap: 4 + i, Timeout: 2 }),
      tcp: (i) => ({ ESTABLISHED: 4, CLOSE_WAIT: i }),
    });
    const v = judgeRun(META, cp, []);
    expect(v.status).toBe('LEAK');
    const byType = new Map(v.handles.types.map((t) => [t.type, t]));
    expect(byType.get('TCPSocketWrap')!.status).toBe('LEAK');
    expect(byType.get('TCPSocketWrap')!.delta).toBe(15); // first post-warm-up is checkpoint 4
    expect(byType.get('tcp:CLOSE_WAIT')!.status).toBe('LEAK');
    expect(byType.get('Timeout')!.status).toBe('NO-LEAK');
    expect(byType.get('fds')!.status).toBe('NO-LEAK');
  });

  it('handles that come back, or stay within an allowance, are not a leak', () => {
    const breathing = syntheticCheckpoints({ checkpoints: 20, resourcesAfterGc: (i) => ({ TCPSocketWrap: 4 + (i % 3) }) });
    expect(judgeRun(META, breathing, []).handles.status).toBe('NO-LEAK');
    // A pool still opening sockets at the end reads as a leak unless the scenario allows for it.
    const pool = syntheticCheckpoints({ checkpoints: 20, tcp: (i) => ({ ESTABLISHED: Math.min(4 + i, 40) }) });
    expect(judgeRun(META, pool, []).handles.status).toBe('LEAK');
    expect(judgeRun(META, pool, [], { handles: { allowance: { 'tcp:ESTABLISHED': 20 } } }).handles.status).toBe('NO-LEAK');
    // A pool that opened two more sockets once after warm-up and held them: not a leak, a finding.
    const grewOnce = syntheticCheckpoints({ checkpoints: 20, tcp: (i) => ({ ESTABLISHED: i < 7 ? 4 : 6 }) });
    const v = judgeRun(META, grewOnce, []);
    expect(v.handles.status).toBe('NO-LEAK');
    expect(v.handles.types.find((t) => t.type === 'tcp:ESTABLISHED')).toMatchObject({ delta: 2, held: true });
    expect(v.findings.some((f) => f.kind === 'handles-held')).toBe(true);
  });

  it('a pool that breathes with the phases is not a leak; a leak that outgrows the swing is', () => {
    // The fixed Go relay's upstream pool in error-storm (CI, issue #20): storms close connections,
    // calm phases refill the pool to its cap of 32. Baseline fell in a storm (17), the end in the
    // cool-down (30, 30) after the pool had held 32 in the first half.
    const judged = [17, 20, 32, 32, 23, 13, 23, 19, 30, 30];
    const goPool = (extra: (j: number) => number) =>
      syntheticCheckpoints({ checkpoints: 13, tcp: (i) => ({ ESTABLISHED: i < 3 ? 24 : judged[i - 3]! + extra(i - 3) }) });
    const fixed = judgeRun(META, goPool(() => 0), []).handles.types.find((t) => t.type === 'tcp:ESTABLISHED')!;
    expect(fixed.tail).toEqual([2, 13, 13]);
    expect(fixed).toMatchObject({ status: 'NO-LEAK', held: true, delta: 13 });
    expect(fixed.reason).toMatch(/no higher than Δ 15 in the first half/);
    // The same swing with 3 sockets kept per checkpoint on top: new highs at the end → LEAK.
    const leaking = judgeRun(META, goPool((j) => 3 * j), []).handles.types.find((t) => t.type === 'tcp:ESTABLISHED')!;
    expect(leaking.status).toBe('LEAK');
    expect(leaking.reason).toMatch(/above the first half's highest Δ/);
  });

  it('a leak whose count eases by one at the end is still a leak; a real give-back is not', () => {
    // The leaky error-body relay's fds (issue #16 nightly run): growing in the storms, flat in the
    // cool-down, where one unrelated fd closed: 3 601, 3 600, 3 600.
    const fds = [23, 23, 161, 477, 803, 1113, 1431, 1578, 1578, 1688, 2107, 2517, 2922, 3349, 3601, 3600, 3600];
    const judge = (series: number[]) => judgeRun(META, syntheticCheckpoints({ checkpoints: series.length, fds: (i) => series[i]! }), []).handles.types.find((t) => t.type === 'fds')!;
    expect(judge(fds)).toMatchObject({ status: 'LEAK', tail: expect.any(Array) });
    // Giving back 400 of ~3 400 is not noise: not a leak by the persistence rule.
    expect(judge([...fds.slice(0, -1), 3200]).status).toBe('NO-LEAK');
  });

  it('a growing socket type names the peer it is held with (checkpoint.peers)', () => {
    const upstream = '127.0.0.1:41234 (fake upstream)';
    const cps = syntheticCheckpoints({ checkpoints: 20, tcp: (i) => ({ ESTABLISHED: 10 + 30 * i }) }).map((c, i) => ({
      ...c,
      peers: [
        { peer: upstream, sockets: 4 + 30 * i, states: { ESTABLISHED: 4 + 30 * i }, unreadSockets: 2 * i, unreadBytes: 4096 * i },
        { peer: 'clients of :8080', sockets: 6, states: { ESTABLISHED: 6 }, unreadSockets: 0, unreadBytes: 0 },
      ],
    }));
    const t = judgeRun(META, cps, []).handles.types.find((x) => x.type === 'tcp:ESTABLISHED')!;
    expect(t.status).toBe('LEAK');
    // Judged from the first post-warm-up checkpoint (index 4) to the last (19).
    expect(t.heldBy).toEqual({ peer: upstream, from: 124, to: 574, unreadSockets: 38, unreadBytes: 4096 * 19 });
    expect(t.reason).toMatch(/; held with 127\.0\.0\.1:41234 \(fake upstream\): 124 → 574; 38 with unread data \(76\.0 KiB\)$/);
    // Runs without peers (older ones) are judged as before, without the attribution.
    const plain = judgeRun(META, syntheticCheckpoints({ checkpoints: 20, tcp: (i) => ({ ESTABLISHED: 10 + 30 * i }) }), []).handles.types.find((x) => x.type === 'tcp:ESTABLISHED')!;
    expect(plain.status).toBe('LEAK');
    expect(plain.heldBy).toBeUndefined();
  });

  it('reports handles released only by the forced GC as a finding', () => {
    const cp = syntheticCheckpoints({
      checkpoints: 20,
      resourcesBeforeGc: () => ({ TCPSocketWrap: 9, Timeout: 2 }),
      resourcesAfterGc: () => ({ TCPSocketWrap: 4, Timeout: 2 }),
    });
    const v = judgeRun(META, cp, []);
    expect(v.handles.releasedOnlyByGc).toEqual([{ type: 'TCPSocketWrap', checkpoints: 16, of: 16, medianReleased: 5 }]);
    expect(v.findings.some((f) => f.kind === 'released-only-by-gc')).toBe(true);
    expect(v.status).toBe('NO-LEAK');
  });
});

describe('warm-up rule', () => {
  it('drops max(2, 20 %) without phases and honours an explicit count', () => {
    expect(decideWarmup(syntheticCheckpoints({ checkpoints: 5 })).dropped).toBe(2);
    expect(decideWarmup(syntheticCheckpoints({ checkpoints: 50 })).dropped).toBe(10);
    expect(decideWarmup(syntheticCheckpoints({ checkpoints: 50 }), { dropFirst: 3 })).toMatchObject({ rule: 'explicit', dropped: 3 });
    // A short marked warm-up does not shrink the fraction rule's drop; a long one extends it.
    const shortWarm = syntheticCheckpoints({ checkpoints: 50, phase: (i) => (i < 4 ? 'warm-up' : 'load') });
    expect(decideWarmup(shortWarm)).toMatchObject({ rule: 'fraction', dropped: 10 });
    const longWarm = syntheticCheckpoints({ checkpoints: 50, phase: (i) => (i < 15 ? 'warm-up' : 'load') });
    expect(decideWarmup(longWarm)).toMatchObject({ rule: 'phase', dropped: 15 });
    expect(() => decideWarmup([], { dropFirst: -1 })).toThrow(/warmup\.dropFirst/);
  });
});

describe('serialisation', () => {
  it('a verdict survives a JSON round trip unchanged (no NaN, no typed arrays)', () => {
    const short = judgeRun(META, syntheticCheckpoints({ checkpoints: 9 }), []);
    const full = judgeRun(META, syntheticCheckpoints({ checkpoints: 30, heapUsed: (x) => 200 * x }), []);
    for (const v of [short, full]) expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });
});

describe('formatVerdict', () => {
  it('prints the status first, one line per signal, and the findings', () => {
    const v = judgeRun(META, syntheticCheckpoints({ checkpoints: 30, seed: 'leak', heapUsed: (x) => 200 * x }), []);
    const text = formatVerdict(v);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^LEAK {2}steady seed 1: leaking: heapUsed/);
    expect(text).toMatch(/heapUsed +LEAK +\d+\.\d B\/request \[\d+\.\d, \d+\.\d\] δ 32 +686\.\d+ MiB\/h +limit in \d+\.\d h/);
    expect(text).toMatch(/warm-up: dropped the first 6 checkpoint/);
  });
});

describe('served load', () => {
  const sample = (i: number, s2: number, s4: number) =>
    ({ kind: 'sample', t: i * 2000, phase: 'steady', proc: null, probe: null, relay: null, faults: null, requestsCompleted: i * 1000,
      load: { requests: s2 + s4, reqPerSec: 500, latencyMs: { p50: 1, p99: 2, max: 3 }, status: { '2xx': s2, '3xx': 0, '4xx': s4, '5xx': 0 }, errors: 0, timeouts: 0, mismatches: 0 } }) as const;
  const flat = syntheticCheckpoints({ checkpoints: 12 });

  it('a run whose target answered 4xx to everything is INCONCLUSIVE, not NO-LEAK, and says why first', () => {
    const v = judgeRun(META, flat, Array.from({ length: 40 }, (_, i) => sample(i, 0, 1000)));
    expect(v.status).toBe('INCONCLUSIVE');
    expect(v.reasons[0]).toMatch(/^target did not serve the load: over the run: the target answered 0 % of/);
    expect(v.served?.status).toBe('not-served');
    expect(v.findings.map((f) => f.kind)).toContain('load-not-served');
    expect(formatVerdict(v)).toMatch(/served: NOT SERVED/);
    // The same records with the load answered: judged as usual.
    const ok = judgeRun(META, flat, Array.from({ length: 40 }, (_, i) => sample(i, 1000, 0)));
    expect(ok.status).toBe('NO-LEAK');
    expect(ok.served?.status).toBe('served');
    expect(formatVerdict(ok)).toMatch(/served: 100 % of 40000 non-fault requests answered correctly/);
    expect(judgeRun(META, flat, Array.from({ length: 40 }, (_, i) => sample(i, 0, 1000)), { served: false }).status).toBe('NO-LEAK');
  });
});
