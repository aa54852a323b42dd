// `npm run soak -- compare <runA> <runB> [--force] [--json]`: is the fix proven?

import { buildProofReport, EXIT, compareRuns, formatComparison, skippedLinesText, VerdictError, type ComparisonOutcome, type RunData, type SkippedLinesLine } from '../index.ts';
import type { FlagSpecs } from '../../shared/cli/flags.ts';
import type { Command } from './command.ts';
import { comparisonSuite } from '../output/junit.ts';
import { checkJunitFile, JUNIT_FLAG, writeCiOutputs } from '../output/write.ts';

export const COMPARE_FLAGS = {
  force: { type: 'boolean', help: 'compare despite differences in scenario, seed, fault plan or Node (listed as warnings)' },
  json: { type: 'boolean', help: 'print the comparison as JSON instead of text' },
  report: { type: 'boolean', help: 'also write compare.html (both runs overlaid, the comparison table) next to the two run folders' },
  junit: JUNIT_FLAG,
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies FlagSpecs;

/** The exit code of a comparison outcome: 0 fix holds, 1 regression or not fixed, 3 inconclusive. */
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

/** A read run's skipped lines as warning lines, naming the run (`A`, `B`). */
function runWarnings(which: string, run: RunData): SkippedLinesLine[] {
  return skippedLinesText(run.skipped ?? []).map((l) => ({ ...l, text: `run ${which}: ${l.text}` }));
}

export const compareCommand: Command<typeof COMPARE_FLAGS> = {
  name: 'soak compare',
  usage: 'npm run soak -- compare <runA> <runB> [--force] [--json]   (A = before/leaky, B = after/fixed)',
  about: [
    'Judges both run folders on the request range both reached and compares them per signal:',
    'slope difference with a 95 % interval, handle deltas, churn ratios.',
    'The runs must share scenario, seed, fault plan, Node version and Node flags.',
  ],
  flags: COMPARE_FLAGS,
  positionals: { min: 2, max: 2, names: 'two run folders' },
  exitCodes: [
    '0 fix holds, 1 regression or not fixed, 2 usage error or runs not comparable,',
    '3 inconclusive (the output says why and what slope the runs could have seen).',
  ],
  async run({ values, positionals, io }) {
    const [a, b] = [positionals[0]!, positionals[1]!];
    checkJunitFile(values.junit);
    const startedAt = new Date();
    try {
      const { before, after, comparison, note } = compareRuns(a, b, { force: values.force });
      // Lines of either folder that could not be read were left out of the comparison: say where.
      const warnings = [...runWarnings('A', before), ...runWarnings('B', after)];
      for (const w of warnings) io.stderr.write(`${w.level === 'warning' ? 'WARNING' : 'note'}: ${w.text}\n`);
      let reportFile: string | null = null;
      if (values.report) {
        const page = await buildProofReport({ leakyDir: before.dir, fixedDir: after.dir, comparison, proof: null, differences: null, note });
        reportFile = page.file;
        io.stderr.write(`compare report: ${page.file}\n`);
      }
      const written = writeCiOutputs([comparisonSuite(comparison, startedAt.toISOString(), Date.now() - startedAt.getTime(), reportFile)], { junitFile: values.junit, stderr: io.stderr, name: 'soak compare' });
      if (written.junit) io.stderr.write(`junit: ${written.junit}\n`);
      if (values.json) {
        io.stdout.write(JSON.stringify({ before: before.dir, after: after.dir, note, warnings, comparison }, null, 2) + '\n');
      } else {
        io.stdout.write(`before (A): ${before.dir}\nafter  (B): ${after.dir}\n`);
        if (note) io.stdout.write(`${note}\n`);
        io.stdout.write(`\n${formatComparison(comparison)}\n`);
      }
      return exitCodeForComparison(comparison.outcome);
    } catch (err) {
      if (!(err instanceof VerdictError) || err.code !== 'SOAK_ERR_RUN_MISMATCH') throw err;
      // Not comparable: every difference on its own line, then how to override.
      io.stderr.write(`soak compare: the runs are not comparable:\n`);
      for (const d of err.differences) io.stderr.write(`  ${d.field}: ${d.before} vs ${d.after}\n`);
      io.stderr.write(`use --force to compare anyway (the output will carry a warning)\n`);
      if (values.report) {
        const page = await buildProofReport({ leakyDir: a, fixedDir: b, comparison: null, proof: null, differences: [...err.differences], note: null });
        io.stderr.write(`compare report: ${page.file}\n`);
      }
      return EXIT.usage;
    }
  },
};
