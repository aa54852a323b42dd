// Typed errors of the verdict engine: a stable `code` for callers (the CLI maps
// them to exit codes), a message that names the offending field, never a secret.

import { RelaySoakError } from '../../shared/errors.ts';

export type VerdictErrorCode =
  /** Two runs differ in what must be equal to compare them (scenario, seed, fault plan, Node). */
  | 'SOAK_ERR_RUN_MISMATCH'
  /** A record or option the verdict cannot use (names the field). */
  | 'SOAK_ERR_VERDICT_INPUT';

/** One field that differs between two runs. Values are short JSON renderings. */
export interface RunDifference {
  field: string;
  before: string;
  after: string;
}

export class VerdictError extends RelaySoakError<VerdictErrorCode> {
  readonly differences: readonly RunDifference[];

  constructor(code: VerdictErrorCode, message: string, differences: readonly RunDifference[] = []) {
    super(code, message);
    this.differences = differences;
  }
}
