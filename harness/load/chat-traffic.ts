// Client-API traffic through autocannon: JSON and SSE completions of the
// run's API profile (client-api.ts: Chat Completions, Responses or Messages),
// Idempotency-Key requests and /v1/models, picked per request by weight.
//
// Per request, autocannon calls (synchronously, in this order, on one
// connection with pipelining 1): setupRequest (we pick the kind and remember
// it in the connection's context) → … → onResponse(status, body, context) (we
// verify the body for that kind) → the instance's 'response' event (we record
// status and latency with the verdict just computed). The verdict therefore
// passes through `pendingVerdict` without any per-request storage.

import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { createRng, type Rng } from '../../shared/prng.ts';
import type { ResolvedSettings } from '../../scenarios/index.ts';
import { clientBusy, drainClient, hardenClient, staggerRate, type AutocannonClient } from './autocannon-client.ts';
import type { ClientApi } from './client-api.ts';
import { MODELS_PATH, isModelList } from './payloads.ts';
import { CHAT_ERROR_EVENT, type LoadStats } from './stats.ts';

export const CHAT_KINDS = ['chat', 'chat-stream', 'chat-idempotent', 'models'] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

export interface ChatTrafficOptions {
  /** The target's origin (autocannon connects to it). */
  url: string;
  /** The target's path prefix ('' at the root): every request path is under it. */
  basePath: string;
  /** API profile, auth, headers, keys and model of every request. */
  client: ClientApi;
  /** Relative weights of the four kinds (at least one > 0). */
  weights: Readonly<Record<ChatKind, number>>;
  /** Open model: requests/s over all kinds. Closed model: give `connections` only. */
  rate: number | null;
  connections: number;
  settings: ResolvedSettings;
  stats: LoadStats;
  rng: Rng;
  /** Unique per driver: Idempotency-Keys never collide across runs or segments. */
  keyPrefix: string;
  /** Shared counters so keys stay unique across segments. */
  counters: { request: number; uniqueKey: number; reusedKey: number };
  timeoutMs: number;
}

export interface ChatTraffic {
  /** Stop issuing, let in-flight requests finish for up to `graceMs`, then cut the rest. Resolves when no socket is left. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Connections for an open-model rate. autocannon's "open" model is a rate cap
 * per connection, so a connection stuck on a stalled response stops sending:
 * ~5 req/s per connection leaves headroom for the stalls an error storm
 * injects (at 700 req/s, 140 connections) without one socket per request.
 */
export function connectionsForRate(rate: number): number {
  return Math.max(4, Math.min(512, Math.ceil(rate / 5), Math.floor(rate)));
}

interface RequestContext {
  kind?: ChatKind;
}

export function startChatTraffic(o: ChatTrafficOptions): ChatTraffic {
  const total = CHAT_KINDS.reduce((sum, k) => sum + o.weights[k], 0);
  let acc = 0;
  const cumulative = CHAT_KINDS.map((k) => (acc += o.weights[k] / total));
  const pick = (): ChatKind => {
    const x = o.rng();
    const i = cumulative.findIndex((t) => x < t);
    return CHAT_KINDS[i === -1 ? CHAT_KINDS.length - 1 : i]!;
  };
  const client = o.client;
  const profile = client.profile;
  const completionPath = o.basePath + profile.path;
  const modelsPath = o.basePath + MODELS_PATH;
  const keyRng = createRng(`${o.keyPrefix}:keys`);

  const idempotencyKey = (): string => {
    const keys = o.settings.idempotencyKeys;
    if (keys === 'unique') {
      o.stats.event('idempotency-key');
      return `${o.keyPrefix}-u${o.counters.uniqueKey++}`;
    }
    const n = o.counters.reusedKey++;
    // Only the first use of each reused key is a new cache entry.
    if (n < keys) o.stats.event('idempotency-key');
    return `${o.keyPrefix}-r${n < keys ? n : Math.floor(keyRng() * keys)}`;
  };

  const setupRequest = (req: autocannon.Request, context: object): autocannon.Request => {
    const ctx = context as RequestContext;
    const kind = pick();
    ctx.kind = kind;
    const n = o.counters.request++;
    const key = client.nextKey();
    switch (kind) {
      case 'models':
        return { ...req, method: 'GET', path: modelsPath, headers: client.headers('get', key), body: undefined };
      case 'chat-stream':
        return {
          ...req,
          method: 'POST',
          path: completionPath,
          headers: client.headers('sse', key),
          body: profile.body(client.model(o.rng), n, { includeUsage: o.rng() < o.settings.includeUsage }),
        };
      case 'chat-idempotent':
        return {
          ...req,
          method: 'POST',
          path: completionPath,
          headers: { ...client.headers('json', key), 'idempotency-key': idempotencyKey() },
          body: profile.body(client.model(o.rng), n, false),
        };
      case 'chat':
        return { ...req, method: 'POST', path: completionPath, headers: client.headers('json', key), body: profile.body(client.model(o.rng), n, false) };
    }
  };

  let pendingVerdict = true;
  const onResponse = (status: number, body: string, context: object): void => {
    const kind = (context as RequestContext).kind;
    if (status < 200 || status >= 300) {
      pendingVerdict = true; // error bodies are the relay's business; the status is what we count
      o.stats.unexpected(status, body); // …and the first of each status says why (stats.ts)
      // A chat completion answered with an error: what the inflight-error-path variant keeps an entry per.
      if (kind !== 'models') o.stats.event(CHAT_ERROR_EVENT);
      return;
    }
    pendingVerdict = kind === 'models' ? isModelList(body) : kind === 'chat-stream' ? profile.isCompleteStream(body) : profile.isComplete(body);
    if (!pendingVerdict) o.stats.unexpected(status, body, true);
  };

  const clients = new Set<AutocannonClient>();
  const connections = o.rate === null ? o.connections : connectionsForRate(o.rate);
  let stopping = false;
  const options: autocannon.Options = {
    url: o.url,
    connections,
    ...(o.rate === null ? {} : { overallRate: Math.max(1, Math.round(o.rate)) }),
    // We stop it ourselves; this only bounds a run whose owner vanished.
    duration: 24 * 3600,
    // run() checks for "stopped" on this tick: it bounds how late stop() lands.
    sampleInt: 100,
    timeout: Math.max(1, Math.ceil(o.timeoutMs / 1000)),
    pipelining: 1,
    requests: [{ setupRequest, onResponse }],
    setupClient: (client) => {
      const c = client as unknown as AutocannonClient;
      clients.add(c);
      hardenClient(c, () => o.stats.failure('error'));
      c.once('done', () => clients.delete(c));
    },
  };

  let stopInstance: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    const instance = autocannon(options, () => resolve());
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      o.stats.response(statusCode, responseTime, pendingVerdict);
      pendingVerdict = true;
    });
    instance.on('reqError', (err: Error) => {
      // autocannon reports its own timeouts as this exact message.
      o.stats.failure(err?.message === 'request timed out' ? 'timeout' : 'error');
    });
    stopInstance = () => (instance as unknown as { stop(): void }).stop();
  });
  if (o.rate !== null) {
    let i = 0;
    for (const c of clients) staggerRate(c, Math.floor((i++ * 1000) / clients.size));
  }

  return {
    async stop(graceMs: number): Promise<void> {
      if (stopping) return finished;
      stopping = true;
      for (const c of clients) drainClient(c);
      const deadline = performance.now() + graceMs;
      while ([...clients].some(clientBusy) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      // Idle or not, every remaining socket goes now; autocannon resolves
      // `finished` once its clients are destroyed (within one sampleInt).
      stopInstance();
      return finished;
    },
  };
}
