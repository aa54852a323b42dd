// The harness's typed errors and the one table that turns an error code into
// the process exit code (README.md → Exit codes). Every error of this project
// extends RelaySoakError (shared/errors.ts) and carries a stable `code`; the
// harness's codes start with SOAK_ERR_.

import { RelaySoakError } from '../shared/errors.ts';

export const EXIT = {
  /** No leak found (or a command that has no verdict succeeded). */
  ok: 0,
  /** LEAK verdict, regression, or a proof that failed. */
  leak: 1,
  /** Bad command line or configuration: nothing was started. */
  usage: 2,
  /** The run could not complete: target crashed, readiness timeout, harness failure. */
  incomplete: 3,
  /** The run completed but the target did not serve the load (harness/verdict/served.ts): no verdict stands. */
  unserved: 4,
  /** Interrupted by SIGHUP (128 + 1: terminal closed, ssh dropped, or the parent process gone) / SIGINT (128 + 2) / SIGTERM (128 + 15). */
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type SoakErrorCode =
  /** A bad flag, option or argument: nothing was started. */
  | 'SOAK_ERR_USAGE'
  /** A child did not print its ready line (or open its port) in time. */
  | 'SOAK_ERR_READY_TIMEOUT'
  /** A child exited before it was ready, or the fake upstream exited mid-run. */
  | 'SOAK_ERR_CHILD_EXITED'
  | 'SOAK_ERR_TARGET_CRASHED'
  /** Stopped by SIGHUP / SIGINT / SIGTERM (children stopped, folders kept). */
  | 'SOAK_ERR_SIGHUP'
  | 'SOAK_ERR_SIGINT'
  | 'SOAK_ERR_SIGTERM'
  /** The target answered no request at all in its first seconds of load (harness/soak/reachability.ts). */
  | 'SOAK_ERR_TARGET_UNREACHABLE'
  /** A run folder that cannot be created, or read as a run. */
  | 'SOAK_ERR_RUN_FOLDER'
  /** The attribution tail's snapshot diff failed (unreadable snapshot, timeout): the verdict stands. */
  | 'SOAK_ERR_ATTRIBUTION'
  /** Anything the harness did not expect (a bug): the stack is kept. */
  | 'SOAK_ERR_HARNESS';

/**
 * Exit code per error code: the one place a failure's exit code is decided.
 * Codes of other packages that reach the harness's commands are listed too
 * (scenario and flag errors are usage errors); a code not listed exits 3.
 */
export const EXIT_FOR_CODE: Readonly<Record<string, ExitCode>> = {
  SOAK_ERR_USAGE: EXIT.usage,
  SOAK_ERR_RUN_FOLDER: EXIT.usage,
  SOAK_ERR_READY_TIMEOUT: EXIT.incomplete,
  SOAK_ERR_CHILD_EXITED: EXIT.incomplete,
  SOAK_ERR_TARGET_CRASHED: EXIT.incomplete,
  SOAK_ERR_HARNESS: EXIT.incomplete,
  SOAK_ERR_ATTRIBUTION: EXIT.incomplete,
  SOAK_ERR_TARGET_UNREACHABLE: EXIT.incomplete,
  SOAK_ERR_SIGHUP: EXIT.sighup,
  SOAK_ERR_SIGINT: EXIT.sigint,
  SOAK_ERR_SIGTERM: EXIT.sigterm,
  /** Two runs that must not be compared (verdict/errors.ts). */
  SOAK_ERR_RUN_MISMATCH: EXIT.usage,
  SOAK_ERR_VERDICT_INPUT: EXIT.usage,
  /** An unreadable calibration ledger, or one that would be overwritten. */
  SOAK_ERR_CALIBRATION_LEDGER: EXIT.usage,
  /** A folder that is not a run, or a record that cannot be read (reports/errors.ts). */
  SOAK_ERR_REPORT_INPUT: EXIT.usage,
  SCENARIO_ERR_DURATION: EXIT.usage,
  SCENARIO_ERR_INVALID: EXIT.usage,
  SCENARIO_ERR_UNKNOWN: EXIT.usage,
  FLAG_ERR_INVALID: EXIT.usage,
};

/** The exit code for any thrown value (EXIT_FOR_CODE, else 3). */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof RelaySoakError) return EXIT_FOR_CODE[error.code] ?? EXIT.incomplete;
  return EXIT.incomplete;
}

export class SoakError extends RelaySoakError<SoakErrorCode> {
  /** Extra lines for the user (e.g. a child's last stderr lines). Never secrets. */
  readonly details: readonly string[];

  constructor(code: SoakErrorCode, message: string, options: { details?: readonly string[]; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details ?? [];
  }

  /** The process exit code (EXIT_FOR_CODE). */
  get exitCode(): ExitCode {
    return exitCodeOf(this);
  }
}

/** A usage error: names the flag or field, exit 2, nothing started. */
export function usageError(message: string): SoakError {
  return new SoakError('SOAK_ERR_USAGE', message);
}

/** usageError as the flag parser's error factory: `--flag: problem`. */
export function flagUsageError(flag: string, problem: string): SoakError {
  return usageError(`${flag}: ${problem}`);
}

/**
 * The signals that interrupt a command: each stops the work in order (children
 * stopped, samples flushed, summary written) and exits 128 + its number.
 * SIGHUP is one of them, not a kill: a closed terminal or a dropped ssh
 * session must leave a run folder as complete as Ctrl-C does.
 */
export const INTERRUPT_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

const INTERRUPT_CODES = { SIGHUP: 'SOAK_ERR_SIGHUP', SIGINT: 'SOAK_ERR_SIGINT', SIGTERM: 'SOAK_ERR_SIGTERM' } as const satisfies Record<InterruptSignal, SoakErrorCode>;

/** The interrupt signal named by `name` (an abort reason's message, an outcome's signal); SIGINT when it names none. */
export function interruptSignalOf(name: unknown): InterruptSignal {
  return (INTERRUPT_SIGNALS as readonly unknown[]).includes(name) ? (name as InterruptSignal) : 'SIGINT';
}

/** The exit code of a run or command interrupted by `signal` (129 / 130 / 143). */
export function exitForSignal(signal: unknown): ExitCode {
  return EXIT_FOR_CODE[INTERRUPT_CODES[interruptSignalOf(signal)]]!;
}

/** The error a command is stopped with on SIGHUP / SIGINT / SIGTERM. */
export function interruptedError(signal: string): SoakError {
  return new SoakError(INTERRUPT_CODES[interruptSignalOf(signal)], `interrupted by ${signal}`);
}

/**
 * The abort reason runCommand gives a command's signal on SIGINT/SIGTERM
 * (runSoak tells an interrupt from other aborts by its name).
 */
export function interruptReason(signal: NodeJS.Signals): Error {
  const e = new Error(signal);
  e.name = 'SoakInterrupt';
  return e;
}
