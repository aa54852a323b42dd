// How the load talks to a target's client API: which API it speaks (OpenAI
// Chat Completions, OpenAI Responses, Anthropic Messages), how the client key
// is sent, which extra headers every request carries, which keys rotate, and
// which model is asked for. One object per driver, used by every client-API
// generator (chat-traffic.ts, stream-abort.ts, retry-client.ts), so the three
// cannot send different headers (issue #19: they each hard-coded theirs, and a
// gateway that routes on a provider header answered 100 % 400).
//
// Header objects are built once per key and kind, not per request: autocannon
// asks for a request on every response, and the keys list is bounded by the
// user's file.

import type { Rng } from '../../shared/prng.ts';
import {
  ANTHROPIC_VERSION,
  CHAT_PATH,
  MESSAGES_PATH,
  RESPONSES_PATH,
  chatBody,
  isChatCompletion,
  isCompleteMessage,
  isCompleteMessageStream,
  isCompleteResponse,
  isCompleteResponseStream,
  isCompleteStream,
  messagesBody,
  pickModel,
  responsesBody,
} from './payloads.ts';

export const API_PROFILES = ['chat', 'responses', 'messages'] as const;
export type ApiProfileName = (typeof API_PROFILES)[number];

export const AUTH_SCHEMES = ['bearer', 'x-api-key', 'api-key', 'none'] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

/** What one API profile sends and how it judges a 2xx body. */
export interface ApiProfile {
  readonly name: ApiProfileName;
  /** The completion route (before the target's path prefix). */
  readonly path: string;
  /** Headers the API requires on every request (overridable by --header). */
  readonly headers: Readonly<Record<string, string>>;
  /** `stream` false: a JSON completion; `includeUsage` only means something to Chat Completions. */
  body(model: string, n: number, stream: false | { includeUsage: boolean }): string;
  /** A complete JSON answer. */
  isComplete(text: string): boolean;
  /** A complete SSE answer (its terminal event is there, every event parses). */
  isCompleteStream(text: string): boolean;
}

export const API_PROFILE: Readonly<Record<ApiProfileName, ApiProfile>> = {
  chat: {
    name: 'chat',
    path: CHAT_PATH,
    headers: {},
    body: chatBody,
    isComplete: isChatCompletion,
    isCompleteStream,
  },
  responses: {
    name: 'responses',
    path: RESPONSES_PATH,
    headers: {},
    body: (model, n, stream) => responsesBody(model, n, stream !== false),
    isComplete: isCompleteResponse,
    isCompleteStream: isCompleteResponseStream,
  },
  messages: {
    name: 'messages',
    path: MESSAGES_PATH,
    headers: { 'anthropic-version': ANTHROPIC_VERSION },
    body: (model, n, stream) => messagesBody(model, n, stream !== false),
    isComplete: isCompleteMessage,
    isCompleteStream: isCompleteMessageStream,
  },
};

/** One `--header` after `${ENV}` and `{upstream}` were filled in; `{key}` is filled per request. */
export interface HeaderTemplate {
  /** Lower-case (HTTP names are case-insensitive; one spelling so a user header replaces ours). */
  readonly name: string;
  readonly value: string;
}

export interface ClientApiConfig {
  /** Default `chat`. */
  api?: ApiProfileName;
  /** Default `bearer`. */
  auth?: AuthScheme;
  /** Keys to rotate over, round-robin per request (default: the target's one client key). */
  keys?: readonly string[];
  headers?: readonly HeaderTemplate[];
  /** One model for every request; default: drawn per request from the default set (shared/accounts.ts MODELS). */
  model?: string | null;
}

export type HeaderKind = 'json' | 'sse' | 'get';

const KEY_PLACEHOLDER = '{key}';

export class ClientApi {
  readonly profile: ApiProfile;
  readonly auth: AuthScheme;
  readonly keys: readonly string[];
  readonly #headers: readonly HeaderTemplate[];
  readonly #model: string | null;
  readonly #built = new Map<string, Readonly<Record<string, string>>>();
  #next = 0;

  constructor(config: ClientApiConfig, clientKey: string) {
    this.profile = API_PROFILE[config.api ?? 'chat'];
    this.auth = config.auth ?? 'bearer';
    this.keys = config.keys !== undefined && config.keys.length > 0 ? [...config.keys] : [clientKey];
    this.#headers = config.headers ?? [];
    this.#model = config.model ?? null;
  }

  /** The key of the next request (round-robin over `keys`). */
  nextKey(): string {
    const key = this.keys[this.#next]!;
    this.#next = (this.#next + 1) % this.keys.length;
    return key;
  }

  /** The model of the next request. */
  model(rng: Rng): string {
    return this.#model ?? pickModel(rng);
  }

  /**
   * Every header of a client-API request of `kind` sent with `key`: the
   * auth header, the profile's required headers, content type and accept,
   * then the user's --header values (which win: a user may override any of ours).
   */
  headers(kind: HeaderKind, key: string): Readonly<Record<string, string>> {
    const id = `${kind}\u0000${key}`;
    let h = this.#built.get(id);
    if (h === undefined) {
      h = this.#build(kind, key);
      // Bounded: three kinds per key of the user's list.
      this.#built.set(id, h);
    }
    // A copy per request: autocannon writes Content-Length into the object it
    // is given, and a shared object then carried one request's length into
    // the next undici request (stream-abort, retries) on the same key, which
    // undici refused (UND_ERR_REQ_CONTENT_LENGTH_MISMATCH): 13 % of the
    // stream-abort phase of the reference relay's `mixed` counted as "no answer".
    return { ...h };
  }

  #build(kind: HeaderKind, key: string): Readonly<Record<string, string>> {
    const h: Record<string, string> = {};
    if (this.auth === 'bearer') h.authorization = `Bearer ${key}`;
    else if (this.auth === 'x-api-key') h['x-api-key'] = key;
    else if (this.auth === 'api-key') h['api-key'] = key;
    Object.assign(h, this.profile.headers);
    if (kind !== 'get') h['content-type'] = 'application/json';
    if (kind === 'sse') h.accept = 'text/event-stream';
    for (const { name, value } of this.#headers) h[name] = value.replaceAll(KEY_PLACEHOLDER, key);
    return h;
  }
}
