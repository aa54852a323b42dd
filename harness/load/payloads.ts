// What the load sends to the relay's client API, and how a response body is
// judged. Verification matters: autocannon and most clients count any
// complete 2xx as a success, so a relay that passes a truncated upstream body
// through with fresh framing would look healthy without these checks.

import { MODELS, type ModelId } from '../../shared/accounts.ts';
import type { Rng } from '../../shared/prng.ts';

export const CHAT_PATH = '/v1/chat/completions';
export const MODELS_PATH = '/v1/models';

export function pickModel(rng: Rng): ModelId {
  return MODELS[Math.floor(rng() * MODELS.length)]!;
}

/** A small chat request; `n` makes bodies differ like real prompts do. */
export function chatBody(model: ModelId, n: number, stream: false | { includeUsage: boolean }): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: `soak request ${n}: say hello` }],
    max_tokens: 64,
    ...(stream === false ? {} : { stream: true, ...(stream.includeUsage ? { stream_options: { include_usage: true } } : {}) }),
  });
}

/** The JSON object in `text`, or null (malformed, or not an object). */
export function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A complete chat completion: parseable JSON with a non-empty `choices` array. */
export function isChatCompletion(text: string): boolean {
  const body = parseObject(text);
  return body !== null && Array.isArray(body.choices) && body.choices.length > 0;
}

/** `GET /v1/models`: `{ data: [...] }`. */
export function isModelList(text: string): boolean {
  const body = parseObject(text);
  return body !== null && Array.isArray(body.data);
}

/** Any JSON object (management answers). */
export function isJsonObject(text: string): boolean {
  return parseObject(text) !== null;
}

/**
 * A complete SSE completion: every `data:` payload but the last is a JSON
 * object and the last is `[DONE]`. A stream cut and re-framed by the relay
 * fails here (no `[DONE]`, or a half JSON event).
 */
export function isCompleteStream(text: string): boolean {
  let last: string | null = null;
  let events = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (last !== null) {
      if (last === '[DONE]' || parseObject(last) === null) return false;
    }
    last = data;
    events++;
  }
  return events > 0 && last === '[DONE]';
}

/** Counts complete SSE events (blank-line terminated) in a chunk of text. */
export function countEvents(text: string): number {
  let count = 0;
  let i = text.indexOf('\n\n');
  while (i !== -1) {
    count++;
    i = text.indexOf('\n\n', i + 2);
  }
  return count;
}
