// prove: the one-call proof that a fix holds. For each catalog variant: run
// the leaky relay (`--leak <variant>`), then the fixed relay, under the same
// seed and the variant's scenario (sequential, never concurrent: they would
// share the cores and each other's noise), then judge the pair
// (harness/judge/proof.ts). Both run folders are kept, so
// `npm run soak -- compare <leaky> <fixed>` re-derives the comparison.
// Prints nothing unless given a `report` / `progress` stream; on disk it keeps
// the two run folders and `<variant>-proof.json` per proof.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { interruptedError } from '../errors.ts';
import { runSoak, PROJECT_ROOT, type SoakOptions, type SoakResult } from '../soak/index.ts';
import { judgeProofRuns, type ProofResult, type ProofStatus } from '../judge/proof.ts';
import { proofPlanFor, PROOF_DEFAULTS, type ProofPlan } from '../judge/proof-plan.ts';
import { newRunId, uniqueRunDir } from '../run/run-folder.ts';
import { LEAK_CATALOG, type LeakEntry } from '../../relay/leaks/catalog.ts';
import { formatProof, formatProofTable } from './format.ts';
import { validateProveOptions, type ProveOptions } from './options.ts';

function line(stream: NodeJS.WritableStream | undefined, text: string): void {
  stream?.write(`${text}\n`);
}

async function oneRun(entry: LeakEntry, leaky: boolean, out: string, options: ProveOptions): Promise<SoakResult> {
  const plan = proofPlanFor(entry, options.accounts ?? 5000);
  return runSoak({
    scenario: entry.scenario,
    durationMs: options.durationMs ?? PROOF_DEFAULTS.durationMs,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.accounts !== undefined ? { accounts: options.accounts } : {}),
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    leaks: leaky ? [entry.name] : [],
    target: { kind: 'relay', extraArgs: ['--keep-alive-timeout', String(PROOF_DEFAULTS.keepAliveTimeoutMs), ...plan.relayArgs] },
    drainMaxMs: PROOF_DEFAULTS.drainMaxMs,
    minCheckpoints: PROOF_DEFAULTS.minCheckpoints,
    // Proofs name the culprit site (verdict/sites.ts), so both runs carry the sampling heap profiler: same cost on each side.
    heapSamplingKiB: 512,
    // Both runs get the attribution tail (after the judged window): the proof shows the culprit's rows going flat.
    attribute: options.attribute === false ? 'never' : 'always',
    attributionTrigger: 'proof',
    // --until-verdict: only the leaky run may stop early; the fixed run's NO-LEAK needs its whole window.
    ...(leaky && options.untilVerdict === true ? { untilVerdict: true, untilVerdictLooks: proofLooks(plan) } : {}),
    out,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.progress ? { progressStream: options.progress } : {}),
  });
}

/** The looks of a leaky run with --until-verdict judge as the proof does: its warm-up fraction and x axis (proof-plan.ts). */
function proofLooks(plan: ProofPlan): SoakOptions['untilVerdictLooks'] {
  const fraction = plan.judge.warmup?.fraction;
  return { ...(fraction !== undefined ? { warmupFraction: fraction } : {}), ...(plan.judge.axis ? { axis: plan.judge.axis } : {}) };
}

/** Leaky run, fixed run, judgement: one proof. Throws SoakError SOAK_ERR_SIGINT/SIGTERM when interrupted. */
export async function proveVariant(entry: LeakEntry, base: string, options: ProveOptions): Promise<ProofResult> {
  const started = performance.now();
  const leakyDir = join(base, `${entry.name}-leaky`);
  const fixedDir = join(base, `${entry.name}-fixed`);
  const seconds = (options.durationMs ?? PROOF_DEFAULTS.durationMs) / 1000;
  const result = (status: ProofStatus, failures: string[]): ProofResult => ({
    variant: entry.name,
    scenario: entry.scenario,
    status,
    failures,
    leakyDir,
    fixedDir,
    comparison: null,
    fixedStatus: null,
    leakyLine: '',
    fixedLine: '',
    signatureLine: '',
    wallMs: performance.now() - started,
  });
  for (const leaky of [true, false]) {
    line(options.progress, `prove ${entry.name}: ${leaky ? 'leaky' : 'fixed'} relay, scenario ${entry.scenario}, ${seconds} s of load → ${leaky ? leakyDir : fixedDir}`);
    const run = await oneRun(entry, leaky, leaky ? leakyDir : fixedDir, options);
    const o = run.outcome;
    if (o.status === 'interrupted') throw interruptedError(o.signal);
    if (o.status !== 'completed') {
      const why = o.status === 'failed' ? `${o.code}: ${o.error.split('\n')[0]}` : `target exited (code ${o.exitCode}, signal ${o.signal})`;
      return result('incomplete', [`the ${leaky ? 'leaky' : 'fixed'} run did not complete: ${why}`]);
    }
  }
  line(options.progress, `prove ${entry.name}: comparing`);
  return { ...judgeProofRuns(entry, leakyDir, fixedDir), wallMs: performance.now() - started };
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
function writeProofRecord(base: string, r: ProofResult, plan: ProofPlan): void {
  const record = {
    kind: 'proof',
    recordVersion: 1,
    ...r,
    expects: plan.expects,
    proofKind: plan.kind,
    signal: plan.signature?.signal ?? plan.level?.signal ?? null,
    nodeVersion: process.version,
    finishedAt: new Date().toISOString(),
  };
  mkdirSync(base, { recursive: true });
  writeFileSync(proofRecordPath(base, r.variant), JSON.stringify(record, null, 2) + '\n');
}

/**
 * Run the proofs one after the other and return their results. Throws a
 * usage error before anything starts on bad options, SoakError
 * SOAK_ERR_SIGINT/SIGTERM when aborted.
 */
export async function prove(options: ProveOptions): Promise<ProofResult[]> {
  validateProveOptions(options);
  const base = resolve(options.out ?? uniqueRunDir(join(PROJECT_ROOT, 'reports/runs'), newRunId('prove')));
  const results: ProofResult[] = [];
  const started = performance.now();
  for (const [i, name] of options.variants.entries()) {
    const entry = LEAK_CATALOG.find((e) => e.name === name)!;
    line(options.progress, `[${i + 1}/${options.variants.length}] proving ${name}`);
    const r = await proveVariant(entry, base, options);
    results.push(r);
    const plan = proofPlanFor(entry, options.accounts ?? 5000);
    writeProofRecord(base, r, plan);
    line(options.report, formatProof(r, plan) + '\n');
  }
  if (options.variants.length > 1) line(options.report, formatProofTable(results, performance.now() - started));
  return results;
}

/** True when every proof holds. */
export function allProofsHold(results: readonly ProofResult[]): boolean {
  return results.every((r) => r.status === 'holds');
}
