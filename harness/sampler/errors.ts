// Errors the sampler modules throw across module boundaries. Callers branch on
// `code`, never on message text. Messages name the pid, path or URL involved
// and never carry secrets (metrics URLs are printed without credentials).

import { RelaySoakError } from '../../shared/errors.ts';

export type SamplerErrorCode =
  /** The target process has exited (or is a zombie): stop sampling it. */
  | 'SOAK_ERR_TARGET_GONE'
  /** /proc could not be read for another reason (permissions, not Linux). */
  | 'SOAK_ERR_PROC_UNREADABLE'
  /** A probe request got no answer within its timeout. */
  | 'SOAK_ERR_PROBE_TIMEOUT'
  /** No probe listens on the socket, or the connection to it was lost. */
  | 'SOAK_ERR_PROBE_UNAVAILABLE'
  /** The probe answered something that is not a well-formed response. */
  | 'SOAK_ERR_PROBE_PROTOCOL'
  /** The probe answered with an error; its own code is in `remoteCode`. */
  | 'SOAK_ERR_PROBE_REMOTE'
  /** /metrics did not answer within its timeout. */
  | 'SOAK_ERR_METRICS_TIMEOUT'
  /** /metrics could not be reached or answered a non-200 status. */
  | 'SOAK_ERR_METRICS_UNAVAILABLE'
  /** The Node inspector of an attached process could not be opened, reached or used (inspector-attach.ts). */
  | 'SOAK_ERR_INSPECTOR';

export class SamplerError extends RelaySoakError<SamplerErrorCode> {
  /** For SOAK_ERR_PROBE_REMOTE: the probe's error code (see harness/probe/protocol.ts). */
  readonly remoteCode: string | undefined;

  constructor(code: SamplerErrorCode, message: string, options?: { cause?: unknown; remoteCode?: string }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.remoteCode = options?.remoteCode;
  }
}

export function isSamplerError(error: unknown, code?: SamplerErrorCode): error is SamplerError {
  return error instanceof SamplerError && (code === undefined || error.code === code);
}
