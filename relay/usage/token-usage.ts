// Token usage as upstreams report it (OpenAI `usage`), and extracting it from
// a JSON response or from the tail of an SSE stream (the final chunk when the
// client set stream_options.include_usage).

export interface TokenUsage {
  readonly prompt: number;
  readonly completion: number;
  readonly total: number;
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}

export function usageOf(value: unknown): TokenUsage | null {
  if (value === null || typeof value !== 'object') return null;
  const u = value as { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
  const prompt = count(u.prompt_tokens);
  const completion = count(u.completion_tokens);
  const total = typeof u.total_tokens === 'number' ? count(u.total_tokens) : prompt + completion;
  return { prompt, completion, total };
}

const USAGE_KEY = Buffer.from('"usage"');
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;

/**
 * Usage from a complete non-stream chat completion body, or null.
 * Hot path: only the `usage` object is parsed, not the whole completion.
 * `"usage"` with unescaped quotes cannot occur inside a JSON string value, so
 * the last occurrence is the key; the object it opens holds only numbers and
 * nested objects (`*_tokens_details`), so brace counting finds its end.
 */
export function usageFromJson(body: Buffer): TokenUsage | null {
  const key = body.lastIndexOf(USAGE_KEY);
  if (key === -1) return null;
  const start = body.indexOf(OPEN_BRACE, key + USAGE_KEY.length);
  if (start === -1) return null;
  let depth = 0;
  for (let i = start; i < body.length; i++) {
    const c = body[i];
    if (c === QUOTE) {
      // Skip a key: usage keys contain no escapes or braces.
      const close = body.indexOf(QUOTE, i + 1);
      if (close === -1) return null;
      i = close;
    } else if (c === OPEN_BRACE) depth++;
    else if (c === CLOSE_BRACE && --depth === 0) {
      try {
        return usageOf(JSON.parse(body.toString('latin1', start, i + 1)));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * Usage from the last `data: {...}` frame that carries one, searched in the
 * stream's tail (the relay keeps only the last few KiB of a stream).
 */
export function usageFromSseTail(tail: string): TokenUsage | null {
  let end = tail.length;
  for (;;) {
    const at = tail.lastIndexOf('"usage"', end);
    if (at === -1) return null;
    const lineStart = tail.lastIndexOf('\n', at) + 1;
    const lineEnd = tail.indexOf('\n', at);
    const line = tail.slice(lineStart, lineEnd === -1 ? tail.length : lineEnd).trimEnd();
    if (line.startsWith('data:')) {
      try {
        const usage = usageOf((JSON.parse(line.slice(5).trimStart()) as { usage?: unknown }).usage);
        if (usage !== null) return usage;
      } catch {
        // A frame cut by the tail window or malformed: look further back.
      }
    }
    end = lineStart - 1;
    if (end < 0) return null;
  }
}
