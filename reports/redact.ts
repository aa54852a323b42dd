// Secrets never reach the page. run.json carries no keys by design (they go to
// the target through its environment), but a user's --target-cmd may still
// hold `--client-key sk-…`, and anything embedded (events' data, relay gauge
// names, stderr tails) is text we did not write. So every string that goes into
// the page passes through here: flag values of key flags, and anything shaped
// like a key (`sk-…`, `mk-…`), are replaced.

export const REDACTED = '[redacted]';

/** Flags whose value is a secret, as `--flag value` or `--flag=value`. */
const KEY_FLAGS = ['client-key', 'management-key', 'api-key', 'admin-key'];
const FLAG_PATTERN = new RegExp(`(--(?:${KEY_FLAGS.join('|')}))(=|\\s+)(?:"[^"]*"|'[^']*'|\\S+)`, 'g');
/**
 * Key-shaped tokens: the relay's client keys and management keys (`sk-…`,
 * `mk-…`) and the common provider forms. Six characters after the prefix, so
 * words like `task-id` or `risk-free` are left alone.
 */
const KEY_PATTERN = /\b(?:sk|mk|rk|pk)-[A-Za-z0-9_-]{6,}/g;
const AUTH_PATTERN = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

export function redactText(text: string): string {
  return text.replace(FLAG_PATTERN, `$1$2${REDACTED}`).replace(KEY_PATTERN, REDACTED).replace(AUTH_PATTERN, `$1 ${REDACTED}`);
}

/** True when `text` still holds something redactText would replace (redaction is idempotent). */
export function holdsSecret(text: string): boolean {
  return redactText(text) !== text;
}

/** A deep copy with every string (keys of objects too) redacted. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactText(k)] = redactDeep(v);
    return out as T;
  }
  return value;
}
