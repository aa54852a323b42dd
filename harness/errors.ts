// Typed harness errors. Each carries a stable `code` and the process exit code
// the CLI maps it to (documented in README.md → Exit codes).

export const EXIT = {
  /** No leak found (or a command that has no verdict succeeded). */
  ok: 0,
  /** LEAK verdict, regression, or a proof that failed. */
  leak: 1,
  /** Bad command line or configuration: nothing was started. */
  usage: 2,
  /** The run could not complete: target crashed, readiness timeout, harness failure. */
  incomplete: 3,
  /** Interrupted by SIGINT (128 + 2) / SIGTERM (128 + 15). */
  sigint: 130,
  sigterm: 143,
} as const;

export type SoakErrorCode =
  | 'SOAK_ERR_USAGE'
  | 'SOAK_ERR_READY_TIMEOUT'
  | 'SOAK_ERR_CHILD_EXITED'
  | 'SOAK_ERR_TARGET_CRASHED'
  | 'SOAK_ERR_INTERRUPTED'
  | 'SOAK_ERR_RUN_FOLDER';

export class SoakError extends Error {
  readonly code: SoakErrorCode;
  readonly exitCode: number;
  /** Extra lines for the user (e.g. a child's last stderr lines). Never secrets. */
  readonly details: readonly string[];

  constructor(code: SoakErrorCode, message: string, options: { exitCode?: number; details?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SoakError';
    this.code = code;
    this.exitCode = options.exitCode ?? (code === 'SOAK_ERR_USAGE' ? EXIT.usage : EXIT.incomplete);
    this.details = options.details ?? [];
  }
}

/** A usage error: names the flag or field, exit 2, nothing started. */
export function usageError(message: string): SoakError {
  return new SoakError('SOAK_ERR_USAGE', message, { exitCode: EXIT.usage });
}
