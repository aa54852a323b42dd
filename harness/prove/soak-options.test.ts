// proofSoakOptions: the two sides differ only in the leak and the early stop,
// and only a leaky run whose proof rests on a LEAK may stop early.
import { describe, expect, it } from 'vitest';
import { proofPlanFor } from '../judge/proof-plan.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { proofSoakOptions, stopsOnLeak } from './soak-options.ts';

const entry = (name: string) => LEAK_CATALOG.find((e) => e.name === name)!;

describe('proofSoakOptions', () => {
  it('leaky and fixed: the same soak but for the leak and the early stop', () => {
    const leaky = proofSoakOptions(entry('inflight-map'), 'leaky', '/l', { untilVerdict: true, seed: 7 });
    const fixed = proofSoakOptions(entry('inflight-map'), 'fixed', '/f', { untilVerdict: true, seed: 7 });
    expect(leaky.leaks).toEqual(['inflight-map']);
    expect(fixed.leaks).toEqual([]);
    expect(leaky.untilVerdict).toBe(true);
    expect(fixed.untilVerdict).toBeUndefined();
    const { leaks: _a, untilVerdict: _b, untilVerdictLooks: _c, out: _d, ...leakyRest } = leaky;
    const { leaks: _e, out: _f, ...fixedRest } = fixed;
    expect(leakyRest).toEqual(fixedRest);
    expect(fixed.target).toEqual({ kind: 'relay', extraArgs: [...proofPlanFor(entry('inflight-map'), 5000).relayArgs] });
    expect(proofPlanFor(entry('inflight-map'), 5000).relayArgs.slice(0, 2)).toEqual(['--keep-alive-timeout', '250']);
  });

  it('only retained and handle proofs stop early: level, churn and plateau leaky runs go their whole duration', () => {
    for (const e of LEAK_CATALOG) {
      const plan = proofPlanFor(e, 5000);
      const o = proofSoakOptions(e, 'leaky', '/x', { untilVerdict: true });
      expect(o.untilVerdict === true, e.name).toBe(stopsOnLeak(plan));
    }
    expect(stopsOnLeak(proofPlanFor(entry('task-contexts'), 5000))).toBe(true);
    expect(stopsOnLeak(proofPlanFor(entry('error-body'), 5000))).toBe(true);
    for (const name of ['usage-plateau', 'pool-size', 'sse-abort', 'account-clone']) expect(stopsOnLeak(proofPlanFor(entry(name), 5000)), name).toBe(false);
  });

  it("a leaky run's looks need the proof's own minimum judged window (seconds and requests), so a run stopped early can be judged by the proof", async () => {
    const { sequentialOptionsOf } = await import('../judge/run.ts');
    const o = proofSoakOptions(entry('inflight-map'), 'leaky', '/x', { untilVerdict: true });
    const judge = proofPlanFor(entry('inflight-map'), 5000).judge;
    expect(o.untilVerdictLooks?.minSeconds).toBe(judge.minJudgedSeconds);
    expect(o.untilVerdictLooks?.minRequests).toBe(judge.minJudgedRequests);
    const seq = sequentialOptionsOf({ plannedCheckpoints: 16, alpha: 0.005, spending: 'pocock', looks: o.untilVerdictLooks!, stoppedEarly: null });
    expect(seq.minEarlySeconds).toBe(35);
    expect(seq.minEarlyRequests).toBe(10_000);
  });

  it('--full-runs (untilVerdict false): no leaky run stops early', () => {
    expect(proofSoakOptions(entry('inflight-map'), 'leaky', '/x', { untilVerdict: false }).untilVerdict).toBeUndefined();
  });
});
