// prove: the one-call proof that a fix holds. For each catalog variant: run
// the leaky relay (`--leak <variant>`), then the fixed relay, under the same
// seed and the variant's scenario (sequential, never concurrent: they would
// share the cores and each other's noise), then judge the pair
// (harness/judge/proof.ts). Both run folders are kept, so
// `npm run soak -- compare <leaky> <fixed>` re-derives the comparison.
// Writes nothing unless given a `report` / `progress` stream.

import { join, resolve } from 'node:path';
import { interruptedError } from '../errors.ts';
import { runSoak, PROJECT_ROOT, type SoakResult } from '../soak/index.ts';
import { judgeProofRuns, type ProofResult, type ProofStatus } from '../judge/proof.ts';
import { proofPlanFor, PROOF_DEFAULTS } from '../judge/proof-plan.ts';
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
    out,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.progress ? { progressStream: options.progress } : {}),
  });
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
    line(options.report, formatProof(r, proofPlanFor(entry, options.accounts ?? 5000)) + '\n');
  }
  if (options.variants.length > 1) line(options.report, formatProofTable(results, performance.now() - started));
  return results;
}

/** True when every proof holds. */
export function allProofsHold(results: readonly ProofResult[]): boolean {
  return results.every((r) => r.status === 'holds');
}
