// `npm run soak -- merge <folders...> --out <dir> [--baseline <runDir|index>] [--junit FILE]`:
// the run folders and proof records of many shards (CI jobs, nights) copied
// into one folder with one index over them, each run held to the previous
// night's run of its scenario+variant (or to --baseline); exit 1 on a regression.

import { EXIT, mergeRuns } from '../index.ts';
import { usageError } from '../errors.ts';
import { HELP_FLAG, type FlagSpecs } from '../../shared/cli/flags.ts';
import type { Command } from './command.ts';
import { mergeSuite } from '../merge/junit.ts';
import { checkJunitFile, JUNIT_FLAG, writeCiOutputs } from '../output/write.ts';

export const MERGE_FLAGS = {
  out: { type: 'string', nonEmpty: true, arg: 'dir', help: 'the folder to write (required; new or empty, outside every input): the copies, index.html, merge.json' },
  baseline: {
    type: 'string',
    nonEmpty: true,
    arg: 'runDir|index',
    help: 'hold each run to the newest run of its scenario+variant here (a run folder, or a previous merge or index folder) instead of the previous night\'s',
  },
  junit: JUNIT_FLAG,
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const mergeCommand: Command<typeof MERGE_FLAGS> = {
  name: 'soak merge',
  usage: 'npm run soak -- merge <folder>... --out <dir> [--baseline <runDir|index>] [--junit FILE]',
  about: [
    'Copies the run folders (found up to 3 levels down) and proof records (<variant>-proof.json) of every',
    'shard folder into <dir>/<shard name>/ (the inputs are never modified; two shards holding a run of the',
    'same name keep both), then writes one index.html over them: runs in the order of their own recorded',
    'start times (machines\' clocks differ, their host and Node shown), the trend per scenario+variant.',
    'Each run is held to the previous run of its scenario+variant (with --baseline: to the newest one in',
    'that folder) and regresses when a memory signal\'s 95 % interval moved above the baseline\'s by more',
    'than δ (lower − baseline upper > the signal\'s floor) or a handle type is LEAK now and was not before;',
    'a proof regresses when it held before and fails now. Regressions are marked in the index (banner,',
    'sparkline, "Against the baseline" table) and in --junit (one testcase per scenario+variant and per',
    'proof variant). merge.json lists what was copied from where and every comparison.',
  ],
  flags: MERGE_FLAGS,
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, names: 'one or more shard folders' },
  examples: [
    'npm run soak -- merge artifacts/prove-error-body artifacts/prove-inflight-map artifacts/soak-mixed --out /tmp/night',
    'npm run soak -- merge artifacts/* --out /tmp/night-2 --baseline /tmp/night-1 --junit /tmp/night-2/merge-junit.xml',
  ],
  exitCodes: [
    '0 merged, no regression; 1 merged, a run or proof regressed against its baseline;',
    '2 usage error: no folder, a folder that does not exist or holds no run, --out inside an input or not empty',
    '  (nothing written).',
  ],
  async run({ values, positionals, io }) {
    if (values.out === undefined) throw usageError('--out: required (the folder to write the merge to)');
    checkJunitFile(values.junit);
    const startedAt = new Date();
    const r = await mergeRuns({ inputs: positionals, out: values.out, ...(values.baseline !== undefined ? { baseline: values.baseline } : {}) });
    io.stdout.write(`merged ${plural(r.runs, 'run')} and ${plural(r.proofs, 'proof')} from ${plural(r.shards.length, 'shard')} into ${r.out}\n`);
    for (const s of r.shards) {
      const where = [s.hosts.length > 0 ? `host ${s.hosts.join(', ')}` : null, s.nodeVersions.length > 0 ? `Node ${s.nodeVersions.join(', ')}` : null].filter((x) => x !== null).join('; ');
      io.stdout.write(`  ${s.name}: ${s.input} (${plural(s.runs, 'run')}, ${plural(s.proofs, 'proof')}${where ? `; ${where}` : ''})\n`);
    }
    const compared = r.judgement.runList.filter((x) => x.result.against !== null).length + r.judgement.proofList.filter((x) => x.result.against !== null).length;
    io.stdout.write(`held to ${r.judgement.rule}: ${compared} compared, ${plural(r.regressions.length, 'regression')}\n`);
    for (const g of r.regressions) io.stdout.write(`  REGRESSED ${g.label} (${g.group}) vs ${g.against}: ${g.why.join('; ')}\n`);
    const written = writeCiOutputs([mergeSuite(r.judgement, r.index, startedAt.toISOString(), Date.now() - startedAt.getTime())], { junitFile: values.junit, stderr: io.stderr, name: 'soak merge' });
    if (written.junit) io.stderr.write(`junit: ${written.junit}\n`);
    io.stdout.write(`manifest: ${r.manifest}\n`);
    io.stdout.write(`index: ${r.index} (${plural(r.runs, 'run')})\n`);
    return r.regressions.length > 0 ? EXIT.leak : EXIT.ok;
  },
};
