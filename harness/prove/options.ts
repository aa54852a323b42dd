// What `prove` accepts, and the one declaration of its flags: the CLI parses
// argv with PROVE_FLAGS, and validateProveOptions checks a caller's values
// against the same declarations before anything starts.

import { checkFlagValues, type FlagSpecs } from '../../shared/cli/flags.ts';
import { flagUsageError, usageError } from '../errors.ts';
import { catalogNames, PROOF_DEFAULTS } from '../judge/proof-plan.ts';
import { SEED_FLAG, SOAK_FLAGS } from '../soak/options.ts';
import { checkWritableFolder } from '../run/writable-folder.ts';

export const PROVE_FLAGS = {
  duration: {
    type: 'duration',
    // 8 judged checkpoints after a 40 % warm-up need at least this much load.
    min: 30_000,
    max: SOAK_FLAGS.duration.max,
    default: PROOF_DEFAULTS.durationMs,
    arg: 'time',
    rangeNote: 'a proof needs at least 30s of load per run: 8 judged checkpoints after warm-up',
    help: 'load time per run',
  },
  seed: SEED_FLAG,
  accounts: SOAK_FLAGS.accounts,
  rate: SOAK_FLAGS.rate,
  out: { type: 'string', nonEmpty: true, arg: 'dir', help: "folder for every proof's run folders (default reports/runs/<stamp>-prove)" },
  'until-verdict': { type: 'boolean', help: "(the default) a leaky run proven by a LEAK stops as soon as that LEAK is certain (soak's --until-verdict, sequential looks); level, churn and plateau proofs and every fixed run go their whole duration" },
  'full-runs': { type: 'boolean', help: 'every leaky run goes its whole duration too (no sequential looks)' },
  parallel: {
    type: 'int',
    min: 1,
    max: 8,
    arg: 'N',
    help: 'runs at once, each in its own process (default 3, or 1 on a one-core machine; measured on 2 cores, three runs kept the machine ≈ 62 % busy): 1 runs them one after the other',
  },
  'no-attribute': { type: 'boolean', help: 'skip the attribution tail after each run (3 heap snapshots around 2 short load windows, ≈ 1 min per run): the proof still judges, without the culprit rows' },
  junit: SOAK_FLAGS.junit,
  quiet: SOAK_FLAGS.quiet,
  help: SOAK_FLAGS.help,
} as const satisfies FlagSpecs;

export interface ProveOptions {
  /** Catalog names (validated); `resolveVariants('all')` lists them all. */
  variants: string[];
  durationMs?: number;
  seed?: number;
  accounts?: number;
  rate?: number;
  /** false: no attribution tail after the runs (--no-attribute). Default true. */
  attribute?: boolean;
  /**
   * Default true: a leaky run whose proof rests on a LEAK (retained, handles)
   * stops at its first certain LEAK (sequential looks); false (--full-runs):
   * it runs its whole duration. Fixed runs always do.
   */
  untilVerdict?: boolean;
  /** Runs at once (--parallel); default defaultParallel() (run.ts). */
  parallel?: number;
  /** Folder holding every proof's run folders; default reports/runs/<stamp>-prove. */
  out?: string;
  signal?: AbortSignal;
  /** Progress lines (and each soak's own progress) go here; omit for silence. */
  progress?: NodeJS.WritableStream;
  /** Each proof's report, then the table; omit and nothing is written (the results are returned). */
  report?: NodeJS.WritableStream;
}

/**
 * `all`, one name or a comma-separated list → catalog names, de-duplicated; a
 * usage error naming `label` (`--prove`, or the verb's `<variant>`) otherwise.
 */
export function resolveVariants(which: string, label = '--prove'): string[] {
  const names = catalogNames();
  const text = which.trim();
  if (text === '') throw usageError(`${label}: expected a variant or "all"; valid: ${names.join(', ')}`);
  const variants = text === 'all' ? names : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const v of variants) {
    if (!names.includes(v)) throw usageError(`${label}: unknown variant "${v}"; valid: all, ${names.join(', ')}`);
  }
  return [...new Set(variants)];
}

/** Throws a usage error naming the flag; nothing has been started. */
export function validateProveOptions(options: ProveOptions): void {
  if (options.variants.length === 0) resolveVariants('');
  resolveVariants(options.variants.join(','));
  checkFlagValues(PROVE_FLAGS, { duration: options.durationMs, seed: options.seed, accounts: options.accounts, rate: options.rate, parallel: options.parallel }, flagUsageError);
  if (options.out !== undefined) checkWritableFolder('--out', options.out);
}
