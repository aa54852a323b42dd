// The one error reports/ throws: the run folder cannot be read as a run. Its
// message names the file (and the line, for a record file) so the user knows
// what to fix; nothing is written when it is thrown.

import { RelaySoakError } from '../shared/errors.ts';

export type ReportErrorCode = 'SOAK_ERR_REPORT_INPUT';

export class ReportError extends RelaySoakError<ReportErrorCode> {
  /** The file at fault (the folder itself when it does not exist). */
  readonly file: string;
  /** 1-based line of an NDJSON record that cannot be read, when that is the fault. */
  readonly line: number | null;

  constructor(file: string, line: number | null, problem: string, options?: { cause?: unknown }) {
    super('SOAK_ERR_REPORT_INPUT', `${file}${line === null ? '' : `:${line}`}: ${problem}`, options);
    this.file = file;
    this.line = line;
  }
}
