// The fake provider as msw request handlers. They run in-process (msw
// `getResponse`, or `setupServer` + global fetch) and behind the node:http
// bridge (mocks/bridge.ts), which turns the Fetch-level signals of wire.ts into
// real socket faults. Wire faults are expressed here, rendered there.

import { http, HttpResponse, type HttpHandler } from 'msw';
import { ERROR_BODIES, badRequestJson, codexLimitJson, usageJsonFor } from './bodies.ts';
import {
  FAULT_HEADER,
  type ChatAdmission,
  type ChatRequest,
  type Decision,
  type UpstreamEngine,
} from './engine.ts';
import type { FaultKind } from './faults.ts';
import { PlanError, type RouteName } from './plan.ts';
import { networkError, pacedStream, sleep, slices, type StreamEnd } from './wire.ts';

const JSON_TYPE = 'application/json';
const STATE_ACK = '{"ok":true}';
const SSE_TYPE = 'text/event-stream';

/**
 * Admissions already made for a request: by the bridge (it admits every chat
 * request itself to serve the plain 200 on its fast path) or by an earlier
 * handler (a sequence handler's predicate admits to learn whether the request
 * is its own). A handler that finds one uses it instead of admitting again, so
 * nothing is counted or drawn twice.
 */
export const preAdmitted = new WeakMap<Request, ChatAdmission>();

/** Method and path of each API route. */
export const ROUTE_PATHS: Readonly<Record<RouteName, { readonly method: 'POST' | 'GET'; readonly path: string }>> = {
  chat: { method: 'POST', path: '/v1/chat/completions' },
  models: { method: 'GET', path: '/v1/models' },
  usage: { method: 'GET', path: '/backend-api/wham/usage' },
  state: { method: 'POST', path: '/backend-api/request-state' },
};

/**
 * The admission of a request on `route` (made once, then cached on the
 * request). The caller has checked the method and path.
 */
export async function admissionOf(engine: UpstreamEngine, route: RouteName, request: Request): Promise<ChatAdmission> {
  let admission = preAdmitted.get(request);
  if (admission) return admission;
  if (route === 'chat') {
    const text = await request.text();
    admission = engine.admitChat(request.headers.get('authorization'), request.headers.get(FAULT_HEADER), text, Buffer.byteLength(text));
  } else {
    admission = { decision: engine.admit(route, request.headers.get('authorization'), request.headers.get(FAULT_HEADER)), chat: null };
  }
  preAdmitted.set(request, admission);
  return admission;
}

/**
 * The completion APIs served beside Chat Completions. Their requests are
 * the `chat` route of the fault plan (rules, sequences, per-account
 * behaviour, forced faults): a soak with `--api responses|messages` meets the
 * scenario's faults exactly as a chat soak does; only the bodies differ.
 */
export const COMPLETION_APIS = {
  responses: { method: 'POST', path: '/v1/responses' },
  messages: { method: 'POST', path: '/v1/messages' },
} as const;
export type CompletionApi = 'chat' | keyof typeof COMPLETION_APIS;

/**
 * The bearer token of a request: `Authorization: Bearer …`, or on the
 * Messages API the Anthropic form `x-api-key: …`.
 */
function authorizationOf(request: Request, api: CompletionApi): string | null {
  const authorization = request.headers.get('authorization');
  if ((authorization !== null && authorization !== '') || api !== 'messages') return authorization;
  const key = request.headers.get('x-api-key');
  return key === null ? null : `Bearer ${key}`;
}

/** The admission of a Responses or Messages request (once, cached like admissionOf). */
async function completionAdmissionOf(engine: UpstreamEngine, api: CompletionApi, request: Request): Promise<ChatAdmission> {
  let admission = preAdmitted.get(request);
  if (admission) return admission;
  const text = await request.text();
  admission = engine.admitChat(authorizationOf(request, api), request.headers.get(FAULT_HEADER), text, Buffer.byteLength(text));
  preAdmitted.set(request, admission);
  return admission;
}

/** The success body of a route, in the form the fault renderers slice up. */
interface SuccessBody {
  /** Complete JSON body, or the SSE events of a streamed completion. */
  readonly pieces: readonly string[];
  readonly contentType: string;
}

const encoder = new TextEncoder();

/**
 * Complete bodies always carry Content-Length: the bridge streams every body
 * as it comes and relies on the header to avoid chunked encoding (and it is
 * what a real provider sends).
 */
function json(body: string, status: number, headers?: Record<string, string>): Response {
  return new HttpResponse(body, {
    status,
    headers: { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(body)), ...headers },
  });
}

function bytesResponse(body: Uint8Array, status: number, headers: Record<string, string>): Response {
  return new HttpResponse(body, { status, headers: { ...headers, 'content-length': String(body.length) } });
}

/** The plain 200 completion; the bridge's fast path writes these exact bytes and headers. */
export function plainCompletion(engine: UpstreamEngine, chat: ChatRequest): string {
  return engine.bodies.completionJson(engine.nextCompletionId(), chat.modelJson, chat.promptTokens);
}

function chatSuccessBody(engine: UpstreamEngine, chat: ChatRequest, forceStream = false, api: CompletionApi = 'chat'): SuccessBody {
  const id = engine.nextCompletionId();
  const stream = chat.stream || forceStream;
  const b = engine.bodies;
  if (api === 'responses') {
    const short = id.replace('chatcmpl-', '');
    return stream ? { pieces: b.responseSseEvents(short, chat.modelJson, chat.promptTokens), contentType: SSE_TYPE } : { pieces: [b.responseJson(short, chat.modelJson, chat.promptTokens)], contentType: JSON_TYPE };
  }
  if (api === 'messages') {
    const short = id.replace('chatcmpl-', '');
    return stream ? { pieces: b.messageSseEvents(short, chat.modelJson, chat.promptTokens), contentType: SSE_TYPE } : { pieces: [b.messageJson(short, chat.modelJson, chat.promptTokens)], contentType: JSON_TYPE };
  }
  if (stream) {
    return { pieces: b.sseEvents(id, chat.modelJson, chat.promptTokens, chat.includeUsage), contentType: SSE_TYPE };
  }
  return { pieces: [b.completionJson(id, chat.modelJson, chat.promptTokens)], contentType: JSON_TYPE };
}

/** A complete success response; SSE paced by `tokenIntervalMs`. */
function successResponse(engine: UpstreamEngine, body: SuccessBody, signal: AbortSignal): Response {
  if (body.contentType !== SSE_TYPE) return json(body.pieces[0]!, 200);
  const interval = engine.bodies.options.tokenIntervalMs;
  const stream = pacedStream(interval > 0 ? body.pieces.map((p) => encoder.encode(p)) : [encoder.encode(body.pieces.join(''))], interval, { type: 'close' }, signal);
  return new HttpResponse(stream, { status: 200, headers: { 'content-type': SSE_TYPE, 'cache-control': 'no-cache' } });
}

function retryAfterHeaders(seconds: number): Record<string, string> {
  return { 'retry-after': String(seconds) };
}

/**
 * Streams part of `body` then ends as `end` says. `declareLength` sends the
 * Content-Length of the complete body (a lie once the stream is cut).
 */
function partialResponse(body: SuccessBody, end: StreamEnd, options: { declareLength: boolean; close: boolean; signal: AbortSignal }): Response {
  const headers: Record<string, string> = { 'content-type': body.contentType };
  if (options.close) headers.connection = 'close';
  const full = encoder.encode(body.pieces.join(''));
  if (options.declareLength) headers['content-length'] = String(full.length);
  let part: Uint8Array;
  if (body.contentType === SSE_TYPE) {
    // Role chunk plus about a third of the tokens: enough for a relay to have
    // started streaming to its client, never the end of the stream.
    part = encoder.encode(body.pieces.slice(0, Math.max(1, Math.floor(body.pieces.length / 3))).join(''));
  } else {
    part = full.subarray(0, Math.max(1, Math.floor(full.length / 3)));
  }
  return new HttpResponse(pacedStream([part], 0, end, options.signal), { status: 200, headers });
}

interface FaultContext {
  readonly engine: UpstreamEngine;
  readonly success: () => SuccessBody;
  readonly jitter: number;
  readonly signal: AbortSignal;
}

/** The response of an injected fault. */
async function faultResponse(kind: FaultKind, ctx: FaultContext): Promise<Response> {
  const { engine, signal } = ctx;
  const plan = engine.resolvedPlan;
  const retryAfter = plan.retryAfterSeconds;
  switch (kind) {
    case '429':
      return json(ERROR_BODIES.rateLimited, 429, retryAfterHeaders(retryAfter));
    case '429-date':
      return json(ERROR_BODIES.rateLimited, 429, { 'retry-after': new Date(Date.now() + retryAfter * 1000).toUTCString() });
    case '429-codex':
      return json(codexLimitJson(retryAfter, Date.now()), 429, retryAfterHeaders(retryAfter));
    case '429-large':
      return bytesResponse(engine.bodies.largeJsonError(plan.largeBodyBytes), 429, {
        'content-type': JSON_TYPE,
        ...retryAfterHeaders(retryAfter),
      });
    case '503':
      return json(ERROR_BODIES.overloaded, 503);
    case '503-large':
      return bytesResponse(engine.bodies.largeHtmlError(plan.largeBodyBytes), 503, { 'content-type': 'text/html' });
    case '500':
      return json(ERROR_BODIES.internal, 500);
    case '502':
      return json(ERROR_BODIES.badGateway, 502);
    case '504':
      return json(ERROR_BODIES.gatewayTimeout, 504);
    case 'truncate-cl':
    case 'truncate-cl-close':
      return partialResponse(ctx.success(), { type: 'cut' }, { declareLength: true, close: kind === 'truncate-cl-close', signal });
    case 'truncate-chunked':
    case 'truncate-chunked-close':
      return partialResponse(ctx.success(), { type: 'cut' }, { declareLength: false, close: kind === 'truncate-chunked-close', signal });
    case 'sse-cut':
    case 'sse-cut-close':
      return partialResponse(ctx.success(), { type: 'cut' }, { declareLength: false, close: kind === 'sse-cut-close', signal });
    case 'stall-body':
      return partialResponse(ctx.success(), { type: 'stall', ms: plan.stallMs }, { declareLength: false, close: false, signal });
    case 'stall-headers':
      await sleep(plan.stallMs, signal);
      return networkError('rst');
    case 'dribble': {
      const body = ctx.success();
      const bytes = encoder.encode(body.pieces.join(''));
      const headers: Record<string, string> = { 'content-type': body.contentType };
      if (body.contentType === JSON_TYPE) headers['content-length'] = String(bytes.length);
      const stream = pacedStream(slices(bytes, plan.dribble.chunkBytes), Math.max(1, plan.dribble.intervalMs), { type: 'close' }, signal);
      return new HttpResponse(stream, { status: 200, headers });
    }
    case 'latency': {
      const { baseMs, jitterMs } = plan.latency;
      await sleep(Math.max(0, baseMs + (ctx.jitter * 2 - 1) * jitterMs), signal);
      return successResponse(engine, ctx.success(), signal);
    }
    case 'reset':
      return networkError('rst');
    case 'empty':
      return networkError('fin');
    case 'expired-token':
      return json(ERROR_BODIES.expired, 401);
    case 'quota-exhausted': {
      const seconds = plan.accounts.quotaResetSeconds;
      return json(codexLimitJson(seconds, Date.now()), 429, retryAfterHeaders(seconds));
    }
    case '429-stall-body': {
      // Seed 002's read that fails: the error body starts, then stops. Chunked
      // (no Content-Length), so the message is incomplete until the cut and
      // undici keeps the socket with the body, however small the part sent.
      const full = encoder.encode(ERROR_BODIES.rateLimited);
      const part = full.subarray(0, Math.max(1, Math.floor(full.length / 3)));
      return new HttpResponse(pacedStream([part], 0, { type: 'stall', ms: plan.stallMs }, signal), {
        status: 429,
        headers: { 'content-type': JSON_TYPE, ...retryAfterHeaders(retryAfter) },
      });
    }
    case 'slow-stream': {
      const { chunks, intervalMs } = plan.slowStream;
      const pieces = ctx.success().pieces;
      const groups: Uint8Array[] = [];
      const n = Math.min(chunks, pieces.length);
      for (let g = 0; g < n; g++) {
        groups.push(encoder.encode(pieces.slice(Math.floor((g * pieces.length) / n), Math.floor(((g + 1) * pieces.length) / n)).join('')));
      }
      return new HttpResponse(pacedStream(groups, intervalMs, { type: 'close' }, signal), {
        status: 200,
        headers: { 'content-type': SSE_TYPE, 'cache-control': 'no-cache' },
      });
    }
  }
}

/** Renders a non-serve decision (401 / 400). */
function rejection(decision: Exclude<Decision, { type: 'serve' }>): Response {
  if (decision.type === 'unauthorized') return json(ERROR_BODIES.unauthorized, 401);
  return json(badRequestJson(decision.message, decision.param), 400);
}

async function respond(
  engine: UpstreamEngine,
  decision: Decision,
  success: () => SuccessBody,
  signal: AbortSignal,
): Promise<Response> {
  if (decision.type !== 'serve') return rejection(decision);
  if (decision.fault === null) return successResponse(engine, success(), signal);
  try {
    return await faultResponse(decision.fault, { engine, success, jitter: decision.jitter, signal });
  } catch (error) {
    // A sleep cut short: the client left or the upstream is closing. Nobody
    // reads this response; a network error makes the bridge drop the socket.
    if (signal.aborted) return networkError('rst');
    throw error;
  }
}

/** The success body of `route` for an admitted request. */
function successOf(engine: UpstreamEngine, route: RouteName, admission: ChatAdmission): SuccessBody {
  const { decision, chat } = admission;
  if (route === 'chat') {
    // sse-cut and slow-stream need a stream even when the request asked for JSON.
    const forceStream = decision.type === 'serve' && (decision.fault === 'sse-cut' || decision.fault === 'sse-cut-close' || decision.fault === 'slow-stream');
    return chatSuccessBody(engine, chat!, forceStream);
  }
  if (route === 'models') return { pieces: [engine.bodies.modelsJson], contentType: JSON_TYPE };
  // The state sink only acknowledges: a relay posts a finished request's state and reads nothing back.
  if (route === 'state') return { pieces: [STATE_ACK], contentType: JSON_TYPE };
  const account = decision.type === 'serve' ? decision.account : 0;
  const exhausted = engine.accountFault(account) === 'quota-exhausted';
  const resetAfter = exhausted ? engine.resolvedPlan.accounts.quotaResetSeconds : 3600;
  const used = exhausted ? 100 : engine.usedPercentOf(account);
  return { pieces: [usageJsonFor(used, exhausted, resetAfter, Date.now())], contentType: JSON_TYPE };
}

/**
 * The response to an admitted API request: its decision rendered (fault,
 * rejection or success). Shared by the route handlers and the sequence
 * handlers, so a sequenced fault is on the wire exactly what the same fault
 * is when forced or drawn.
 */
export function serveAdmission(engine: UpstreamEngine, route: RouteName, admission: ChatAdmission, request: Request): Promise<Response> | Response {
  const { decision, chat } = admission;
  if (route === 'chat' && decision.type === 'serve' && decision.fault === null && chat && !chat.stream) {
    return json(plainCompletion(engine, chat), 200);
  }
  return respond(engine, decision, () => successOf(engine, route, admission), request.signal);
}

/**
 * The response to an admitted Responses or Messages request: the same
 * decision rendering as chat (faults, rejections), with that API's bodies.
 */
export function serveCompletionAdmission(engine: UpstreamEngine, api: CompletionApi, admission: ChatAdmission, request: Request): Promise<Response> | Response {
  const { decision, chat } = admission;
  const forceStream = decision.type === 'serve' && (decision.fault === 'sse-cut' || decision.fault === 'sse-cut-close' || decision.fault === 'slow-stream');
  return respond(engine, decision, () => chatSuccessBody(engine, chat!, forceStream, api), request.signal);
}

/**
 * Every route of the fake upstream, control routes included. They do not
 * depend on the plan; handler-list.ts puts the plan's sequence handlers in
 * front of them. Order matters: the hot route first.
 */
export function createRouteHandlers(engine: UpstreamEngine): HttpHandler[] {
  const api = (route: RouteName) => async ({ request }: { request: Request }) =>
    serveAdmission(engine, route, await admissionOf(engine, route, request), request);
  return [
    http.post(`*${ROUTE_PATHS.chat.path}`, api('chat')),
    ...(['responses', 'messages'] as const).map((name) =>
      http.post(`*${COMPLETION_APIS[name].path}`, async ({ request }) => serveCompletionAdmission(engine, name, await completionAdmissionOf(engine, name, request), request)),
    ),
    http.get(`*${ROUTE_PATHS.models.path}`, api('models')),
    http.get(`*${ROUTE_PATHS.usage.path}`, api('usage')),
    http.post(`*${ROUTE_PATHS.state.path}`, api('state')),

    // Control routes: loopback-only test plumbing, never faulted, not in `requests`.
    http.get('*/__upstream/stats', () => {
      engine.stats.route('GET /__upstream/stats');
      return json(JSON.stringify(engine.stats.snapshot()), 200);
    }),
    http.get('*/__upstream/plan', () => {
      engine.stats.route('GET /__upstream/plan');
      return json(JSON.stringify(engine.plan), 200);
    }),
    http.put('*/__upstream/plan', async ({ request }) => {
      engine.stats.route('PUT /__upstream/plan');
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return json(badRequestJson('plan: body is not valid JSON', 'plan'), 400);
      }
      try {
        engine.setPlan(body);
      } catch (error) {
        if (error instanceof PlanError) return json(badRequestJson(error.message, error.field), 400);
        throw error;
      }
      return json(JSON.stringify({ ok: true, plan: engine.plan }), 200);
    }),
    http.post('*/__upstream/reset', () => {
      engine.stats.route('POST /__upstream/reset');
      engine.stats.reset();
      return json('{"ok":true}', 200);
    }),

    http.all('*', () => {
      engine.stats.route('other');
      return json(ERROR_BODIES.notFound, 404);
    }),
  ];
}
