// The no-admission proof (seed 002) on synthetic run pairs: a level under
// load on fds (verdict/level.ts) AND the scenario's level threshold
// (verdict/level-threshold.ts, stall-burst: ESTABLISHED ≤ 2 000) breached by
// the leaky run, held by the fixed one. The real judging code reads them
// (judge/run.ts derives the thresholds from run.json's resolved scenario).

import { describe, expect, it } from 'vitest';
import type { ContinuousSample } from '../../harness/records.ts';
import type { RunData, RunMeta } from '../../harness/index.ts';
import { compareRuns, judgeProof, proofPlanFor } from '../../harness/index.ts';
import { judgeFixedRun, levelComparisonFor } from '../../harness/judge/index.ts';
import { judgeOptionsFor } from '../../harness/judge/run.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { syntheticCheckpoints } from '../fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../fixtures/verdict/synthetic-meta.ts';
import { getScenario } from '../../scenarios/index.ts';
import { DEFAULTS as RELAY_DEFAULTS } from '../../relay/options.ts';

const ACCOUNTS = 1000;
const PHASES = [
  { name: 'warm-up', kind: 'warm-up' },
  { name: 'burst', kind: 'spike' },
  { name: 'cool-down', kind: 'cool-down' },
];
const LEVELS = [{ signal: 'handles:tcp:ESTABLISHED', max: 2000 }];

function meta(leaks: string[], levels = LEVELS): RunMeta {
  return syntheticMeta({
    runId: `synthetic-${leaks.join('-') || 'fixed'}`,
    scenario: 'stall-burst',
    resolved: { phases: PHASES, thresholds: { heapUsed: 64, levels } },
    seed: 42,
    accounts: ACCOUNTS,
    leaks,
    faultPlans: {},
  });
}

/** 20 samples in the burst phase holding `held(i)` client sockets (+ 128 upstream ones). */
function samples(held: (i: number) => number): ContinuousSample[] {
  return Array.from({ length: 24 }, (_, i) => {
    const phase = i < 2 ? 'warm-up' : i < 22 ? 'burst' : 'cool-down';
    const n = phase === 'burst' ? held(i) + 128 : 20;
    return {
      kind: 'sample',
      t: i * 2000,
      phase,
      proc: { rss: 1, fds: 30 + n, threads: 7, tcp: { ESTABLISHED: n, LISTEN: 1 }, cpu: { user: 0, system: 0 } },
      probe: null,
      relay: null,
      load: null,
      faults: null,
      requestsCompleted: i * 10_000,
    };
  });
}

function run(leaky: boolean, held: (i: number) => number, levels = LEVELS): RunData {
  const checkpoints = syntheticCheckpoints({ checkpoints: 16, seed: `no-admission-${leaky}`, phase: (i) => (i < 2 ? 'warm-up' : 'burst') });
  return { dir: `/synthetic/no-admission-${leaky ? 'leaky' : 'fixed'}`, meta: meta(leaky ? ['no-admission'] : [], levels), samples: samples(held), checkpoints, events: [], summary: null, skippedLines: 0, skipped: [] };
}

function proof(leakyHeld: (i: number) => number, fixedHeld: (i: number) => number, levels = LEVELS) {
  const plan = proofPlanFor(LEAK_CATALOG.find((e) => e.name === 'no-admission')!, ACCOUNTS);
  const leaky = run(true, leakyHeld, levels);
  const fixed = run(false, fixedHeld, levels);
  const { comparison } = compareRuns(leaky, fixed);
  const fixedVerdict = judgeFixedRun(leaky, fixed);
  return { ...judgeProof(plan, comparison, levelComparisonFor(plan, leaky, fixed), fixedVerdict), comparison, fixedVerdict };
}

const ramp = (top: number) => (i: number) => Math.min(top, (i % 4) * (top / 3));

describe('judgeProof: no-admission (a level under load and the scenario level threshold)', () => {
  it('the plan compares fds under load; the run options carry the scenario thresholds', () => {
    const plan = proofPlanFor(LEAK_CATALOG.find((e) => e.name === 'no-admission')!, ACCOUNTS);
    expect(plan.kind).toBe('level');
    expect(plan.level).toEqual({ where: 'under-load', signal: 'handles:fds' });
    expect(judgeOptionsFor({ meta: meta([]) }).levels).toEqual(LEVELS);
  });

  it('holds when the leaky relay holds ≈ 2 700 requests in the burst and the fixed one ≤ 1 024', () => {
    const r = proof(ramp(2700), ramp(1024));
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
    expect(r.comparison.before.status).toBe('LEAK');
    expect(r.comparison.before.reasons[0]).toMatch(/^leaking: .*handles:tcp:ESTABLISHED reached 2 828 > 2 000 at /);
    expect(r.fixedVerdict.levels?.status).toBe('NO-LEAK');
  });

  it('fails when the fixed relay still goes past the level: the alarm would fire on the fix', () => {
    const r = proof(ramp(6000), ramp(2100));
    expect(r.status).toBe('failed');
    expect(r.failures.join('\n')).toMatch(/the fixed run is not clean: .*level handles:tcp:ESTABLISHED reached 2 228 > 2 000/);
  });

  it('fails when the leaky run stays under the level, even though it holds more than the fixed one', () => {
    const r = proof(ramp(1800), ramp(300));
    expect(r.status).toBe('failed');
    expect(r.failures.join('\n')).toMatch(/the leaky run breaches none of the scenario's level thresholds: handles:tcp:ESTABLISHED peaked at 1 928 ≤ 2 000/);
  });

  it('without level thresholds in the scenario, the level comparison alone decides', () => {
    const r = proof(ramp(1800), ramp(300), []);
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
    expect(r.fixedVerdict.levels).toBeUndefined();
  });

  it("stall-burst's alarm reads the requests the relay handles, between what the fix admits and what the burst holds without it", () => {
    const s = getScenario('stall-burst');
    const levels = s.thresholds.levels ?? [];
    expect(levels.map((l) => l.signal)).toEqual(['relay_inflight_requests']);
    // The fixed relay never handles more than --max-inflight + --admission-queue (1 024) …
    expect(levels[0]!.max).toBeGreaterThan(RELAY_DEFAULTS.maxInflight + RELAY_DEFAULTS.admissionQueue);
    // … and a relay without admission holds a burst's arrival rate × the clients' patience.
    const burst = s.phases.find((p) => p.name === 'burst-2')!;
    const heldWithout = s.defaults.rate! * Number(burst.load) * 3; // × 3 s: BURST.retry.giveUpAfter
    expect(levels[0]!.max).toBeLessThan(heldWithout);
  });
});
