// `npm run soak -- prove <variant>|all [options]` (alias: `--prove <variant>`).

import { dirname } from 'node:path';
import { allProofsHold, buildIndex, buildProofReport, catalogNames, prove, proofPlanFor, PROOF_DEFAULTS, PROVE_FLAGS, resolveVariants, type ProofResult, type ProveOptions } from '../index.ts';
import type { FlagValues } from '../../shared/cli/flags.ts';
import { usageError } from '../errors.ts';
import type { Command, CommandIo } from './command.ts';
import { proofSuite } from '../output/junit.ts';
import { checkJunitFile, writeCiOutputs } from '../output/write.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';

/** Flag values and the `<variant|all>` argument → ProveOptions (validated by prove() too). */
export function proveOptionsFrom(which: string, values: FlagValues<typeof PROVE_FLAGS>, label = '<variant>'): ProveOptions {
  if (values['full-runs'] && values['until-verdict']) throw usageError('--full-runs and --until-verdict: give one (--until-verdict is the default)');
  return {
    variants: resolveVariants(which, label),
    durationMs: values.duration,
    seed: values.seed,
    ...(values.accounts !== undefined ? { accounts: values.accounts } : {}),
    ...(values.rate !== undefined ? { rate: values.rate } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values['no-attribute'] ? { attribute: false } : {}),
    ...(values['full-runs'] ? { untilVerdict: false } : {}),
    ...(values.parallel !== undefined ? { parallel: values.parallel } : {}),
  };
}

/** The proof's HTML page next to its run folders; a page that cannot be built is said, and the proof's answer stands. */
async function writeProofReport(r: ProofResult, accounts: number, io: CommandIo): Promise<string | null> {
  const entry = LEAK_CATALOG.find((e) => e.name === r.variant)!;
  const plan = proofPlanFor(entry, accounts);
  try {
    const page = await buildProofReport({
      leakyDir: r.leakyDir,
      fixedDir: r.fixedDir,
      comparison: r.comparison,
      proof: { ...r, expects: plan.expects, signal: plan.signature?.signal ?? plan.level?.signal ?? null, kind: plan.kind, level: plan.level },
      differences: null,
      note: null,
    });
    io.stdout.write(`proof report: ${page.file}\n`);
    return page.file;
  } catch (err) {
    io.stderr.write(`soak prove: no proof report for ${r.variant}: ${(err as Error).message}\n`);
    return null;
  }
}

/** `--prove X` (the old flag form) → `prove X`: the verb's argv. */
export function proveAliasArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let which: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--prove') {
      which = argv[i + 1] ?? '';
      i++;
    } else if (a.startsWith('--prove=')) which = a.slice('--prove='.length);
    else out.push(a);
  }
  return which === null ? out : [which, ...out];
}

/** The `prove` verb; `alias` is the `--prove <variant>` form, whose errors name `--prove` as they always did. */
export function makeProveCommand(alias: boolean): Command<typeof PROVE_FLAGS> {
  return {
  name: alias ? 'soak' : 'soak prove',
  usage: 'npm run soak -- prove <variant>|all [--duration 90s] [--seed 42] [--accounts N] [--rate N] [--full-runs] [--parallel N] [--out DIR] [--quiet]',
  about: [
    "For each variant: a leaky run (--leak <variant>) and a fixed run of the variant's scenario,",
    'same seed, then the comparison. Proofs with the same scenario and relay flags share one fixed',
    'run; runs go three at a time (--parallel), each in its own process. Every run folder is kept.',
    `Default ${PROOF_DEFAULTS.durationMs / 1000} s of load per run: one proof takes ≈ 2–3 minutes on 2 cores.`,
    '`npm run soak -- --prove <variant>` is the same command.',
    '',
    `Variants: ${catalogNames().join(', ')}`,
  ],
  flags: PROVE_FLAGS,
  positionals: { min: 1, max: 1, names: 'a variant, a comma-separated list, or "all"' },
  exitCodes: ['0 every proof holds, 1 a proof failed or was inconclusive, 2 usage error (nothing started), 129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM).'],
  async run({ values, positionals, io, signal }) {
    const options = proveOptionsFrom(positionals[0]!, values, alias ? '--prove' : '<variant>');
    checkJunitFile(values.junit);
    const startedAt = new Date().toISOString();
    const results = await prove({ ...options, signal, report: io.stdout, ...(values.quiet ? {} : { progress: io.stderr }) });
    const pages = new Map<string, string>();
    for (const r of results) {
      const page = await writeProofReport(r, options.accounts ?? 5000, io);
      if (page) pages.set(r.variant, page);
    }
    if (results.length > 0) {
      const written = writeCiOutputs([proofSuite(results, startedAt, pages)], { junitFile: values.junit, stderr: io.stderr, name: 'soak prove' });
      if (written.junit) io.stdout.write(`junit: ${written.junit}\n`);
    }
    // One page over the proof folder: every proof and its two runs, newest first.
    if (results.length > 0) {
      try {
        const index = await buildIndex(dirname(results[0]!.leakyDir));
        io.stdout.write(`index: ${index.file}\n`);
      } catch (err) {
        io.stderr.write(`soak prove: no index: ${(err as Error).message}\n`);
      }
    }
    return allProofsHold(results) ? 0 : 1;
  },
  };
}

export const proveCommand = makeProveCommand(false);
