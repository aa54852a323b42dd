// proof-plan.ts: the proof's minimum judged window must fit what a default
// proof run can judge, on every axis. An event-axis proof does not judge its
// cool-down (the event stops there), so its window ends before the run does;
// at 45 s the minimum was longer than that window and two proofs could never
// hold (measured: 43 s judged in sync-tracker's and lazy-lru's runs).
import { describe, expect, it } from 'vitest';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { getScenario, resolveScenario } from '../../scenarios/index.ts';
import { plannedCheckpointTimes } from '../soak/drive.ts';
import { PROOF_DEFAULTS, proofPlanFor } from './proof-plan.ts';

/**
 * Load seconds between the first judged checkpoint (after the proof's warm-up
 * fraction of all checkpoints, the one before load included) and the last one
 * whose interval is wholly before the cool-down: the least an event-axis proof
 * judges (the checkpoint after it may be kept or dropped by the "advanced by
 * half the median" rule, verdict/run.ts advancingOnly). Drains only add wall time.
 */
function leastJudgedLoadSeconds(scenario: string): number {
  const s = resolveScenario(getScenario(scenario), { durationMs: PROOF_DEFAULTS.durationMs });
  const times = [0, ...plannedCheckpointTimes(s, { minCheckpoints: PROOF_DEFAULTS.minCheckpoints })];
  const dropped = Math.ceil(PROOF_DEFAULTS.warmupFraction * times.length);
  const coolDown = s.phases.find((p) => p.kind === 'cool-down')?.startMs ?? s.durationMs;
  const last = times.filter((t) => t <= coolDown).at(-1)!;
  return (last - times[dropped]!) / 1000;
}

describe('PROOF_DEFAULTS: the minimum judged window', () => {
  const eventAxis = LEAK_CATALOG.filter((e) => proofPlanFor(e, 5000).judge.axis?.kind === 'event');

  it('there are event-axis proofs to check (sync-tracker, lazy-lru, listener, inflight-error-path)', () => {
    expect(eventAxis.map((e) => e.name)).toEqual(expect.arrayContaining(['sync-tracker', 'lazy-lru', 'listener', 'inflight-error-path']));
  });

  it("fits inside every event-axis proof's least judged window at the default duration", () => {
    for (const e of eventAxis) {
      const seconds = leastJudgedLoadSeconds(e.scenario);
      expect(seconds, `${e.name} (${e.scenario}): ${seconds} s of load judged`).toBeGreaterThanOrEqual(PROOF_DEFAULTS.minJudgedSeconds);
    }
  });

  it('would refuse them at the 45 s it was (the test can fail)', () => {
    expect(Math.min(...eventAxis.map((e) => leastJudgedLoadSeconds(e.scenario)))).toBeLessThan(45);
  });
});

describe('proofPlanFor: relay flags', () => {
  it('one --keep-alive-timeout per proof: the 250-ms default, or the variant\'s own in its place', () => {
    for (const e of LEAK_CATALOG) {
      const args = proofPlanFor(e, 5000).relayArgs;
      expect(args.filter((a) => a === '--keep-alive-timeout'), e.name).toHaveLength(1);
      const keepAlive = args[args.indexOf('--keep-alive-timeout') + 1];
      expect(keepAlive, e.name).toBe(e.name === 'unbounded-fanout' || e.name === 'account-clone' ? '1000' : String(PROOF_DEFAULTS.keepAliveTimeoutMs));
    }
  });

  it("unbounded-fanout: relay scans start again inside the proof's keep-alive, so the leaky scan's sockets last the phase", () => {
    const entry = LEAK_CATALOG.find((e) => e.name === 'unbounded-fanout')!;
    const args = proofPlanFor(entry, 5000).relayArgs;
    const keepAliveMs = Number(args[args.indexOf('--keep-alive-timeout') + 1]);
    const s = resolveScenario(getScenario(entry.scenario), { durationMs: PROOF_DEFAULTS.durationMs });
    const pauses = s.phases.flatMap((p) => (p.settings.relayScan === null ? [] : [p.settings.relayScan.pauseMs]));
    expect(pauses.length).toBeGreaterThan(0);
    for (const pause of pauses) expect(pause).toBeLessThan(keepAliveMs);
  });
});
