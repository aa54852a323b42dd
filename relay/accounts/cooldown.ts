// Cooldown rules, as real relays (CLIProxyAPI, new-api) apply them after an
// upstream answer. Pure functions: the pool decides what to do with the result.
//
//   429  codex body {"error":{"type":"usage_limit_reached","resets_in_seconds":N}}
//        (the quota's own reset time: more specific than a generic header),
//        else Retry-After (seconds or HTTP-date),
//        else exponential backoff 1 s·2^n capped at 30 min (n = consecutive 429s)
//   401/402/403      30 min (credentials or billing: will not heal soon)
//   404              12 h   (model not served by this account)
//   408/500/502/503/504, network errors   1 min
//   anything else    no cooldown

export const COOLDOWN_MS = {
  auth: 30 * 60_000,
  notFound: 12 * 3_600_000,
  transient: 60_000,
  backoffBase: 1_000,
  backoffCap: 30 * 60_000,
} as const;

/** Upper bound on any server-provided delay we honour (a hostile Retry-After cannot park an account for years). */
const MAX_HONOURED_MS = 24 * 3_600_000;

/**
 * Retry-After as a delay in ms from `now`, or undefined when absent or
 * unparseable. Accepts delta-seconds and HTTP-date (RFC 9110 §10.2.3).
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_HONOURED_MS);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_HONOURED_MS);
}

/** `resets_in_seconds` from a codex usage-limit body, in ms; undefined when the body is not one. */
export function codexResetDelay(body: Buffer): number | undefined {
  // Cheap pre-check: most 429 bodies are not codex ones, skip the parse.
  if (body.length === 0 || body.indexOf('resets_in_seconds') === -1) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: { type?: unknown; resets_in_seconds?: unknown } } | null)?.error;
  if (error?.type !== 'usage_limit_reached') return undefined;
  const seconds = error.resets_in_seconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(seconds * 1000, MAX_HONOURED_MS);
}

export function backoffDelay(consecutive429: number): number {
  // 2^n overflows to Infinity for large n: cap the exponent first.
  return Math.min(COOLDOWN_MS.backoffBase * 2 ** Math.min(consecutive429, 31), COOLDOWN_MS.backoffCap);
}

/**
 * Cooldown for a non-2xx upstream status that is not 429 (429 needs headers
 * and body: see cooldownFor429). 0 = no cooldown.
 */
export function cooldownForStatus(status: number): number {
  switch (status) {
    case 401:
    case 402:
    case 403:
      return COOLDOWN_MS.auth;
    case 404:
      return COOLDOWN_MS.notFound;
    case 408:
    case 500:
    case 502:
    case 503:
    case 504:
      return COOLDOWN_MS.transient;
    default:
      return 0;
  }
}

export function cooldownFor429(
  retryAfter: string | string[] | undefined,
  body: Buffer,
  consecutive429: number,
  now: number,
): number {
  return codexResetDelay(body) ?? parseRetryAfter(retryAfter, now) ?? backoffDelay(consecutive429);
}

/**
 * Whether an upstream status is about the account (try another one) rather
 * than about the request (the same request would fail anywhere: pass it on).
 */
export function isAccountScoped(status: number): boolean {
  return status === 429 || status >= 500 || status === 401 || status === 402 || status === 403 || status === 404 || status === 408;
}
