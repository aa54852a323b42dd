// Errors the load driver throws across its boundary. Messages name the field
// and never contain a key (client, management or account token).

export type LoadErrorCode =
  /** createLoad got an unusable target (bad URL, accounts, seed, missing key). */
  | 'ERR_LOAD_TARGET'
  /** runSegment got an unusable argument (duration, phase). */
  | 'ERR_LOAD_INVALID'
  /** runSegment was called while another segment was running. */
  | 'ERR_LOAD_BUSY'
  /** The driver was closed. */
  | 'ERR_LOAD_CLOSED';

export class LoadError extends Error {
  readonly code: LoadErrorCode;
  readonly field: string;

  constructor(code: LoadErrorCode, field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'LoadError';
    this.code = code;
    this.field = field;
  }
}
