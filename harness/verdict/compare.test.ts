// compareRuns on synthetic leaky / fixed runs.
import { describe, expect, it } from 'vitest';
import { syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { compareRuns, formatComparison, VerdictError, type RunRecords, type VerdictRunMeta } from './index.ts';

const META: VerdictRunMeta = {
  scenario: 'rate-limit-storm',
  seed: 42,
  nodeVersion: 'v24.21.0',
  nodeFlags: ['--expose-gc', '--max-old-space-size=512'],
  faultPlan: { rules: [{ kind: 'rate_limit', every: 50 }, { kind: 'truncate', rate: 0.01 }] },
  heapSizeLimit: 512 * 2 ** 20,
};

// Leaky relay: 150 B/request retained plus one CLOSE_WAIT socket per checkpoint.
const leaky: RunRecords = {
  meta: { ...META, target: 'leaky' },
  checkpoints: syntheticCheckpoints({
    checkpoints: 30,
    seed: 'leaky',
    heapUsed: (x) => 150 * x,
    tcp: (i) => ({ ESTABLISHED: 4, CLOSE_WAIT: i }),
  }),
};
// Fixed relay: flat, and it ran a little longer (alignment must cut it).
const fixed: RunRecords = {
  meta: { ...META, target: 'fixed' },
  checkpoints: syntheticCheckpoints({ checkpoints: 34, seed: 'fixed' }),
};

describe('compareRuns', () => {
  it('leaky before, fixed after → fix holds, with a slope difference that excludes 0', () => {
    const c = compareRuns(leaky, fixed);
    expect(c.outcome).toBe('fix-holds');
    expect(c.before.status).toBe('LEAK');
    expect(c.after.status).toBe('NO-LEAK');
    expect(c.alignment).toEqual({ requests: 600_000, beforeCheckpointsDropped: 0, afterCheckpointsDropped: 4 });
    const heap = c.signals.find((s) => s.signal === 'heapUsed')!;
    expect(heap.outcome).toBe('fixed');
    // after − before ≈ −150 B/request; the interval must contain it and exclude 0.
    expect(heap.difference!.lower).toBeLessThan(-150);
    expect(heap.difference!.upper).toBeGreaterThan(-150);
    expect(heap.difference!.upper).toBeLessThan(0);
    expect(heap.after.upper).toBeLessThan(32);
    const closeWait = c.handles.find((h) => h.type === 'tcp:CLOSE_WAIT')!;
    expect(closeWait.before.status).toBe('LEAK');
    expect(closeWait.after.delta).toBe(0);
    expect(c.warnings).toEqual([]);
  });

  it('fixed before, leaky after → regression', () => {
    const c = compareRuns(fixed, leaky);
    expect(c.outcome).toBe('regression');
    expect(c.reasons.join('\n')).toMatch(/heapUsed: after leaks/);
    expect(c.reasons.join('\n')).toMatch(/handles tcp:CLOSE_WAIT/);
  });

  it('leaky vs leaky → not fixed; clean vs clean → inconclusive with the detectable slope', () => {
    const again: RunRecords = { meta: META, checkpoints: syntheticCheckpoints({ checkpoints: 30, seed: 'leaky-2', heapUsed: (x) => 150 * x }) };
    expect(compareRuns(leaky, again).outcome).toBe('not-fixed');
    const clean = compareRuns(fixed, { meta: META, checkpoints: syntheticCheckpoints({ checkpoints: 30, seed: 'clean-2' }) });
    expect(clean.outcome).toBe('inconclusive');
    expect(clean.reasons.join('\n')).toMatch(/before run is NO-LEAK/);
    expect(clean.reasons.join('\n')).toMatch(/could see heap leaks ≥ 3\d\.\d B\/request/);
  });

  it('an INCONCLUSIVE before next to a LEAK after is not a regression without a worse slope', () => {
    // Before: too short to judge (judged window under 60 s); after: a leak of the same size.
    const short: RunRecords = { meta: META, checkpoints: syntheticCheckpoints({ checkpoints: 30, intervalMs: 2000, seed: 's', heapUsed: (x) => 150 * x }) };
    const heapOnly: RunRecords = { meta: META, checkpoints: syntheticCheckpoints({ checkpoints: 30, seed: 'h', heapUsed: (x) => 150 * x }) };
    const c = compareRuns(short, heapOnly, { minJudgedSeconds: 60 });
    expect(c.before.status).toBe('INCONCLUSIVE');
    expect(c.after.status).toBe('LEAK');
    expect(c.signals.find((s) => s.signal === 'heapUsed')!.outcome).toBe('inconclusive');
    expect(c.outcome).toBe('inconclusive');
  });

  it('compares the target\'s vitals: goroutines LEAK → NO-LEAK is part of the fix; NO-LEAK → LEAK is a regression', () => {
    // A Go target: /proc rss flat, its goroutines growing 30 per 1 000 requests in the leaky build.
    const goRun = (target: string, perK: number, seed: string): RunRecords => ({
      meta: { ...META, target },
      checkpoints: syntheticCheckpoints({ checkpoints: 30, seed }).map((c) => ({ ...c, relay: { go_goroutines: 20 + Math.round((perK * c.requestsCompleted) / 1000) } })),
    });
    const c = compareRuns(goRun('go-leaky', 30, 'g1'), goRun('go-fixed', 0, 'g2'));
    expect(c.before.status).toBe('LEAK');
    expect(c.outcome).toBe('fix-holds');
    expect(c.vitals).toEqual([expect.objectContaining({ key: 'go_goroutines', outcome: 'fixed', before: expect.objectContaining({ status: 'LEAK' }), after: expect.objectContaining({ status: 'NO-LEAK' }) })]);
    expect(c.reasons.join('\n')).toMatch(/go_goroutines: LEAK \+30\.0\/1k requests → NO-LEAK \+?-?0\.0\/1k requests \(fixed\)/);
    expect(formatComparison(c)).toMatch(/^vital go_goroutines: LEAK .* \(fixed\)$/m);
    const r = compareRuns(goRun('go-fixed', 0, 'g2'), goRun('go-leaky', 30, 'g1'));
    expect(r.outcome).toBe('regression');
    expect(r.vitals[0]!.outcome).toBe('regressed');
    expect(r.reasons[0]).toMatch(/^go_goroutines: NO-LEAK .* → LEAK .* \(regressed\)/);
  });

  it('refuses runs that differ, listing every difference', () => {
    const other: RunRecords = {
      meta: {
        ...META,
        seed: 43,
        nodeFlags: ['--max-old-space-size=512', '--expose-gc'], // same set, other order: not a difference
        faultPlan: { rules: [{ kind: 'rate_limit', every: 50 }, { kind: 'truncate', rate: 0.02 }] },
      },
      checkpoints: fixed.checkpoints,
    };
    let caught: unknown;
    try {
      compareRuns(leaky, other);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VerdictError);
    const e = caught as VerdictError;
    expect(e.code).toBe('SOAK_ERR_RUN_MISMATCH');
    expect(e.differences).toEqual([
      { field: 'seed', before: '42', after: '43' },
      { field: 'faultPlan.rules[1].rate', before: '0.01', after: '0.02' },
    ]);
    expect(e.message).toMatch(/seed: 42 vs 43/);
    expect(e.message).toMatch(/faultPlan\.rules\[1\]\.rate: 0\.01 vs 0\.02/);
  });

  it('with force, compares anyway and carries the differences as warnings', () => {
    const other: RunRecords = { meta: { ...META, seed: 43, nodeVersion: 'v24.22.0' }, checkpoints: fixed.checkpoints };
    const c = compareRuns(leaky, other, { force: true });
    expect(c.outcome).toBe('fix-holds');
    expect(c.warnings).toEqual(['forced comparison despite seed: 42 vs 43', 'forced comparison despite nodeVersion: "v24.21.0" vs "v24.22.0"']);
    expect(formatComparison(c)).toMatch(/^FIX HOLDS: .*\n(.*\n)*WARNING: forced comparison despite seed: 42 vs 43/);
  });

  it('is reproducible: the same inputs and seed give the same intervals', () => {
    const a = compareRuns(leaky, fixed, { replicates: 500 });
    const b = compareRuns(leaky, fixed, { replicates: 500 });
    expect(a.signals.map((s) => s.difference)).toEqual(b.signals.map((s) => s.difference));
  });
});
