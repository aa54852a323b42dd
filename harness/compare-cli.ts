// `npm run soak -- compare <runA> <runB> [--force]`: is the fix proven?
// A = before (leaky), B = after (fixed). Reads both run folders, judges them on
// the request range both reached (harness/verdict compareRuns) and prints the
// comparison. Everything is also callable from code (`compareRunFolders`).
//
// Exit codes (README → Exit codes):
//   0 fix holds
//   1 regression, or not fixed (both leak)
//   2 usage: bad argument, unreadable run folder, or runs that are not comparable
//     (differences listed; `--force` compares anyway, with a warning in the output)
//   3 inconclusive: the runs cannot decide (before did not leak, a run too short
//     or too noisy, a crashed target); the output gives the minimal detectable slope

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, SoakError, usageError } from './errors.ts';
import { judgeOptionsFor } from './judge.ts';
import { readRun, type RunData } from './run/read-run.ts';
import { compareRuns, formatComparison, verdictRunOf, VerdictError, type ComparisonOutcome, type JudgeOptions, type RunComparison } from './verdict/index.ts';
import { proofPlanFor, withRequestsEvent } from './proof-options.ts';
import { LEAK_CATALOG } from '../relay/leaks/catalog.ts';

export const COMPARE_USAGE = 'Usage: npm run soak -- compare <runA> <runB> [--force]   (A = before/leaky, B = after/fixed)';

export function compareHelpText(): string {
  return [
    COMPARE_USAGE,
    '',
    'Judges both run folders on the request range both reached and compares them per signal:',
    'slope difference with a 95 % interval, handle deltas, churn ratios.',
    'The runs must share scenario, seed, fault plan, Node version and Node flags.',
    '',
    'Options:',
    '  --force      compare despite those differences (listed as warnings in the output)',
    '  --json       print the comparison as JSON instead of text',
    '  -h, --help   show this help',
    '',
    'Exit codes: 0 fix holds, 1 regression or not fixed, 2 usage error or runs not comparable,',
    '            3 inconclusive (the output says why and what slope the runs could have seen).',
  ].join('\n');
}

/** The exit code of a comparison outcome (see the header). */
export function exitCodeForComparison(outcome: ComparisonOutcome): number {
  switch (outcome) {
    case 'fix-holds':
      return EXIT.ok;
    case 'regression':
    case 'not-fixed':
      return EXIT.leak;
    case 'inconclusive':
      return EXIT.incomplete;
  }
}

/** Reads a run folder given as argument `name`; a usage error naming the argument otherwise. */
export function readRunArgument(name: string, dir: string): RunData {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw usageError(`${name}: no such run folder: ${dir}`);
  try {
    return readRun(path);
  } catch (err) {
    if (err instanceof SoakError) throw usageError(`${name}: ${err.message}`);
    throw err;
  }
}

/**
 * The verdict options for a pair of runs: the before run's own (floors and
 * warm-up phases of its scenario), plus, when the pair is a proof (before ran
 * exactly one catalog variant, after none), that variant's proof options, so
 * re-comparing the folders `--prove` kept gives the answer it printed.
 */
export function compareOptionsFor(before: RunData, after: RunData): { options: JudgeOptions; note: string | null } {
  const base = judgeOptionsFor(before);
  const leaks = before.meta.leaks ?? [];
  const entry = leaks.length === 1 && (after.meta.leaks ?? []).length === 0 ? LEAK_CATALOG.find((e) => e.name === leaks[0]) : undefined;
  // 'allocated' (churn) signatures are not a post-GC series the verdict can regress.
  if (!entry) return { options: { ...base, signatures: (base.signatures ?? []).filter((s) => (s.signal as string) !== 'allocated') }, note: null };
  const plan = proofPlanFor(entry, before.meta.accounts);
  const axis = plan.judge.axis?.kind === 'event' ? `event '${plan.judge.axis.event}'` : 'requests';
  return {
    // The run's warm-up phases stay; the proof raises the fraction rule.
    options: { ...base, ...plan.judge, warmup: { ...base.warmup, ...plan.judge.warmup } },
    note: `judged as a proof of ${entry.name}: x axis ${axis}, warm-up ≥ ${Math.round((plan.judge.warmup?.fraction ?? 0.2) * 100)} % of checkpoints, minimum judged window ${plan.judge.minJudgedSeconds} s / ${plan.judge.minJudgedRequests} requests`,
  };
}

/** Compare two run folders. Throws VerdictError SOAK_ERR_RUN_MISMATCH unless `force`. */
export function compareRunFolders(before: RunData, after: RunData, options: { force?: boolean } = {}): { comparison: RunComparison; note: string | null } {
  const { options: judge, note } = compareOptionsFor(before, after);
  const records = (run: RunData) => {
    const heapSizeLimit = run.meta.target.heapSizeLimit ?? undefined;
    return verdictRunOf({ ...run, checkpoints: withRequestsEvent(run.checkpoints) }, heapSizeLimit ? { heapSizeLimit } : {});
  };
  const comparison = compareRuns(records(before), records(after), { ...judge, force: options.force === true });
  return { comparison, note };
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** `compare` as a command: returns the exit code, writes to the given streams. */
export function compareMain(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): number {
  let values: { force?: boolean; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: argv,
      options: { force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: true,
    });
    values = parsed.values;
    positionals = parsed.positionals;
  } catch (err) {
    io.stderr.write(`soak compare: ${(err as Error).message.split('\n')[0]}\n${COMPARE_USAGE}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(compareHelpText() + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 2) {
    io.stderr.write(`soak compare: expected two run folders, got ${positionals.length}\n${COMPARE_USAGE}\n`);
    return EXIT.usage;
  }
  try {
    const before = readRunArgument('<runA>', positionals[0]!);
    const after = readRunArgument('<runB>', positionals[1]!);
    const { comparison, note } = compareRunFolders(before, after, { force: values.force === true });
    if (values.json) {
      io.stdout.write(JSON.stringify({ before: before.dir, after: after.dir, note, comparison }, null, 2) + '\n');
    } else {
      io.stdout.write(`before (A): ${before.dir}\nafter  (B): ${after.dir}\n`);
      if (note) io.stdout.write(`${note}\n`);
      io.stdout.write(`\n${formatComparison(comparison)}\n`);
    }
    return exitCodeForComparison(comparison.outcome);
  } catch (err) {
    if (err instanceof SoakError) {
      io.stderr.write(`soak compare: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof VerdictError) {
      // Not comparable: every difference on its own line, then how to override.
      if (err.code === 'SOAK_ERR_RUN_MISMATCH') {
        io.stderr.write(`soak compare: the runs are not comparable:\n`);
        for (const d of err.differences) io.stderr.write(`  ${d.field}: ${d.before} vs ${d.after}\n`);
        io.stderr.write(`use --force to compare anyway (the output will carry a warning)\n`);
      } else {
        io.stderr.write(`soak compare: ${err.message}\n`);
      }
      return EXIT.usage;
    }
    io.stderr.write(`soak compare: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.incomplete;
  }
}
