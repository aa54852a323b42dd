// The one error type scenarios/ throws. `field` names what was wrong (a CLI
// flag like `--duration`, or a path like `phases[2].mix.chat`) so the CLI can
// print one clear line and exit 2 without parsing messages.

import { RelaySoakError } from '../shared/errors.ts';

export type ScenarioErrorCode =
  /** A duration string or value could not be parsed or is not positive. */
  | 'SCENARIO_ERR_DURATION'
  /** A scenario definition or override is invalid. */
  | 'SCENARIO_ERR_INVALID'
  /** No scenario has that name. */
  | 'SCENARIO_ERR_UNKNOWN';

export class ScenarioError extends RelaySoakError<ScenarioErrorCode> {
  /** The flag or field at fault, e.g. `--rate` or `phases[1].durationShare`. */
  readonly field: string;
  /** Every scenario error is a usage error: the CLI exits 2 and starts nothing. */
  readonly exitCode = 2;

  constructor(code: ScenarioErrorCode, field: string, message: string) {
    super(code, message);
    this.field = field;
  }
}
