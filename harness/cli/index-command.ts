// `npm run soak -- index <folder> [--out FILE]`: one index.html over the run
// folders under <folder> (newest first, verdicts, key slopes, proofs, a
// sparkline per scenario+variant with regressions against the baseline).

import { buildIndex } from '../index.ts';
import { HELP_FLAG, type FlagSpecs } from '../../shared/cli/flags.ts';
import type { Command } from './command.ts';

export const INDEX_FLAGS = {
  out: { type: 'string', nonEmpty: true, arg: 'file', help: 'where to write the index (default <folder>/index.html; links are relative to it)' },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

export const indexCommand: Command<typeof INDEX_FLAGS> = {
  name: 'soak index',
  usage: 'npm run soak -- index <folder> [--out FILE]',
  about: [
    'Builds one self-contained index.html over the run folders found under <folder> (up to 3 levels down)',
    'and the proof records (<variant>-proof.json) next to them: newest first, with each run\'s verdict,',
    'heapUsed slope, handle growth, duration and outcome, a link to its report.html (built when missing),',
    'and per scenario+variant a sparkline of the slope marking the runs that regressed against the',
    'group\'s first NO-LEAK run.',
  ],
  flags: INDEX_FLAGS,
  positionals: { min: 1, max: 1, names: 'a folder of run folders' },
  examples: ['npm run soak -- index reports/runs', 'npm run soak -- index /tmp/nightly --out /tmp/nightly/all.html'],
  exitCodes: ['0 index written, 2 no such folder or no run folder in it (nothing written).'],
  async run({ values, positionals, io }) {
    const r = await buildIndex(positionals[0]!, values.out !== undefined ? { out: values.out } : {});
    io.stdout.write(`index: ${r.file} (${r.runs} run${r.runs === 1 ? '' : 's'})\n`);
    return 0;
  },
};
