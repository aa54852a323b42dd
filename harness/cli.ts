// `npm run soak -- [<command>] [options]`: a thin shell over the harness API
// (harness/index.ts). Each verb is a Command (harness/cli/*-command.ts) run by
// runCommand: flags from their declaration, generated --help, signals, one
// error line, exit codes from harness/errors.ts.
//
//   npm run soak -- [options]                   one soak run (the default verb)
//   npm run soak -- prove <variant>|all         leaky vs fixed, per catalog variant (alias: --prove <variant>)
//   npm run soak -- compare <runA> <runB>       is the fix proven?
//   npm run soak -- calibrate [--quick]         the harness's own accuracy
//   npm run soak -- report <runDir>             the run's HTML report
//   npm run soak -- index <folder>              index.html over a folder of runs and proofs
//   npm run soak -- merge <folders…> --out DIR  many shards' runs and proofs into one folder and index, held to a baseline
//
// Exit codes (README → Exit codes): 0 no leak / fix holds, 1 leak / regression
// / failed proof, 2 usage error (nothing started), 3 run could not complete
// (compare: inconclusive), 4 the target did not serve the load, 130/143 interrupted.

import { runCommand, runMain, type Command, type CommandIo, PROCESS_IO } from './cli/command.ts';
import { soakCommand } from './cli/soak-command.ts';
import { makeProveCommand, proveAliasArgv, proveCommand } from './cli/prove-command.ts';
import { compareCommand } from './cli/compare-command.ts';
import { calibrateCommand } from './cli/calibrate-command.ts';
import { reportCommand } from './cli/report-command.ts';
import { indexCommand } from './cli/index-command.ts';
import { mergeCommand } from './cli/merge-command.ts';

/** The verbs, by the word that selects them. The default verb (a soak run) has none. */
export const COMMANDS: Readonly<Record<string, Command<never>>> = {
  prove: proveCommand as unknown as Command<never>,
  compare: compareCommand as unknown as Command<never>,
  calibrate: calibrateCommand as unknown as Command<never>,
  report: reportCommand as unknown as Command<never>,
  index: indexCommand as unknown as Command<never>,
  merge: mergeCommand as unknown as Command<never>,
};

export function main(argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number> {
  const verb = argv[0];
  if (verb !== undefined && Object.hasOwn(COMMANDS, verb)) return runCommand(COMMANDS[verb]!, argv.slice(1), io);
  // `--prove <variant>` predates the verbs and stays an alias of `prove <variant>`.
  if (argv.some((a) => a === '--prove' || a.startsWith('--prove='))) return runCommand(makeProveCommand(true), proveAliasArgv(argv), io);
  return runCommand(soakCommand, argv, io);
}

if (import.meta.main) runMain(() => main(process.argv.slice(2)), 'soak');
