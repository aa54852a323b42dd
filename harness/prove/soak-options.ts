// The soak one run of a proof is: the same for the leaky and the fixed side
// but for the leak switched on and the leaky side's early stop. Built from
// plain data (run-one.ts gets it as JSON), so a run in its own process is set
// up exactly as one in this process would be.

import { PROOF_DEFAULTS, proofPlanFor, type ProofPlan } from '../judge/proof-plan.ts';
import type { SoakOptions } from '../soak/index.ts';
import type { LeakEntry } from '../../relay/leaks/catalog.ts';
import type { ProveSide } from './plan-runs.ts';
import type { ProveOptions } from './options.ts';

/** The part of ProveOptions a run depends on: JSON, for the process it runs in. */
export type ProveRunSettings = Pick<ProveOptions, 'durationMs' | 'seed' | 'accounts' | 'rate' | 'attribute' | 'untilVerdict'>;

/**
 * The looks of a leaky run judge as the proof does: its warm-up fraction, x axis and minimum judged window
 * (proof-plan.ts), in seconds and in requests, so a run stopped early is long enough for the proof to judge. With
 * a soak's 20 000 judged requests, orphan-tasks (≈ 260 req/s judged) judged 14 000 requests in its whole run, so
 * its looks were never eligible and it ran to its end (2026-12-07 `--prove all`).
 */
export function proofLooks(plan: ProofPlan): SoakOptions['untilVerdictLooks'] {
  const fraction = plan.judge.warmup?.fraction;
  return {
    ...(fraction !== undefined ? { warmupFraction: fraction } : {}),
    ...(plan.judge.axis ? { axis: plan.judge.axis } : {}),
    ...(plan.judge.minJudgedSeconds !== undefined ? { minSeconds: plan.judge.minJudgedSeconds } : {}),
    ...(plan.judge.minJudgedRequests !== undefined ? { minRequests: plan.judge.minJudgedRequests } : {}),
  };
}

/** A proof that rests on the leaky run's LEAK on its signal (retained, handles), which the looks can call early. */
export function stopsOnLeak(plan: ProofPlan): boolean {
  return (plan.kind === 'retained' || plan.kind === 'handles') && plan.plateau === null;
}

/** runSoak's options for one side of `entry`'s proof, into `out` (no signal, no progress stream: the caller adds its own). */
export function proofSoakOptions(entry: LeakEntry, side: ProveSide, out: string, settings: ProveRunSettings): SoakOptions {
  const plan = proofPlanFor(entry, settings.accounts ?? 5000);
  const leaky = side === 'leaky';
  return {
    scenario: entry.scenario,
    durationMs: settings.durationMs ?? PROOF_DEFAULTS.durationMs,
    ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    ...(settings.accounts !== undefined ? { accounts: settings.accounts } : {}),
    ...(settings.rate !== undefined ? { rate: settings.rate } : {}),
    leaks: leaky ? [entry.name] : [],
    target: { kind: 'relay', extraArgs: [...plan.relayArgs] },
    drainMaxMs: PROOF_DEFAULTS.drainMaxMs,
    minCheckpoints: PROOF_DEFAULTS.minCheckpoints,
    // Proofs name the culprit site (verdict/sites.ts), so both runs carry the sampling heap profiler: same cost on each side.
    heapSamplingKiB: 512,
    // Both runs get the attribution tail (after the judged window): the proof shows the culprit's rows going flat.
    attribute: settings.attribute === false ? 'never' : 'always',
    attributionTrigger: 'proof',
    // Only a leaky run may stop early (the fixed run's NO-LEAK needs its whole window), and only one whose proof
    // needs a LEAK: a level, churn or plateau proof reads the whole run (a plateau must outlast a lifetime), and a
    // LEAK it did not ask for would cut that short.
    ...(leaky && settings.untilVerdict === true && stopsOnLeak(plan) ? { untilVerdict: true, untilVerdictLooks: proofLooks(plan) } : {}),
    out,
  };
}
