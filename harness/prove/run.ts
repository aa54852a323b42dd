// prove: the one-call proof that a fix holds. For each catalog variant: run
// the leaky relay (`--leak <variant>`) and the fixed relay under the same seed
// and the variant's scenario, then judge the pair (harness/judge/proof.ts).
// Variants whose fixed runs would be the same run share one (plan-runs.ts).
//
// Runs go `parallel` at a time (default 3 where the machine has 2 cores), each
// in a process of its own (run-one.ts). One run uses under one core of two:
// measured over the 2026-12-07 `--prove all`, the relay 7–35 % of a core under
// each scenario's load. Runs side by side each see the others' load; a
// leaky run whose level is compared under load goes beside its own fixed run,
// so both sides see the same conditions. `--parallel 1` is the old order, one
// run after the other, for a machine with other work on it.
//
// Both run folders are kept, so `npm run soak -- compare <leaky> <fixed>`
// re-derives the comparison. Prints nothing unless given a `report` /
// `progress` stream; on disk it keeps the run folders and `<variant>-proof.json`
// per proof, each written as soon as the proof is decided.

import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { interruptedError, interruptSignalOf } from '../errors.ts';
import { PROJECT_ROOT } from '../soak/index.ts';
import { judgeProofRuns, type ProofResult, type ProofStatus } from '../judge/proof.ts';
import { proofPlanFor, PROOF_DEFAULTS, type ProofPlan } from '../judge/proof-plan.ts';
import { signatureOf } from '../judge/signatures.ts';
import { newRunId, uniqueRunDir } from '../run/run-folder.ts';
import type { RunOutcome } from '../records.ts';
import { formatProof, formatProofTable } from './format.ts';
import { validateProveOptions, type ProveOptions } from './options.ts';
import { planProveRuns, type ProvePair, type ProveRun } from './plan-runs.ts';
import { runInLanes } from './lanes.ts';
import { runInChild } from './child-run.ts';
import type { ProveRunSettings } from './soak-options.ts';

function line(stream: NodeJS.WritableStream | undefined, text: string): void {
  stream?.write(`${text}\n`);
}

/**
 * Runs at once when --parallel is not given: 3 on two cores or more, 1 on one.
 * A proof run is an open-model load at a few hundred requests/s against one
 * relay and one fake upstream; its processes wait on sockets and drains most of
 * the time. Measured on 2 cores (2026-12-07 `--prove all --no-attribute`, 33
 * runs, machine busy sampled every 10 s): two at a time, median 58 %, p90 80 %
 * busy, 34 min 19 s; three at a time, median 62 %, p90 90 %, 20 min 17 s, and
 * every proof that held at two held at three. Four at a time with attribution
 * (2026-12-08): 23 min 34 s but 20/21, orphan-tasks' fixed run too noisy for
 * its δ (CI upper 69.8 B/request > 64), so three stays the default.
 */
export function defaultParallel(cores = availableParallelism()): number {
  return cores <= 1 ? 1 : 3;
}

interface FinishedRun {
  outcome: RunOutcome;
  startedMs: number;
}

/** Why a run that did not complete leaves its proofs incomplete. */
function notCompleted(run: ProveRun, o: RunOutcome): string {
  const why = o.status === 'failed' ? `${o.code}: ${o.error.split('\n')[0]}` : o.status === 'target-crashed' ? `target exited (code ${o.exitCode}, signal ${o.signal})` : o.status;
  return `the ${run.side} run did not complete: ${why}`;
}

function incompleteProof(pair: ProvePair, failures: string[], wallMs: number): ProofResult {
  return {
    variant: pair.variant,
    scenario: pair.leaky.entry.scenario,
    status: 'incomplete' satisfies ProofStatus,
    failures,
    leakyDir: pair.leaky.dir,
    fixedDir: pair.fixed.dir,
    comparison: null,
    fixedStatus: null,
    proofKind: signatureOf(pair.leaky.entry).kind,
    evidence: '',
    leakyLine: '',
    fixedLine: '',
    signatureLine: '',
    wallMs,
  };
}

/** Where a proof's judgement is kept: next to its two run folders, for reports and indexes to read. */
export function proofRecordPath(base: string, variant: string): string {
  return join(base, `${variant}-proof.json`);
}

/**
 * The proof as data on disk (`<variant>-proof.json`): what it expected, how it
 * was judged, the comparison. Written as soon as the proof is decided, like a
 * run's records, so a later interruption loses nothing already proven.
 */
function writeProofRecord(base: string, r: ProofResult, plan: ProofPlan, parallel: number): void {
  const record = {
    kind: 'proof',
    recordVersion: 1,
    ...r,
    expects: plan.expects,
    proofKind: plan.kind,
    signal: plan.signature?.signal ?? plan.level?.signal ?? null,
    // Where a level proof read its level (the proof page reads it back).
    level: plan.level,
    // Runs at once while it ran: 2 means each run shared the machine with another.
    parallel,
    nodeVersion: process.version,
    finishedAt: new Date().toISOString(),
  };
  mkdirSync(base, { recursive: true });
  writeFileSync(proofRecordPath(base, r.variant), JSON.stringify(record, null, 2) + '\n');
}

/**
 * Run the proofs, `parallel` runs at a time, and return their results in the
 * order of `options.variants`. Throws a usage error before anything starts on
 * bad options, SoakError SOAK_ERR_SIGINT/SIGTERM when aborted (proofs already
 * decided stay on disk).
 */
export async function prove(options: ProveOptions): Promise<ProofResult[]> {
  validateProveOptions(options);
  const base = resolve(options.out ?? uniqueRunDir(join(PROJECT_ROOT, 'reports/runs'), newRunId('prove')));
  const accounts = options.accounts ?? 5000;
  const { runs, proofs } = planProveRuns(options.variants, base, accounts);
  const parallel = options.parallel ?? defaultParallel();
  const settings: ProveRunSettings = {
    ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.accounts !== undefined ? { accounts: options.accounts } : {}),
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    ...(options.attribute === false ? { attribute: false } : {}),
    untilVerdict: options.untilVerdict !== false,
  };
  const seconds = (options.durationMs ?? PROOF_DEFAULTS.durationMs) / 1000;
  const started = performance.now();
  const shared = runs.filter((r) => r.side === 'fixed' && r.variants.length > 1).length;
  line(
    options.progress,
    `prove: ${proofs.length} proof${proofs.length === 1 ? '' : 's'} in ${runs.length} runs of ${seconds} s of load` +
      (shared > 0 ? ` (${shared} fixed run${shared === 1 ? '' : 's'} shared by proofs with the same scenario and relay flags)` : '') +
      `, ${parallel} at a time → ${base}`,
  );

  const finished = new Map<ProveRun, FinishedRun>();
  const decided = new Map<string, ProofResult>();
  const decide = (pair: ProvePair, r: ProofResult): void => {
    decided.set(pair.variant, r);
    const plan = proofPlanFor(pair.leaky.entry, accounts);
    writeProofRecord(base, r, plan, parallel);
    line(options.report, formatProof(r, plan) + '\n');
  };
  // After each run: every proof it completes is judged; a run that did not complete decides its proofs at once.
  const settle = (): void => {
    for (const pair of proofs) {
      if (decided.has(pair.variant)) continue;
      const leaky = finished.get(pair.leaky);
      const fixed = finished.get(pair.fixed);
      const firstStart = Math.min(leaky?.startedMs ?? Infinity, fixed?.startedMs ?? Infinity);
      const failures = ([[pair.leaky, leaky], [pair.fixed, fixed]] as const).filter(([, f]) => f !== undefined && f.outcome.status !== 'completed').map(([run, f]) => notCompleted(run, f!.outcome));
      if (failures.length > 0) decide(pair, incompleteProof(pair, failures, performance.now() - firstStart));
      else if (leaky && fixed) {
        line(options.progress, `prove ${pair.variant}: comparing ${basename(pair.leaky.dir)} with ${basename(pair.fixed.dir)}`);
        let judged: ProofResult;
        try {
          judged = judgeProofRuns(pair.leaky.entry, pair.leaky.dir, pair.fixed.dir);
        } catch (err) {
          // One proof whose folders cannot be judged does not stop the others.
          judged = incompleteProof(pair, [`the runs could not be judged: ${(err as Error).message.split('\n')[0]}`], 0);
        }
        decide(pair, { ...judged, wallMs: performance.now() - firstStart });
      }
    }
  };

  await runInLanes(runs, parallel, async (run, i) => {
    if (options.signal?.aborted) throw interruptedError(interruptSignalOf((options.signal.reason as Error | undefined)?.message));
    const name = basename(run.dir);
    // A run whose every proof is already decided (its fixed run failed) would prove nothing.
    if (run.variants.every((v) => decided.has(v))) {
      line(options.progress, `[run ${i + 1}/${runs.length}] ${name}: skipped, its proof is already decided`);
      return;
    }
    const forWhom = run.side === 'fixed' ? `for ${run.variants.join(', ')}` : `(--leak ${run.entry.name})`;
    line(options.progress, `[run ${i + 1}/${runs.length}] ${run.side} relay ${forWhom}, scenario ${run.entry.scenario}, ${seconds} s of load → ${run.dir}`);
    const startedMs = performance.now();
    const outcome = await runInChild(
      { variant: run.entry.name, side: run.side, dir: run.dir, settings },
      { prefix: `  [${name}] `, ...(options.progress ? { progress: options.progress } : {}), ...(options.signal ? { signal: options.signal } : {}) },
    );
    if (outcome.status === 'interrupted') throw interruptedError(outcome.signal);
    finished.set(run, { outcome, startedMs });
    line(options.progress, `[run ${i + 1}/${runs.length}] ${name}: ${outcome.status} in ${Math.round((performance.now() - startedMs) / 1000)} s`);
    settle();
  });

  const results = proofs.map((p) => decided.get(p.variant)!);
  if (results.length > 1) line(options.report, formatProofTable(results, performance.now() - started));
  return results;
}

/** True when every proof holds. */
export function allProofsHold(results: readonly ProofResult[]): boolean {
  return results.every((r) => r.status === 'holds');
}
