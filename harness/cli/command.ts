// One way to run a command: the soak CLI, each of its verbs and the benches
// that wrap one all go through runCommand, so flags are parsed from their
// declaration, --help is generated from it, SIGHUP/SIGINT/SIGTERM (and the
// parent process dying) abort the work
// (children are stopped, folders kept), errors are printed as one line naming
// the flag or field, and the exit code comes from harness/errors.ts.

import { flagHelpLines, parseFlags, type FlagSpecs, type FlagValues } from '../../shared/cli/flags.ts';
import { RelaySoakError } from '../../shared/errors.ts';
// Only leaves: bench children that are measured (bench/passthrough-proxy.ts,
// bench/upstream.bench.ts --serve) run through this file and must not load the harness.
import { EXIT, exitCodeOf, flagUsageError, INTERRUPT_SIGNALS, interruptedError, interruptReason, interruptSignalOf, SoakError, usageError } from '../errors.ts';
import { watchParent } from '../run/parent-watch.ts';

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface CommandRun<S extends FlagSpecs> {
  values: FlagValues<S>;
  positionals: string[];
  /** Flags the user typed (not defaults). */
  given: ReadonlySet<keyof S & string>;
  io: CommandIo;
  /** Aborted on SIGHUP/SIGINT/SIGTERM (or the parent's death) with the soak's interrupt reason. */
  signal: AbortSignal;
}

export interface Command<S extends FlagSpecs = FlagSpecs> {
  /** What error lines start with: `soak`, `soak compare`, `bench:calibrate`. */
  name: string;
  /** `npm run soak -- compare <runA> <runB> [options]` */
  usage: string;
  /** What it does, a few lines. */
  about: readonly string[];
  flags: S;
  /** Positional arguments: how many, and their names for errors. */
  positionals?: { min: number; max: number; names: string };
  examples?: readonly string[];
  /** Extra help sections (subcommands, notes). */
  more?: readonly string[];
  /** `0 …, 1 …` lines. */
  exitCodes: readonly string[];
  run(run: CommandRun<S>): Promise<number> | number;
}

export const PROCESS_IO: CommandIo = { stdout: process.stdout, stderr: process.stderr };

export function helpText(command: Command): string {
  const lines = [`Usage: ${command.usage}`, '', ...command.about, '', 'Options:', ...flagHelpLines(command.flags)];
  if (command.more && command.more.length > 0) lines.push('', ...command.more);
  if (command.examples && command.examples.length > 0) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  lines.push('', 'Exit codes:', ...command.exitCodes.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** Print an error as the user should read it: one line naming the flag or field, then its details. */
export function printError(name: string, err: unknown, io: CommandIo): number {
  if (err instanceof RelaySoakError) {
    io.stderr.write(`${name}: ${err.message}\n`);
    if (err instanceof SoakError) for (const d of err.details) io.stderr.write(`${d}\n`);
    return exitCodeOf(err);
  }
  io.stderr.write(`${name}: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.incomplete;
}

/** Parse, help, run with signals wired, print errors: the exit code. Never throws. */
export async function runCommand<S extends FlagSpecs>(command: Command<S>, argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number> {
  let parsed: ReturnType<typeof parseFlags<S>>;
  try {
    parsed = parseFlags(command.flags, argv, { positionals: command.positionals !== undefined, error: flagUsageError });
    if ((parsed.values as Record<string, unknown>).help === true) {
      io.stdout.write(helpText(command) + '\n');
      return EXIT.ok;
    }
    const p = command.positionals;
    if (p && (parsed.positionals.length < p.min || parsed.positionals.length > p.max)) {
      throw usageError(`expected ${p.names}, got ${parsed.positionals.length} argument(s)`);
    }
  } catch (err) {
    const code = printError(command.name, err, io);
    // A verb with arguments shows how it is called; the soak flags' own error stays one line.
    if (command.positionals) io.stderr.write(`Usage: ${command.usage}\n`);
    return code;
  }
  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals, why = '') => {
    if (controller.signal.aborted) return;
    io.stderr.write(`\n${signal}${why}: stopping ${command.name} and its children…\n`);
    controller.abort(interruptReason(signal));
  };
  // (Node passes the signal's number as a second argument: not a `why`.)
  const onSignal = (signal: NodeJS.Signals) => interrupt(signal);
  for (const s of INTERRUPT_SIGNALS) process.on(s, onSignal);
  // A parent that dies without a signal reaching us (npm or a CI runner
  // SIGKILLed) leaves the run orphaned: that is a hang-up, handled as one.
  const parent = watchParent(() => interrupt('SIGHUP', ' (the parent process exited)'));
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals, given: parsed.given, io, signal: controller.signal });
  } catch (err) {
    return printError(command.name, err, io);
  } finally {
    for (const s of INTERRUPT_SIGNALS) process.off(s, onSignal);
    parent.stop();
  }
}

/** The entry of an executable file: run, set process.exitCode (never process.exit: output is flushed first). */
export function runMain(main: () => Promise<number>, name: string): void {
  // `… | head` closes the pipe early (EPIPE), a closed terminal or a dropped
  // ssh session leaves a dead tty (EIO): the reader's choice or the reason for
  // a SIGHUP, never a reason to die mid-run. The output is lost; the run goes
  // on to stop its children and write its summary to the run folder.
  const quietOnHangUp = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'EIO') return;
    throw err;
  };
  process.stdout.on('error', quietOnHangUp);
  process.stderr.on('error', quietOnHangUp);
  main().then(
    (code) => {
      process.exitCode = code;
      exitOnceIdle(name);
    },
    (err) => {
      process.exitCode = printError(name, err, PROCESS_IO);
      exitOnceIdle(name);
    },
  );
}

/**
 * The command is done and its output written: the process should now exit on
 * its own. If something it started is still holding the event loop (a socket
 * a failed step never closed, a timer), the process would linger for the rest
 * of a soak's duration, orphaned once its parent is gone: say what holds it,
 * then exit with the command's code. The timer is unref'd, so a clean exit
 * never waits for it.
 */
export const LINGER_MS = 5_000;

function exitOnceIdle(name: string): void {
  setTimeout(() => {
    const holding = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'Timeout');
    process.stderr.write(`${name}: still running ${LINGER_MS / 1000} s after the command ended (holding: ${holding.join(', ') || 'nothing visible'}); exiting\n`);
    process.exit(process.exitCode ?? EXIT.incomplete);
  }, LINGER_MS).unref();
}

// For a command's run(): the signal runCommand passes, as the steps of its work see it.

/** The error a command stops with once `signal` is aborted: one line `name: interrupted by SIGINT`, exit 130 (143 for SIGTERM). */
export function interruptOf(signal: AbortSignal): SoakError {
  return interruptedError(interruptSignalOf((signal.reason as Error | undefined)?.message));
}

/** Throws interruptOf(signal) if it is aborted: the check between two steps. */
export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw interruptOf(signal);
}

/** Resolves once `signal` is aborted (at once if it already is): a server's run() awaits it, then closes. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** `work`'s value, or interruptOf(signal) thrown as soon as it aborts. `work` goes on: stop what it started in a finally. */
export async function orInterrupt<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  throwIfInterrupted(signal);
  let onAbort = (): void => {};
  const interrupted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interruptOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, interrupted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
