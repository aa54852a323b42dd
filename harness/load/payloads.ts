// What the load sends to the relay's client API, and how a response body is
// judged. Verification matters: autocannon and most clients count any
// complete 2xx as a success, so a relay that passes a truncated upstream body
// through with fresh framing would look healthy without these checks.

import { MODELS, type ModelId } from '../../shared/accounts.ts';
import type { Rng } from '../../shared/prng.ts';

export const CHAT_PATH = '/v1/chat/completions';
export const MODELS_PATH = '/v1/models';
/** OpenAI Responses API. */
export const RESPONSES_PATH = '/v1/responses';
/** Anthropic Messages API. */
export const MESSAGES_PATH = '/v1/messages';
/** The Messages API refuses requests without it; this is the version its docs' examples send. */
export const ANTHROPIC_VERSION = '2023-06-01';

export function pickModel(rng: Rng): ModelId {
  return MODELS[Math.floor(rng() * MODELS.length)]!;
}

/** A small chat request; `n` makes bodies differ like real prompts do. */
export function chatBody(model: string, n: number, stream: false | { includeUsage: boolean }): string {
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

/** A small OpenAI Responses request (`input` as a plain string, the API's shortest form). */
export function responsesBody(model: string, n: number, stream: boolean): string {
  return JSON.stringify({ model, input: `soak request ${n}: say hello`, max_output_tokens: 64, ...(stream ? { stream: true } : {}) });
}

/** A small Anthropic Messages request (`max_tokens` is required by that API). */
export function messagesBody(model: string, n: number, stream: boolean): string {
  return JSON.stringify({ model, max_tokens: 64, messages: [{ role: 'user', content: `soak request ${n}: say hello` }], ...(stream ? { stream: true } : {}) });
}

/**
 * A complete Responses object: `object: "response"`, `status: "completed"`,
 * and an output message holding an `output_text` part. A body cut anywhere
 * fails the parse; a re-framed partial response fails the status.
 */
export function isCompleteResponse(text: string): boolean {
  const body = parseObject(text);
  if (body === null || body.object !== 'response' || body.status !== 'completed' || !Array.isArray(body.output)) return false;
  return body.output.some((item) => {
    const content = (item as { type?: unknown; content?: unknown } | null)?.content;
    return Array.isArray(content) && content.some((c) => (c as { type?: unknown })?.type === 'output_text' && typeof (c as { text?: unknown }).text === 'string');
  });
}

/** A complete Messages object: `type: "message"`, non-empty `content`, and a `stop_reason` (null while it is still streaming). */
export function isCompleteMessage(text: string): boolean {
  const body = parseObject(text);
  return body !== null && body.type === 'message' && Array.isArray(body.content) && body.content.length > 0 && typeof body.stop_reason === 'string';
}

interface SseEvent {
  /** The `event:` field, or null. */
  name: string | null;
  data: Record<string, unknown> | null;
}

/**
 * The events of a typed SSE body (Responses, Messages): each blank-line
 * terminated block's `event:` and its `data:` parsed as a JSON object. null
 * when a block is malformed (data that is not a JSON object, an `event:` that
 * disagrees with the data's `type`) or the body does not end with a complete
 * block: what a cut or re-framed stream looks like.
 */
function typedEvents(text: string): SseEvent[] | null {
  const body = text.replace(/\r\n/g, '\n');
  if (!body.endsWith('\n\n')) return null;
  const events: SseEvent[] = [];
  for (const block of body.split('\n\n')) {
    if (block.trim() === '') continue;
    let name: string | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length === 0) {
      // A comment or keep-alive block (`: ping`) carries nothing to check.
      if (name === null) continue;
      return null;
    }
    const parsed = parseObject(data.join('\n'));
    if (parsed === null || typeof parsed.type !== 'string' || (name !== null && name !== parsed.type)) return null;
    events.push({ name, data: parsed });
  }
  return events;
}

/**
 * A complete Responses stream: `response.created` first, at least one
 * `response.output_text.delta`, and `response.completed` (status completed)
 * last. A stream cut before its end has no `response.completed`.
 */
export function isCompleteResponseStream(text: string): boolean {
  const events = typedEvents(text);
  if (events === null || events.length < 3) return false;
  const types = events.map((e) => e.data!.type);
  const last = events.at(-1)!.data!;
  const response = last.response as { status?: unknown } | undefined;
  return types[0] === 'response.created' && types.includes('response.output_text.delta') && last.type === 'response.completed' && response?.status === 'completed' && types.indexOf('response.completed') === types.length - 1;
}

/**
 * A complete Messages stream: `message_start` first, at least one
 * `content_block_delta`, a `message_delta` with a stop reason, and
 * `message_stop` last (nothing after it).
 */
export function isCompleteMessageStream(text: string): boolean {
  const events = typedEvents(text);
  if (events === null || events.length < 3) return false;
  const types = events.map((e) => e.data!.type);
  const stopped = events.some((e) => e.data!.type === 'message_delta' && typeof (e.data!.delta as { stop_reason?: unknown } | undefined)?.stop_reason === 'string');
  return types[0] === 'message_start' && types.includes('content_block_delta') && stopped && types.indexOf('message_stop') === types.length - 1;
}
