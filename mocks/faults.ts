// The fault kinds the fake upstream can inject, one stable kebab-case name
// each. The names are a contract: fault plans, the `x-mock-fault` header, the
// `mock_fault` body field, /__upstream/stats and soak reports all use them.
// Rename nothing; add new kinds at the end.
//
// `wire` says what the socket carries, `undici` what an undici 8 client
// observes (measured by mocks/faults.test.ts, see also field-notes.md).

export interface FaultSpec {
  /** HTTP status sent, or null when no status line ever reaches the client. */
  readonly status: number | null;
  readonly wire: string;
  readonly undici: string;
}

export const FAULTS = {
  '429': {
    status: 429,
    wire: '429, `Retry-After: <seconds>`, small OpenAI-style JSON error',
    undici: 'status 429',
  },
  '429-date': {
    status: 429,
    wire: '429, `Retry-After: <HTTP-date>`, small JSON error',
    undici: 'status 429',
  },
  '429-codex': {
    status: 429,
    wire: '429, `Retry-After`, codex `usage_limit_reached` body with `resets_in_seconds`',
    undici: 'status 429',
  },
  '429-large': {
    status: 429,
    wire: '429, `Retry-After`, JSON error padded to `largeBodyBytes` (≥ 256 KiB)',
    undici: 'status 429; an unread body pins the connection',
  },
  '503': { status: 503, wire: '503, small JSON error', undici: 'status 503' },
  '503-large': {
    status: 503,
    wire: '503, HTML error page of `largeBodyBytes` (≥ 256 KiB)',
    undici: 'status 503; an unread body pins the connection',
  },
  '500': { status: 500, wire: '500, small JSON error', undici: 'status 500' },
  '502': { status: 502, wire: '502, small JSON error', undici: 'status 502' },
  '504': { status: 504, wire: '504, small JSON error', undici: 'status 504' },
  'truncate-cl': {
    status: 200,
    wire: '200 keep-alive, Content-Length N, sends N/3 bytes, then closes the socket',
    undici: 'body error UND_ERR_SOCKET (other side closed)',
  },
  'truncate-cl-close': {
    status: 200,
    wire: 'as truncate-cl with `Connection: close`',
    undici: 'body error UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  },
  'truncate-chunked': {
    status: 200,
    wire: '200 chunked keep-alive, part of the body, socket closed without the final 0-chunk',
    undici: 'body error UND_ERR_SOCKET',
  },
  'truncate-chunked-close': {
    status: 200,
    wire: 'as truncate-chunked with `Connection: close`',
    undici: 'body error HTTPParserError (Invalid EOF state)',
  },
  'sse-cut': {
    status: 200,
    wire: '200 text/event-stream (chunked), a few chunks, socket closed before `[DONE]`',
    undici: 'body error UND_ERR_SOCKET',
  },
  'sse-cut-close': {
    status: 200,
    wire: 'as sse-cut with `Connection: close`',
    undici: 'body error HTTPParserError (Invalid EOF state)',
  },
  'stall-body': {
    status: 200,
    wire: '200 headers and part of the body, then silence for `stallMs`, then the socket is closed',
    undici: 'body error UND_ERR_BODY_TIMEOUT (when bodyTimeout < stallMs)',
  },
  'stall-headers': {
    status: null,
    wire: 'request read, no response for `stallMs`, then the socket is reset',
    undici: 'request error UND_ERR_HEADERS_TIMEOUT (when headersTimeout < stallMs)',
  },
  dribble: {
    status: 200,
    wire: 'complete 200 sent in `dribble.chunkBytes` chunks every `dribble.intervalMs`',
    undici: 'status 200, complete body, slowly',
  },
  latency: {
    status: 200,
    wire: 'complete 200 after `latency.baseMs` ± `latency.jitterMs` before the headers',
    undici: 'status 200, late',
  },
  reset: {
    status: null,
    wire: 'request read, then TCP RST (no status line)',
    undici: 'request error ECONNRESET',
  },
  empty: {
    status: null,
    wire: 'request read, then FIN (no status line)',
    undici: 'request error UND_ERR_SOCKET (other side closed)',
  },
  'expired-token': {
    status: 401,
    wire: '401 `invalid_api_key`-style JSON error (per-account: the token expired)',
    undici: 'status 401',
  },
  'quota-exhausted': {
    status: 429,
    wire: '429 codex `usage_limit_reached` with a long `resets_in_seconds` (per-account)',
    undici: 'status 429',
  },
  '429-stall-body': {
    status: 429,
    wire: '429 chunked, `Retry-After`, the first bytes of a JSON error, then silence for `stallMs`, then the socket is closed',
    undici: 'status 429; body error UND_ERR_BODY_TIMEOUT (when bodyTimeout < stallMs); the body keeps its socket until it ends or is destroyed',
  },
  'slow-stream': {
    status: 200,
    wire: '200 text/event-stream: the complete stream in `slowStream.chunks` writes `slowStream.intervalMs` apart (a slow generation that never idles longer than the interval)',
    undici: 'status 200, complete stream, slowly',
  },
} as const satisfies Record<string, FaultSpec>;

export type FaultKind = keyof typeof FAULTS;

export const FAULT_KINDS: readonly FaultKind[] = Object.keys(FAULTS) as FaultKind[];

const KIND_SET: ReadonlySet<string> = new Set(FAULT_KINDS);

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && KIND_SET.has(value);
}
