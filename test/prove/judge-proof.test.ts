// The proof rules of `--prove` (harness/judge/proof.ts judgeProof) on synthetic run
// pairs: the real verdict and comparison code reads them, nothing is stubbed.
// One pair per rule: retained (a heap slope), level at drained checkpoints,
// churn (allocation ratio), and the ways a proof must fail.

import { describe, expect, it } from 'vitest';
import type { RunMeta, RunData } from '../../harness/index.ts';
import { compareRuns, formatProofTable, judgeProof, proofPlanFor, type ProofResult } from '../../harness/index.ts';
import { judgeFixedRun, levelComparisonFor } from '../../harness/judge/index.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { syntheticCheckpoints, type SyntheticRun } from '../fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../fixtures/verdict/synthetic-meta.ts';

const ACCOUNTS = 1000;

function meta(scenario: string, leaks: string[]): RunMeta {
  return syntheticMeta({
    runId: `synthetic-${leaks.join('-') || 'fixed'}`,
    scenario,
    resolved: { phases: [{ name: 'warm-up', kind: 'warm-up' }, { name: 'load', kind: 'steady' }], thresholds: {} },
    seed: 42,
    accounts: ACCOUNTS,
    leaks,
    faultPlans: {},
  });
}

/** 16 checkpoints 20 000 requests and 20 s apart; checkpoint 0 is the pre-load one (its handles are the baseline). */
function run(variant: string, leaky: boolean, series: Partial<SyntheticRun>): RunData {
  const entry = LEAK_CATALOG.find((e) => e.name === variant)!;
  const checkpoints = syntheticCheckpoints({ checkpoints: 16, seed: `${variant}-${leaky}`, phase: (i) => (i < 2 ? 'warm-up' : 'load'), ...series });
  return { dir: `/synthetic/${variant}-${leaky ? 'leaky' : 'fixed'}`, meta: meta(entry.scenario, leaky ? [variant] : []), samples: [], checkpoints, events: [], summary: null, skippedLines: 0, skipped: [] };
}

function proof(variant: string, leakySeries: Partial<SyntheticRun>, fixedSeries: Partial<SyntheticRun>) {
  const entry = LEAK_CATALOG.find((e) => e.name === variant)!;
  const plan = proofPlanFor(entry, ACCOUNTS);
  const leaky = run(variant, true, leakySeries);
  const fixed = run(variant, false, fixedSeries);
  const { comparison } = compareRuns(leaky, fixed);
  const fixedVerdict = judgeFixedRun(leaky, fixed);
  return { ...judgeProof(plan, comparison, levelComparisonFor(plan, leaky, fixed), fixedVerdict), comparison, fixed: fixedVerdict };
}

describe('judgeProof: retained (inflight-map, ≈ 500 B of heap per request)', () => {
  it('holds when the leaky run leaks at the catalog cost and the fixed run is flat', () => {
    const r = proof('inflight-map', { heapUsed: (n) => 520 * n }, {});
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
    expect(r.signatureLine).toMatch(/^triggered/);
  });

  it("holds when the fixed run's rss is too noisy to certify but every JS signal and handle is NO-LEAK", () => {
    const r = proof('inflight-map', { heapUsed: (n) => 520 * n }, { noise: { rss: 256 * 2 ** 20 } });
    const rss = r.fixed.memory.find((m) => m.signal === 'rss')!;
    expect(rss.status).toBe('INCONCLUSIVE');
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
  });

  it("fails when the fixed run's heap cannot be certified", () => {
    const r = proof('inflight-map', { heapUsed: (n) => 520 * n }, { noise: { heapUsed: 64 * 2 ** 20 } });
    expect(r.fixed.memory.find((m) => m.signal === 'heapUsed')!.status).toBe('INCONCLUSIVE');
    expect(r.status).not.toBe('holds');
    expect(r.failures.join('\n')).toMatch(/the fixed run is not clean: heapUsed INCONCLUSIVE/);
    // Said as the comparison read it: not "not fixed", which would say the fix failed.
    expect(r.evidence).toBe('heapUsed LEAK → inconclusive');
  });

  it('fails when the fixed run leaks too', () => {
    const r = proof('inflight-map', { heapUsed: (n) => 520 * n }, { heapUsed: (n) => 480 * n });
    expect(r.status).toBe('failed');
    expect(r.failures.join('\n')).toMatch(/comparison: not-fixed/);
  });

  it('fails when the leaky run shows no leak: the scenario did not trigger the bug', () => {
    const r = proof('inflight-map', {}, {});
    expect(r.status).toBe('failed');
    expect(r.failures[0]).toMatch(/the leaky run is not LEAK on heapUsed/);
    expect(r.failures.join('\n')).toMatch(/signature check says/);
  });

  it('fails when the leaky run leaks far less than the catalog says (signature not triggered)', () => {
    const r = proof('inflight-map', { heapUsed: (n) => 60 * n }, {});
    expect(r.status).toBe('failed');
    expect(r.failures.join('\n')).toMatch(/signature check says weaker-than-expected/);
  });
});

describe('judgeProof: level at drained checkpoints (retry-timers, Timeout handles)', () => {
  const timers = (extra: (i: number) => number) => ({ resourcesAfterGc: (i: number) => ({ TCPSocketWrap: 1, Timeout: 2 + (i === 0 ? 0 : extra(i)) }) });

  it('holds when the leaky relay still holds timers at drained checkpoints and the fixed relay holds none', () => {
    const r = proof('retry-timers', timers((i) => (i % 3 === 0 ? 0 : 40 + i)), timers(() => 0));
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
    expect(r.signatureLine).toMatch(/^triggered \(level drained: Timeout above its pre-load 2 at 10\/15/);
    expect(r.evidence).toBe('Timeout level: leaky only');
  });

  it('fails when the fixed relay holds them too', () => {
    const r = proof('retry-timers', timers((i) => 40 + i), timers((i) => 30 + i));
    expect(r.status).toBe('failed');
    expect(r.failures.join('\n')).toMatch(/fixed run still holds extra handles:Timeout at 15 drained checkpoints/);
    expect(r.evidence).toBe('Timeout level: in fixed too');
  });

  it('fails when the leaky run never shows the level', () => {
    const r = proof('retry-timers', timers(() => 0), timers(() => 0));
    expect(r.status).toBe('failed');
    expect(r.signatureLine).toMatch(/^not-triggered/);
    expect(r.evidence).toBe('Timeout level: leaky not shown');
    expect(r.failures[0]).toMatch(/leaky run holds extra handles:Timeout at 0 drained checkpoints/);
  });

  it('says too little data, not "leaky not shown", when a run has too few checkpoints to compare', () => {
    const r = proof('retry-timers', { checkpoints: 3, ...timers(() => 40) }, { checkpoints: 3, ...timers(() => 0) });
    expect(r.status).not.toBe('holds');
    expect(r.failures.join('\n')).toMatch(/checkpoints after load of handles:Timeout, needs/);
    expect(r.evidence).toBe('Timeout level: too little data');
  });
});

describe('judgeProof: churn (account-clone, allocation per request)', () => {
  it('holds when the fixed relay allocates significantly less per request and is NO-LEAK', () => {
    const r = proof('account-clone', { allocatedPerRequest: 60_000 }, { allocatedPerRequest: 6_000 });
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
    expect(r.evidence).toMatch(/^alloc\/request ×0\.1\d? \[/);
  });

  it('judges the fixed run on all of its checkpoints, not only the part aligned with a slower leaky run', () => {
    // The churning leaky relay completes 40 % of the fixed relay's requests: aligned on requests, the
    // fixed run keeps 7 of its 16 checkpoints and too few of them are judged to say anything.
    const r = proof('account-clone', { allocatedPerRequest: 60_000, requestsPerCheckpoint: 8_000 }, { allocatedPerRequest: 6_000 });
    expect(r.comparison.after.status).toBe('INCONCLUSIVE');
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
  });

  it('fails when both allocate alike', () => {
    const r = proof('account-clone', { allocatedPerRequest: 6_000 }, { allocatedPerRequest: 6_000 });
    expect(r.status).toBe('failed');
    expect(r.failures[0]).toMatch(/not significantly lower/);
  });
});

describe('formatProofTable', () => {
  it("shows the fixed run's own verdict (all its checkpoints), not the aligned part's", () => {
    const r = proof('inflight-map', { heapUsed: (n) => 520 * n }, {});
    expect(r.fixed.status).toBe('NO-LEAK');
    // The part aligned with a slower leaky run may be too short to judge (measured: account-clone, 6 < 8 checkpoints).
    const comparison = { ...r.comparison, after: { ...r.comparison.after, status: 'INCONCLUSIVE' as const } };
    const row: ProofResult = {
      variant: 'inflight-map',
      scenario: 'mixed',
      status: r.status,
      failures: r.failures,
      leakyDir: '/synthetic/leaky',
      fixedDir: '/synthetic/fixed',
      comparison,
      fixedStatus: r.fixed.status,
      proofKind: 'retained',
      evidence: r.evidence,
      leakyLine: '',
      fixedLine: '',
      signatureLine: r.signatureLine,
      wallMs: 240_000,
    };
    const [header, line] = formatProofTable([row], 240_000).split('\n');
    const cells = line!.split(/\s{2,}/);
    expect(header!.split(/\s{2,}/)[6]).toBe('soak verdicts (leaky / fixed)');
    expect(cells[6]).toBe('LEAK / NO-LEAK');
    expect(cells[4]).toBe('HOLDS');
  });

  it('puts what the proof decided on first: its kind and evidence, leaky → fixed', () => {
    const r = proof('inflight-map', { heapUsed: (n) => 520 * n }, {});
    expect(r.status).toBe('holds');
    expect(r.evidence).toBe('heapUsed LEAK → fixed');
    const notFixed = proof('inflight-map', { heapUsed: (n) => 520 * n }, { heapUsed: (n) => 520 * n });
    expect(notFixed.evidence).toBe('heapUsed LEAK → still-leaking');
    const row = { variant: 'inflight-map', scenario: 'mixed', status: r.status, failures: [], leakyDir: '/l', fixedDir: '/f', comparison: r.comparison, fixedStatus: r.fixed.status, proofKind: 'retained' as const, evidence: r.evidence, leakyLine: '', fixedLine: '', signatureLine: '', wallMs: 1000 };
    const [header, line] = formatProofTable([row], 1000).split('\n');
    expect(header!.split(/\s{2,}/).slice(2, 4)).toEqual(['kind', 'evidence (leaky → fixed)']);
    expect(line!.split(/\s{2,}/).slice(2, 4)).toEqual(['retained', 'heapUsed LEAK → fixed']);
  });
});

describe('judgeProof: a run whose target did not serve the load proves nothing', () => {
  it('the fixed run answered 4xx to everything: INCONCLUSIVE, not HOLDS, and says which run', () => {
    const entry = LEAK_CATALOG.find((e) => e.name === 'inflight-map')!;
    const plan = proofPlanFor(entry, ACCOUNTS);
    const leaky = run('inflight-map', true, { heapUsed: (n) => 520 * n });
    const fixed = run('inflight-map', false, {});
    fixed.samples = Array.from({ length: 40 }, (_, i) => ({
      kind: 'sample' as const, t: i * 8000, phase: 'load', proc: null, probe: null, relay: null, faults: null, requestsCompleted: i * 8000,
      load: { requests: 8000, reqPerSec: 1000, latencyMs: { p50: 1, p99: 2, max: 3 }, status: { '2xx': 0, '3xx': 0, '4xx': 8000, '5xx': 0 }, errors: 0, timeouts: 0, mismatches: 0 },
    }));
    const { comparison } = compareRuns(leaky, fixed);
    const r = judgeProof(plan, comparison, levelComparisonFor(plan, leaky, fixed), judgeFixedRun(leaky, fixed));
    expect(r.status).toBe('inconclusive');
    expect(r.failures[0]).toMatch(/^not served \(fixed run\): over the run: the target answered 0 %/);
  });
});

describe('judgeProof: the fix must keep the service working (verdict/service.ts)', () => {
  /** 40 load windows of 8 000 attempts, `timeouts` of them timed out. */
  const windows = (timeouts: number) =>
    Array.from({ length: 40 }, (_, i) => ({
      kind: 'sample' as const, t: i * 8000, phase: 'load', proc: null, probe: null, relay: null, faults: null, requestsCompleted: i * 8000,
      load: { requests: 8000 - timeouts, reqPerSec: 1000, latencyMs: { p50: 1, p99: 2, max: 3 }, status: { '2xx': 8000 - timeouts, '3xx': 0, '4xx': 0, '5xx': 0 }, errors: timeouts, timeouts, mismatches: 0 },
    }));
  const judged = (leakyTimeouts: number, fixedTimeouts: number) => {
    const plan = proofPlanFor(LEAK_CATALOG.find((e) => e.name === 'inflight-map')!, ACCOUNTS);
    const leaky = run('inflight-map', true, { heapUsed: (n) => 520 * n });
    const fixed = run('inflight-map', false, {});
    leaky.samples = windows(leakyTimeouts);
    fixed.samples = windows(fixedTimeouts);
    const { comparison } = compareRuns(leaky, fixed);
    return judgeProof(plan, comparison, levelComparisonFor(plan, leaky, fixed), judgeFixedRun(leaky, fixed));
  };

  it('a fixed relay that stops leaking but times out 2 % of its requests (the leaky one: none) fails the proof', () => {
    const r = judged(0, 160);
    expect(r.status).toBe('failed');
    expect(r.failures.join('\n')).toMatch(/the fix costs service: .*timeouts 2\.00 % \(6400\/320000\) vs leaky 0 %/);
    expect(r.serviceLine).toMatch(/^the fix costs service/);
  });

  it('the same timeouts in both runs hold, and the service line says so', () => {
    const r = judged(16, 16);
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
    expect(r.serviceLine).toMatch(/^fixed no worse: unexcused failures 0\.20 % \(leaky 0\.20 %\)/);
  });
});

describe('judgeProof: a plateau (usage-plateau, records kept 2–3 × TTL)', () => {
  // 1 000 requests/s: the leaky store levels off at rate × 30 s, the fixed one at its 2 000-entry cap.
  it('holds when the leaky run levels off after one lifetime above the fixed run', () => {
    const r = proof('usage-plateau', { heapUsed: (n) => 230 * Math.min(n, 30_000) }, { heapUsed: (n) => 230 * Math.min(n, 2_000) });
    expect(r.failures).toEqual([]);
    expect(r.status).toBe('holds');
    expect(r.signatureLine).toMatch(/^triggered \(level drained: plateau: levels off after one lifetime \(30 s\)/);
  });

  it('fails when the leaky run keeps growing: that is a leak (usage-ttl), not a plateau', () => {
    const r = proof('usage-plateau', { heapUsed: (n) => 230 * n }, {});
    expect(r.status).toBe('failed');
    expect(r.failures.join('\n')).toMatch(/the leaky run keeps growing after one lifetime .*: that is a leak, not this variant's plateau/);
    expect(r.evidence).toBe('heapUsed plateau: leaky keeps growing');
  });

  it('fails when the leaky run never rises above the fixed run', () => {
    const r = proof('usage-plateau', {}, {});
    expect(r.status).toBe('failed');
    expect(r.failures.join('\n')).toMatch(/never rose|not above the fixed run/);
    expect(r.evidence).toBe('heapUsed plateau: leaky not shown');
  });
});
