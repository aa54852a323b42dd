// Upstream failure classification by undici error code (see
// /work/shared/notes/field-notes.md for what each wire fault looks like).
//
//   timeout  UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT          → 504, no failover
//            (the client already waited the whole budget once)
//   broken   UND_ERR_SOCKET, UND_ERR_RES_CONTENT_LENGTH_MISMATCH,
//            ECONNRESET, EPIPE, HTTPParserError / HPE_*            → 502, failover
//   connect  ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, ENOTFOUND, ...   → 502, failover
//   aborted  our own abort (client gone, cancel, shutdown)           → no upstream blame
//   other    anything unrecognised                                  → 502, failover

export type UpstreamErrorClass = 'timeout' | 'broken' | 'connect' | 'aborted' | 'too_large' | 'other';

export const UPSTREAM_ERROR_CLASSES: readonly UpstreamErrorClass[] = ['timeout', 'broken', 'connect', 'aborted', 'too_large', 'other'];

const BY_CODE: ReadonlyMap<string, UpstreamErrorClass> = new Map([
  ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
  ['UND_ERR_BODY_TIMEOUT', 'timeout'],
  ['UND_ERR_SOCKET', 'broken'],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'broken'],
  ['UND_ERR_CLOSED', 'broken'],
  ['ECONNRESET', 'broken'],
  ['EPIPE', 'broken'],
  ['ECONNREFUSED', 'connect'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connect'],
  ['UND_ERR_CONNECT', 'connect'],
  ['ENOTFOUND', 'connect'],
  ['EAI_AGAIN', 'connect'],
  ['EHOSTUNREACH', 'connect'],
  ['ENETUNREACH', 'connect'],
  ['UND_ERR_ABORTED', 'aborted'],
  ['ABORT_ERR', 'aborted'],
  ['UND_ERR_RES_EXCEEDED_MAX_SIZE', 'too_large'],
  // The relay's own RelayError codes for failures it detects itself.
  ['RELAY_ERR_UPSTREAM_TIMEOUT', 'timeout'],
  ['RELAY_ERR_UPSTREAM_BROKEN', 'broken'],
  ['RELAY_ERR_UPSTREAM_CONNECT', 'connect'],
  ['RELAY_ERR_UPSTREAM_TOO_LARGE', 'too_large'],
  ['RELAY_ERR_CLIENT_ABORTED', 'aborted'],
  ['RELAY_ERR_REQUEST_CANCELLED', 'aborted'],
  ['RELAY_ERR_SHUTTING_DOWN', 'aborted'],
]);

export function classifyUpstreamError(err: unknown): UpstreamErrorClass {
  const e = err as { code?: unknown; name?: unknown; cause?: unknown } | null;
  if (e === null || typeof e !== 'object') return 'other';
  if (e.name === 'AbortError') return 'aborted';
  if (e.name === 'HTTPParserError' || (typeof e.code === 'string' && e.code.startsWith('HPE_'))) return 'broken';
  if (typeof e.code === 'string') {
    const cls = BY_CODE.get(e.code);
    if (cls !== undefined) return cls;
  }
  // fetch-style wrapping ("terminated" + cause) or an AggregateError from happy eyeballs.
  if (e.cause !== undefined && e.cause !== err) return classifyUpstreamError(e.cause);
  return 'other';
}

/** The HTTP status the client gets for a failure of this class. */
export function statusForClass(cls: UpstreamErrorClass): number {
  return cls === 'timeout' ? 504 : 502;
}

/** Whether another account may be tried after this failure (before anything was committed). */
export function isFailoverClass(cls: UpstreamErrorClass): boolean {
  return cls === 'broken' || cls === 'connect' || cls === 'other';
}
