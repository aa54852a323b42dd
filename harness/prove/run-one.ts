// One run of a proof, in a process of its own: `prove` starts one of these per
// run (harness/prove/child-run.ts), so two runs side by side never share an
// event loop. A run's load generator, its sampler and the clients' give-up
// timers live in the harness process; judging, reports and the attribution
// tail's heap-snapshot parsing block that loop for seconds, and a second run's
// load in the same loop would stall with it (in-flight requests timing out
// together, the open model's starts bunched).
//
//   node harness/prove/run-one.ts --spec '{"variant":…,"side":"leaky","dir":…,"settings":{…}}'
//
// Progress goes to stderr; the last line on stdout is the result as JSON:
// {"outcome":…,"exitCode":N}. Signals and the parent's death stop the run as
// they stop `npm run soak` (runCommand), children stopped and folder kept.

import { runCommand, runMain, type Command } from '../cli/command.ts';
import { usageError } from '../errors.ts';
import { runSoak } from '../soak/index.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { proofSoakOptions, type ProveRunSettings } from './soak-options.ts';
import type { ProveSide } from './plan-runs.ts';
import type { RunOutcome } from '../records.ts';

export interface RunOneSpec {
  variant: string;
  side: ProveSide;
  dir: string;
  settings: ProveRunSettings;
}

export interface RunOneResult {
  outcome: RunOutcome;
  exitCode: number;
}

const FLAGS = {
  spec: { type: 'string', nonEmpty: true, arg: 'json', help: 'the run: {"variant", "side": "leaky"|"fixed", "dir", "settings"}' },
} as const;

function parseSpec(text: string): RunOneSpec {
  let spec: Partial<RunOneSpec>;
  try {
    spec = JSON.parse(text) as Partial<RunOneSpec>;
  } catch (err) {
    throw usageError(`--spec: not JSON (${(err as Error).message})`);
  }
  if (typeof spec.variant !== 'string' || !LEAK_CATALOG.some((e) => e.name === spec.variant)) throw usageError(`--spec: variant: expected a catalog variant, got ${JSON.stringify(spec.variant)}`);
  if (spec.side !== 'leaky' && spec.side !== 'fixed') throw usageError(`--spec: side: expected "leaky" or "fixed", got ${JSON.stringify(spec.side)}`);
  if (typeof spec.dir !== 'string' || spec.dir === '') throw usageError('--spec: dir: expected a folder');
  if (spec.settings === null || typeof spec.settings !== 'object') throw usageError('--spec: settings: expected an object');
  return spec as RunOneSpec;
}

export const runOneCommand: Command<typeof FLAGS> = {
  name: 'soak prove-run',
  usage: "node harness/prove/run-one.ts --spec '<json>'",
  about: ['One run of a proof (started by `npm run soak -- prove`, not meant to be typed).'],
  flags: FLAGS,
  exitCodes: ["the run's own: 0 no leak, 1 LEAK, 3 incomplete, 4 load not served, 2 a bad --spec (nothing started), 129/130/143 interrupted."],
  async run({ values, io, signal }) {
    if (values.spec === undefined) throw usageError('--spec: required');
    const spec = parseSpec(values.spec);
    const entry = LEAK_CATALOG.find((e) => e.name === spec.variant)!;
    const result = await runSoak({ ...proofSoakOptions(entry, spec.side, spec.dir, spec.settings), signal, progressStream: io.stderr });
    const line: RunOneResult = { outcome: result.outcome, exitCode: result.exitCode };
    io.stdout.write(`${JSON.stringify(line)}\n`);
    return result.exitCode;
  },
};

if (import.meta.main) runMain(() => runCommand(runOneCommand, process.argv.slice(2)), runOneCommand.name);
