// Secrets never reach a file. Keys go to the target through its environment,
// but a user's --target-cmd may still hold `--client-key sk-…` or a token, and
// anything the target prints (stderr tails in events) is text we did not
// write. So the harness passes every event, run.json and summary.json through
// here before writing them, and the report passes every string it shows or
// embeds: flag values of key flags, `Bearer …`, anything shaped like a key
// (`sk-…`, `mk-…`), and the run's own known secrets (the keys it generated or
// was given, whatever their shape) are replaced.

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

/** Known secrets shorter than this are not replaced verbatim: a 3-letter key would blank out ordinary words. */
export const MIN_KNOWN_SECRET = 6;

/**
 * `known`: the run's own secret values (client keys, management key, header
 * values from the environment), replaced wherever they appear, longest first
 * so a key that contains another is replaced whole.
 */
export function redactText(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const k of [...known].filter((k) => k.length >= MIN_KNOWN_SECRET).sort((a, b) => b.length - a.length)) {
    if (out.includes(k)) out = out.split(k).join(REDACTED);
  }
  return out.replace(FLAG_PATTERN, `$1$2${REDACTED}`).replace(KEY_PATTERN, REDACTED).replace(AUTH_PATTERN, `$1 ${REDACTED}`);
}

/** True when `text` still holds something redactText would replace (redaction is idempotent). */
export function holdsSecret(text: string, known: readonly string[] = []): boolean {
  return redactText(text, known) !== text;
}

/** A deep copy with every string (keys of objects too) redacted. */
export function redactDeep<T>(value: T, known: readonly string[] = []): T {
  if (typeof value === 'string') return redactText(value, known) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, known)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactText(k, known)] = redactDeep(v, known);
    return out as T;
  }
  return value;
}
