// How long the fake upstream keeps an idle keep-alive client connection open.
//
// Node's http server closes an idle connection after 5 s by default; real
// providers keep theirs for minutes (and the error-body incident's relay kept
// its own for 30 min). With 5 s, a target that pins sockets (unread error
// bodies) had them closed by the fake before every drained checkpoint, and a
// blind relay's 1 005 pinned sockets read as NO-LEAK (issue #20). So the
// default is minutes, and never shorter than the harness's drain.
//
// Measured (Node 24.21.0): the connection closes keepAliveTimeout + 1 s after
// the last response (the server's keepAliveTimeoutBuffer), and the response
// carries `Keep-Alive: timeout=<keepAliveTimeout in s>`, a hint clients such
// as undici honour up to their own keepAliveMaxTimeout (600 s by default).

export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
/** The floor of the flag. The harness passes its own value and refuses one shorter than its drain cap (harness/soak/options.ts). */
export const MIN_IDLE_TIMEOUT_MS = 1_000;
export const MAX_IDLE_TIMEOUT_MS = 3_600_000;

/** Throws RangeError naming the option when `ms` is not an integer in range. */
export function checkIdleTimeout(ms: number): number {
  if (!Number.isInteger(ms) || ms < MIN_IDLE_TIMEOUT_MS || ms > MAX_IDLE_TIMEOUT_MS) {
    throw new RangeError(`idleTimeoutMs: expected an integer in [${MIN_IDLE_TIMEOUT_MS}, ${MAX_IDLE_TIMEOUT_MS}], got ${ms}`);
  }
  return ms;
}

export function applyIdleTimeout(server: { keepAliveTimeout: number }, ms: number): void {
  server.keepAliveTimeout = checkIdleTimeout(ms);
}
