// The one base of every typed error in this project. Each error carries a
// stable `code` that callers, tests and the CLIs match on, never the message.
// One prefix per package, as undici does with UND_ERR_*:
//   SOAK_ERR_*      harness/ (run, load, sampler, verdict, calibration)
//   SCENARIO_ERR_*  scenarios/
//   RELAY_ERR_*     relay/
//   MOCK_ERR_*      mocks/
//   FLAG_ERR_*      shared/cli (command-line flags)
// Messages name the flag or field at fault and never carry a secret.

export type ErrorPrefix = 'SOAK_ERR_' | 'SCENARIO_ERR_' | 'RELAY_ERR_' | 'MOCK_ERR_' | 'FLAG_ERR_';

export class RelaySoakError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** True for any error of this project (optionally: with that code, or a code with that prefix). */
export function isRelaySoakError(error: unknown, codeOrPrefix?: string): error is RelaySoakError {
  return error instanceof RelaySoakError && (codeOrPrefix === undefined || error.code === codeOrPrefix || (codeOrPrefix.endsWith('_') && error.code.startsWith(codeOrPrefix)));
}
