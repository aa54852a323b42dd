// Errors the load driver throws across its boundary. Messages name the field
// and never contain a key (client, management or account token).

import { RelaySoakError } from '../../shared/errors.ts';

export type LoadErrorCode =
  /** createLoad got an unusable target (bad URL, accounts, seed, missing key). */
  | 'SOAK_ERR_LOAD_TARGET'
  /** runSegment got an unusable argument (duration, phase). */
  | 'SOAK_ERR_LOAD_INVALID'
  /** runSegment was called while another segment was running. */
  | 'SOAK_ERR_LOAD_BUSY'
  /** The driver was closed. */
  | 'SOAK_ERR_LOAD_CLOSED';

export class LoadError extends RelaySoakError<LoadErrorCode> {
  readonly field: string;

  constructor(code: LoadErrorCode, field: string, message: string) {
    super(code, `${field}: ${message}`);
    this.field = field;
  }
}
