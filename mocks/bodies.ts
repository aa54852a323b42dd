// Response bodies: OpenAI chat completions (JSON and SSE chunks), OpenAI
// Responses and Anthropic Messages answers (JSON and their typed SSE events), the model
// list, codex usage, and the error bodies of the faults. Everything that does
// not depend on the request is built once; per request only the id, the
// echoed model and the token counts are spliced in (string concatenation of
// precomputed, already-escaped pieces: no JSON.stringify of whole objects on
// the hot path).

import { MODELS } from '../shared/accounts.ts';

export interface ContentOptions {
  /** Tokens in each completion (the response size knob). */
  completionTokens: number;
  /** Delay between SSE chunks (token pacing); 0 sends the whole stream at once. */
  tokenIntervalMs: number;
}

export const CONTENT_DEFAULTS: ContentOptions = { completionTokens: 16, tokenIntervalMs: 0 };

// JSON-safe words (no characters that need escaping), one token each.
const WORDS = ['The', 'quick', 'brown', 'fox', 'jumps', 'over', 'the', 'lazy', 'dog', 'while', 'relays', 'stream', 'tokens'];

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** Token estimate of a request body: ~4 bytes per token, like the usual heuristics. */
export function promptTokensOf(bodyBytes: number): number {
  return Math.max(1, Math.ceil(bodyBytes / 4));
}

function usageJson(prompt: number, completion: number): string {
  return `{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${prompt + completion}}`;
}

function errorJson(message: string, type: string, code: string | null, extra = ''): string {
  return `{"error":{"message":${JSON.stringify(message)},"type":"${type}","param":null,"code":${code === null ? 'null' : `"${code}"`}${extra}}}`;
}

export const ERROR_BODIES = {
  unauthorized: errorJson('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
  expired: errorJson('Your authentication token has expired. Please sign in again.', 'invalid_request_error', 'token_expired'),
  notFound: errorJson('Unknown route.', 'invalid_request_error', 'not_found'),
  rateLimited: errorJson('Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded'),
  overloaded: errorJson('The server is overloaded. Please try again later.', 'server_error', 'overloaded'),
  internal: errorJson('The server had an error while processing your request.', 'server_error', 'internal_error'),
  badGateway: errorJson('Bad gateway.', 'server_error', 'bad_gateway'),
  gatewayTimeout: errorJson('Gateway timeout.', 'server_error', 'gateway_timeout'),
} as const;

export function badRequestJson(message: string, param: string | null): string {
  return `{"error":{"message":${JSON.stringify(message)},"type":"invalid_request_error","param":${param === null ? 'null' : JSON.stringify(param)},"code":null}}`;
}

/** The codex `usage_limit_reached` body relays parse for `resets_in_seconds`. */
export function codexLimitJson(resetsInSeconds: number, nowMs: number): string {
  const resetsAt = Math.floor(nowMs / 1000) + resetsInSeconds;
  return `{"error":{"type":"usage_limit_reached","message":"The usage limit has been reached","plan_type":"plus","resets_at":${resetsAt},"resets_in_seconds":${resetsInSeconds}}}`;
}

/** The chat completion body, its SSE form, and the static bodies, for one content configuration. */
export class CompletionBodies {
  readonly options: ContentOptions;
  /** Unix seconds stamped into every completion (constant so bodies are reproducible). */
  readonly created: number;
  readonly modelsJson: string;
  private readonly content: string;
  /** The completion's tokens (JSON-safe words), one SSE delta each. */
  private readonly tokens: readonly string[];
  private readonly tokenChunkTails: readonly string[];
  private readonly largeCache = new Map<string, Buffer>();

  constructor(options: ContentOptions, createdMs: number) {
    this.options = options;
    this.created = Math.floor(createdMs / 1000);
    const tokens = Array.from({ length: options.completionTokens }, (_, i) => `${WORDS[i % WORDS.length]} `);
    this.content = tokens.join('');
    this.tokens = tokens;
    this.tokenChunkTails = tokens.map(
      (t) => `"choices":[{"index":0,"delta":{"content":"${t}"},"logprobs":null,"finish_reason":null}]`,
    );
    this.modelsJson = `{"object":"list","data":[${MODELS.map(
      (m) => `{"id":"${m}","object":"model","created":${this.created},"owned_by":"openai"}`,
    ).join(',')}]}`;
  }

  /** Non-streaming `chat.completion` JSON. `modelJson` is the already-JSON-encoded model. */
  completionJson(id: string, modelJson: string, promptTokens: number): string {
    return (
      `{"id":"${id}","object":"chat.completion","created":${this.created},"model":${modelJson},` +
      `"choices":[{"index":0,"message":{"role":"assistant","content":"${this.content}","refusal":null},` +
      `"logprobs":null,"finish_reason":"stop"}],"usage":${usageJson(promptTokens, this.options.completionTokens)},` +
      `"system_fingerprint":null}`
    );
  }

  /**
   * The SSE events of a streamed completion, each a complete `data: ...\n\n`
   * frame: role chunk, one chunk per token, finish chunk, the usage chunk
   * (`choices: []`) when `includeUsage`, then `[DONE]`.
   */
  sseEvents(id: string, modelJson: string, promptTokens: number, includeUsage: boolean): string[] {
    const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${this.created},"model":${modelJson},"system_fingerprint":null,`;
    const usageNull = includeUsage ? ',"usage":null' : '';
    const events: string[] = [];
    events.push(`${head}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`);
    for (const tail of this.tokenChunkTails) events.push(`${head}${tail}${usageNull}}\n\n`);
    events.push(`${head}"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]${usageNull}}\n\n`);
    if (includeUsage) events.push(`${head}"choices":[],"usage":${usageJson(promptTokens, this.options.completionTokens)}}\n\n`);
    events.push('data: [DONE]\n\n');
    return events;
  }

  /** OpenAI Responses API object (`POST /v1/responses`, not streamed). */
  responseJson(id: string, modelJson: string, promptTokens: number): string {
    return this.responseObject(id, modelJson, promptTokens, 'completed');
  }

  private responseObject(id: string, modelJson: string, promptTokens: number, status: 'completed' | 'in_progress'): string {
    const done = status === 'completed';
    const output = done
      ? `[{"type":"message","id":"msg_${id}","status":"completed","role":"assistant","content":[{"type":"output_text","text":"${this.content}","annotations":[]}]}]`
      : '[]';
    const usage = done ? `{"input_tokens":${promptTokens},"output_tokens":${this.options.completionTokens},"total_tokens":${promptTokens + this.options.completionTokens}}` : 'null';
    return `{"id":"resp_${id}","object":"response","created_at":${this.created},"status":"${status}","model":${modelJson},"output":${output},"usage":${usage}}`;
  }

  /**
   * The SSE events of a streamed Responses answer, each a complete
   * `event: …\ndata: …\n\n` frame: response.created, output_item.added,
   * content_part.added, one response.output_text.delta per token,
   * output_text.done, output_item.done, response.completed (no `[DONE]`:
   * that API ends on its completed event).
   */
  responseSseEvents(id: string, modelJson: string, promptTokens: number): string[] {
    let seq = 0;
    const frame = (type: string, rest: string) => `event: ${type}\ndata: {"type":"${type}","sequence_number":${seq++}${rest}}\n\n`;
    const item = `"item_id":"msg_${id}","output_index":0,"content_index":0`;
    const events = [
      frame('response.created', `,"response":${this.responseObject(id, modelJson, promptTokens, 'in_progress')}`),
      frame('response.output_item.added', `,"output_index":0,"item":{"type":"message","id":"msg_${id}","status":"in_progress","role":"assistant","content":[]}`),
      frame('response.content_part.added', `,${item},"part":{"type":"output_text","text":"","annotations":[]}`),
    ];
    for (const token of this.tokens) events.push(frame('response.output_text.delta', `,${item},"delta":"${token}"`));
    events.push(frame('response.output_text.done', `,${item},"text":"${this.content}"`));
    events.push(
      frame('response.output_item.done', `,"output_index":0,"item":{"type":"message","id":"msg_${id}","status":"completed","role":"assistant","content":[{"type":"output_text","text":"${this.content}","annotations":[]}]}`),
    );
    events.push(frame('response.completed', `,"response":${this.responseObject(id, modelJson, promptTokens, 'completed')}`));
    return events;
  }

  /** Anthropic Messages API object (`POST /v1/messages`, not streamed). */
  messageJson(id: string, modelJson: string, promptTokens: number): string {
    return (
      `{"id":"msg_${id}","type":"message","role":"assistant","model":${modelJson},"content":[{"type":"text","text":"${this.content}"}],` +
      `"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":${promptTokens},"output_tokens":${this.options.completionTokens}}}`
    );
  }

  /**
   * The SSE events of a streamed Messages answer: message_start,
   * content_block_start, ping, one content_block_delta per token,
   * content_block_stop, message_delta (stop_reason), message_stop.
   */
  messageSseEvents(id: string, modelJson: string, promptTokens: number): string[] {
    const frame = (type: string, rest: string) => `event: ${type}\ndata: {"type":"${type}"${rest}}\n\n`;
    const events = [
      frame(
        'message_start',
        `,"message":{"id":"msg_${id}","type":"message","role":"assistant","model":${modelJson},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":${promptTokens},"output_tokens":1}}`,
      ),
      frame('content_block_start', ',"index":0,"content_block":{"type":"text","text":""}'),
      frame('ping', ''),
    ];
    for (const token of this.tokens) events.push(frame('content_block_delta', `,"index":0,"delta":{"type":"text_delta","text":"${token}"}`));
    events.push(frame('content_block_stop', ',"index":0'));
    events.push(frame('message_delta', `,"delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${this.options.completionTokens}}`));
    events.push(frame('message_stop', ''));
    return events;
  }

  /** A JSON error body padded to exactly `bytes` (cached: the soak asks for the same sizes again and again). */
  largeJsonError(bytes: number): Buffer {
    return this.large(`json:${bytes}`, () => {
      const head = ERROR_BODIES.rateLimited.slice(0, -2) + ',"detail":"';
      const tail = '"}}';
      return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
    });
  }

  /** An HTML error page (what a proxy in front of the provider returns) of exactly `bytes`. */
  largeHtmlError(bytes: number): Buffer {
    return this.large(`html:${bytes}`, () => {
      const head = '<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1><!-- ';
      const tail = ' --></body></html>';
      return head + '.'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
    });
  }

  private large(key: string, build: () => string): Buffer {
    let body = this.largeCache.get(key);
    if (!body) this.largeCache.set(key, (body = Buffer.from(build(), 'latin1')));
    return body;
  }
}

/** Codex-like `GET /backend-api/wham/usage` body for one account. */
export function usageJsonFor(usedPercent: number, limitReached: boolean, resetAfterSeconds: number, nowMs: number): string {
  const now = Math.floor(nowMs / 1000);
  const weekly = Math.min(100, Math.round(usedPercent / 3));
  return (
    `{"plan_type":"plus","rate_limit":{"allowed":${!limitReached},"limit_reached":${limitReached},` +
    `"primary_window":{"used_percent":${usedPercent},"limit_window_seconds":18000,"reset_after_seconds":${resetAfterSeconds},"reset_at":${now + resetAfterSeconds}},` +
    `"secondary_window":{"used_percent":${weekly},"limit_window_seconds":604800,"reset_after_seconds":${resetAfterSeconds * 4},"reset_at":${now + resetAfterSeconds * 4}}},` +
    `"credits":null}`
  );
}
