// POST /v1/chat/completions: the relay's hot path.
//
// Per request: parse the body once (to read `model` and `stream`; the bytes
// go upstream verbatim), pick an account round-robin, call the upstream with
// the account's token, and on an account-scoped failure (429, 5xx, 401/402/
// 403/404/408, broken or refused connection) cool that account down and try
// another one, up to maxAttempts, after a short cancellable pause. Non-stream
// responses are buffered (a truncated body becomes a 502, never a short 200);
// streams are pumped, failing over only before their first byte is committed.
//
// Every path ends with the upstream body consumed or destroyed, the
// in-flight entry removed, and exactly one metrics increment.
//
// Catalog variants on this path (relay/leaks/), each chosen once in the
// constructor: error-body (the pre-fix error body reader), sse-abort (the
// client's close aborts nothing once a stream is committed), listener
// (a stream's account-events listener is never removed) and
// inflight-error-path (the in-flight entry is removed on the success path
// only, so every request that ends in an error keeps it) and
// error-body-read-fail (an error body whose read fails is left paused, not
// destroyed). task-contexts: the request's execution context
// (request-context.ts) is neither cleaned nor dropped from the registry when
// the request ends. orphan-tasks lives in the request-state sync this path
// starts (relay/usage/state-sync.ts).
//
// no-admission (relay/admission.ts): the semaphore admits every request, so a
// burst against a stalled upstream holds all of them at once.
//
// account-wait-loop (relay/account-wait.ts): when every account for the model
// is cooling down, the wait for one (--account-wait) has no bound and no
// cancel check, and registers a wait request per poll that it never removes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { COOLDOWN_MS, cooldownFor429, cooldownForStatus, isAccountScoped } from '../accounts/cooldown.ts';
import { type AccountPool, modelIndexOf } from '../accounts/pool.ts';
import { ERR, RelayError, sendApiError, type ApiErrorBody } from '../errors.ts';
import { IdempotencyCache, MAX_IDEMPOTENCY_KEY_LENGTH } from '../idempotency-cache.ts';
import type { LeakFlags } from '../leaks/flags.ts';
import type { RelayMetrics } from '../metrics.ts';
import type { ResolvedOptions } from '../options.ts';
import type { InFlight, Scheduler } from '../scheduler.ts';
import { Admission } from '../admission.ts';
import { classifyUpstreamError, isFailoverClass, statusForClass, type UpstreamErrorClass } from '../upstream/classify.ts';
import { ERROR_BODY_DEADLINE_MS, readAll, readCapped, readErrorBodyPreFix, readErrorBodyReadFailPreFix } from '../upstream/read-body.ts';
import type { CompletedUsage } from '../usage/completed-usage.ts';
import type { UsageLedger } from '../usage/ledger.ts';
import { usageFromJson, usageFromSseTail, type TokenUsage } from '../usage/token-usage.ts';
import type { StateSync } from '../usage/state-sync.ts';
import type { ContextRegistry, RequestContext } from './request-context.ts';
import { SsePump } from './sse-pump.ts';

export interface ChatDeps {
  readonly accounts: AccountPool;
  readonly upstream: Pool;
  readonly metrics: RelayMetrics;
  readonly scheduler: Scheduler;
  readonly ledger: UsageLedger;
  readonly completed: CompletedUsage;
  readonly idempotency: IdempotencyCache;
  readonly options: ResolvedOptions;
  readonly leaks: LeakFlags;
  readonly contexts: ContextRegistry;
  /** Null unless --state-sync. */
  readonly stateSync: StateSync | null;
}

/** How a request ended, for accounting. `status` is what the client got (499: client gone). */
interface Outcome {
  readonly status: number;
  readonly usage: TokenUsage | null;
}

/** A failed attempt on one account. */
interface Failure {
  readonly status: number;
  /** Set for network-level failures (no HTTP status from the upstream). */
  readonly cls: UpstreamErrorClass | null;
  /** Try another account? */
  readonly retry: boolean;
  /** Pause before the next attempt (upstream said 429/5xx: give it a breath). */
  readonly delay: boolean;
}

type Attempt = { done: true; outcome: Outcome } | { done: false; failure: Failure };

const PATH = '/v1/chat/completions';
const CLIENT_GONE = new RelayError('RELAY_ERR_CLIENT_ABORTED', 'client disconnected');
const CLIENT_CLOSED_STATUS = 499;
/** Seconds a refused client is asked to wait: a slot frees within a response time, and SDKs honour it. */
const ADMISSION_RETRY_AFTER = '1';

// The in-flight entry rides on the response under a symbol, so the 'close'
// listener is one module-level function rather than a closure per request.
const ENTRY = Symbol('relay.inflight');
type TrackedResponse = ServerResponse & { [ENTRY]?: InFlight | undefined };

function onResponseClose(this: TrackedResponse): void {
  const entry = this[ENTRY];
  if (entry !== undefined && !this.writableFinished) entry.controller.abort(CLIENT_GONE);
}

/**
 * sse-abort variant: the disconnect reaches the upstream only before the
 * stream is committed; afterwards the pump reads the upstream to its end.
 */
function onResponseCloseBeforeCommitOnly(this: TrackedResponse): void {
  const entry = this[ENTRY];
  if (entry !== undefined && !this.writableFinished && !entry.committed) entry.controller.abort(CLIENT_GONE);
}

const ACCOUNT_DISABLED = new RelayError('RELAY_ERR_ACCOUNT_DISABLED', 'the account serving this stream was disabled');

/** application/json or any `+json` type, with or without parameters (charset). */
const JSON_MEDIA_TYPE = /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

type ErrorBodyReader = (body: Dispatcher.ResponseData['body'], cap: number, deadlineMs: number) => Promise<Buffer>;

export class ChatCompletions {
  readonly #d: ChatDeps;
  readonly #onResponseClose: (this: TrackedResponse) => void;
  readonly #readErrorBody: ErrorBodyReader;
  readonly #keepStreamListeners: boolean;
  readonly #endOnSuccessOnly: boolean;
  readonly #keepContexts: boolean;
  /** The semaphore on upstream work; admits everything with no-admission. */
  readonly admission: Admission;

  constructor(deps: ChatDeps) {
    this.#d = deps;
    this.#onResponseClose = deps.leaks.sseAbort ? onResponseCloseBeforeCommitOnly : onResponseClose;
    // error-body-read-fail: the body is left paused, not destroyed, when its read fails (the deadline).
    this.#readErrorBody = deps.leaks.errorBody ? readErrorBodyPreFix : deps.leaks.errorBodyReadFail ? readErrorBodyReadFailPreFix : readCapped;
    this.#keepStreamListeners = deps.leaks.listener;
    this.#endOnSuccessOnly = deps.leaks.inflightErrorPath;
    this.#keepContexts = deps.leaks.taskContexts;
    const o = deps.options;
    this.admission = new Admission(o.maxInflight, o.admissionQueue, o.admissionWaitMs, deps.leaks.noAdmission);
  }

  /** Body already read and size-checked; the client key already verified. Never rejects. */
  async handle(req: IncomingMessage, res: ServerResponse, clientKey: number, body: Buffer): Promise<number> {
    // As OpenAI does: a body that is not declared JSON is refused, not guessed at
    // (curl -d sends application/x-www-form-urlencoded; a text/plain JSON-looking body is a client bug).
    const contentType = headerText(req.headers['content-type']);
    if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
      return reply(res, 400, {
        message: `Content-Type must be application/json, got ${contentType === undefined ? 'none' : JSON.stringify(contentType.slice(0, 100))}`,
        type: 'invalid_request_error',
        code: 'invalid_content_type',
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(res, 400, ERR.malformedJson);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return reply(res, 400, { message: 'request body must be a JSON object', type: 'invalid_request_error', code: 'invalid_body' });
    }
    const { model, stream } = parsed as { model?: unknown; stream?: unknown };
    if (typeof model !== 'string' || model === '') {
      return reply(res, 400, { message: '`model` must be a non-empty string', type: 'invalid_request_error', code: 'invalid_model' });
    }
    const m = modelIndexOf(model);
    if (m === -1 || !this.#d.accounts.hasAnyFor(m)) {
      return reply(res, 404, { message: 'the model does not exist or no account serves it', type: 'invalid_request_error', code: 'model_not_found' });
    }
    // `"stream": "yes"` is not a stream and not a non-stream request either: say so (null means unset, as in OpenAI's API).
    if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
      return reply(res, 400, { message: `\`stream\` must be a boolean, got ${Array.isArray(stream) ? 'an array' : typeof stream}`, type: 'invalid_request_error', code: 'invalid_type' });
    }
    const isStream = stream === true;

    let cacheKey: string | undefined;
    const idempotencyKey = req.headers['idempotency-key'];
    if (typeof idempotencyKey === 'string' && !isStream) {
      if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
        return reply(res, 400, { message: `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, type: 'invalid_request_error', code: 'invalid_idempotency_key' });
      }
      cacheKey = IdempotencyCache.keyOf(clientKey, idempotencyKey);
      const hit = this.#d.idempotency.get(cacheKey);
      if (hit !== undefined) {
        this.#d.metrics.idempotencyHit();
        res.writeHead(hit.status, { 'content-type': hit.contentType, 'content-length': hit.body.length, 'idempotent-replayed': 'true' });
        res.end(hit.body);
        return hit.status;
      }
    }

    const d = this.#d;
    const entry = d.scheduler.begin(model, clientKey, Date.now());
    const tracked = res as TrackedResponse;
    tracked[ENTRY] = entry;
    res.setHeader('x-request-id', entry.id);
    res.once('close', this.#onResponseClose);
    // The client may have gone while its body was read: then 'close' already fired.
    if (res.destroyed || req.socket.destroyed) entry.controller.abort(CLIENT_GONE);
    const ctx = d.contexts.open(entry.id, entry.startedAt);
    ctx.setVariable('model', model, 'body');
    ctx.setVariable('stream', isStream, 'body');
    ctx.setVariable('client_key', clientKey, 'auth');
    if (cacheKey !== undefined) ctx.setVariable('idempotency_key', idempotencyKey, 'header');
    ctx.setVariable('request_bytes', body.length, 'relay');
    ctx.setVariable('max_attempts', d.options.maxAttempts, 'relay');
    let outcome: Outcome;
    try {
      outcome = await this.#admitted(entry, ctx, res, m, isStream, body, cacheKey);
      ctx.setOutput('status', outcome.status);
      ctx.setOutput('usage', outcome.usage);
      // inflight-error-path variant (seed 001 P0-2, pending_tasks): the entry
      // is removed where the request succeeded and nowhere else, so a request
      // answered with an error (failover exhausted, a passed-through 4xx) or
      // cut short (the catch below) keeps it.
      if (this.#endOnSuccessOnly && isSuccess(outcome.status)) d.scheduler.end(entry);
    } catch (err) {
      outcome = this.#interrupted(entry, res, err);
      ctx.setOutput('status', outcome.status);
    } finally {
      tracked[ENTRY] = undefined;
      // The fix: removed on every path, success or error.
      if (!this.#endOnSuccessOnly) d.scheduler.end(entry);
      // task-contexts variant (seed 001 P0-5): the context stays registered
      // with everything it holds. The fix, as the write-up's finally: clean
      // it and drop the registry's reference on every path (success, error
      // answer, client abort, shutdown).
      if (!this.#keepContexts) d.contexts.close(ctx);
    }
    this.#account(entry, m, isStream, outcome);
    return outcome.status;
  }

  /**
   * #run behind the admission semaphore (relay/admission.ts): past the limit
   * and its bounded queue, or after the longest wait, 503 with Retry-After at
   * once. An abort while queued rejects (handle()'s catch answers it).
   */
  async #admitted(entry: InFlight, ctx: RequestContext, res: ServerResponse, m: number, stream: boolean, body: Buffer, cacheKey: string | undefined): Promise<Outcome> {
    if ((await this.admission.acquire(entry.controller.signal)) === 'rejected') {
      return outcome(reply(res, 503, ERR.overloaded, { 'retry-after': ADMISSION_RETRY_AFTER }));
    }
    try {
      return await this.#run(entry, ctx, res, m, stream, body, cacheKey);
    } finally {
      this.admission.release();
    }
  }

  async #run(entry: InFlight, ctx: RequestContext, res: ServerResponse, m: number, stream: boolean, body: Buffer, cacheKey: string | undefined): Promise<Outcome> {
    const d = this.#d;
    const tried: number[] = [];
    let last: Failure | null = null;
    for (let attempt = 0; attempt < d.options.maxAttempts; attempt++) {
      let a = d.accounts.pick(m, Date.now(), tried);
      // Every account for the model is cooling down: wait for one (--account-wait), rather than answer 429 at once.
      if (a === -1 && attempt === 0) a = await this.#waitForAccount(entry, m);
      if (a === -1) break;
      if (attempt > 0) d.metrics.failover();
      tried.push(a);
      entry.account = a;
      entry.attempt = attempt;
      const step = ctx.step('upstream', attempt, d.accounts.records[a]!.authIndex, Date.now());
      let result: Attempt;
      try {
        result = await this.#attempt(entry, ctx, res, a, m, stream, body, cacheKey);
      } finally {
        step.endedAt = Date.now();
      }
      step.status = result.done ? result.outcome.status : result.failure.status;
      step.result = result.done ? 'done' : (result.failure.cls ?? 'failover');
      if (result.done) return result.outcome;
      last = result.failure;
      if (!last.retry) break;
      if (last.delay && attempt + 1 < d.options.maxAttempts) await d.scheduler.retryDelay(entry, d.options.retryDelayMs, body);
    }
    return this.#exhausted(res, m, last, tried.length);
  }

  /**
   * account-wait-loop variant: AccountWaits runs the write-up's unbounded
   * loop (no deadline, no cancel check, every poll left registered); the
   * fixed wait ends at --account-wait, or at once when the request is aborted.
   */
  #waitForAccount(entry: InFlight, m: number): Promise<number> {
    const accounts = this.#d.accounts;
    return this.#d.scheduler.accountWaits.waitFor({
      requestId: entry.id,
      signal: entry.controller.signal,
      model: m,
      pick: (now) => accounts.pick(m, now, null),
      earliestRecovery: (now) => accounts.earliestRecovery(m, now),
    }, this.#d.options.accountWaitMs);
  }

  async #attempt(
    entry: InFlight,
    ctx: RequestContext,
    res: ServerResponse,
    a: number,
    m: number,
    stream: boolean,
    body: Buffer,
    cacheKey: string | undefined,
  ): Promise<Attempt> {
    const d = this.#d;
    const signal = entry.controller.signal;
    let up: Dispatcher.ResponseData;
    try {
      up = await d.upstream.request({
        path: PATH,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: stream ? 'text/event-stream' : 'application/json',
          authorization: d.accounts.authorizationOf(a),
          'x-request-id': entry.id,
        },
        body,
        signal,
      });
    } catch (err) {
      return this.#networkFailure(entry, a, m, err);
    }
    const status = up.statusCode;
    d.metrics.upstreamStatus(status);
    if (status >= 200 && status < 300) {
      const result = stream ? await this.#relayStream(entry, res, up, a, m) : await this.#relayJson(entry, res, up, a, m, cacheKey);
      if (result.done) ctx.setBlockOutput(`upstream-${entry.attempt}`, { status, headers: up.headers, usage: result.outcome.usage });
      return result;
    }
    ctx.setBlockOutput(`upstream-${entry.attempt}`, { status, headers: up.headers, usage: null });

    // The fix (readCapped): destroyed at the cap, at the deadline, on error: every exit.
    const errorBody = await this.#readErrorBody(up.body, d.options.errorBodyCapBytes, ERROR_BODY_DEADLINE_MS);
    if (signal.aborted) throw signal.reason;
    if (!isAccountScoped(status)) {
      // The request itself is at fault (400, 413, 422...): any account would say the same.
      return { done: true, outcome: passUpstreamError(res, status, errorBody, up.headers['content-type']) };
    }
    const now = Date.now();
    const cooldown = status === 429
      ? cooldownFor429(up.headers['retry-after'], errorBody, d.accounts.consecutive429Of(a, m), now)
      : cooldownForStatus(status);
    d.accounts.markFailure(a, m, status, cooldown, now);
    return { done: false, failure: { status, cls: null, retry: true, delay: true } };
  }

  async #relayJson(entry: InFlight, res: ServerResponse, up: Dispatcher.ResponseData, a: number, m: number, cacheKey: string | undefined): Promise<Attempt> {
    const d = this.#d;
    let payload: Buffer;
    try {
      payload = await readAll(up.body, d.options.maxResponseBytes);
    } catch (err) {
      return this.#networkFailure(entry, a, m, err);
    }
    d.accounts.markSuccess(a, m);
    const contentType = headerText(up.headers['content-type']) ?? 'application/json';
    if (cacheKey !== undefined) d.idempotency.set(cacheKey, { status: up.statusCode, contentType, body: payload });
    entry.committed = true;
    res.writeHead(up.statusCode, { 'content-type': contentType, 'content-length': payload.length });
    res.end(payload);
    return { done: true, outcome: { status: up.statusCode, usage: usageFromJson(payload) } };
  }

  async #relayStream(entry: InFlight, res: ServerResponse, up: Dispatcher.ResponseData, a: number, m: number): Promise<Attempt> {
    const d = this.#d;
    const pump = new SsePump(up.body, res, entry, headerText(up.headers['content-type']));
    // A stream on an account that gets disabled (account sync) is cut.
    const onAccountDisabled = (disabled: number): void => {
      if (disabled === a && !res.writableEnded) entry.controller.abort(ACCOUNT_DISABLED);
    };
    d.accounts.events.on('disabled', onAccountDisabled);
    let result;
    try {
      result = await pump.run();
    } finally {
      // listener variant: the subscription outlives the stream, and its closure the request graph.
      if (!this.#keepStreamListeners) d.accounts.events.off('disabled', onAccountDisabled);
    }
    if (result.ok) {
      d.accounts.markSuccess(a, m);
      return { done: true, outcome: { status: 200, usage: usageFromSseTail(result.tail) } };
    }
    if (!result.committed) return this.#networkFailure(entry, a, m, result.error);
    if (entry.controller.signal.aborted) throw entry.controller.signal.reason;
    // Broken after commit: the client already has a 200 and some frames. The
    // only honest signal left is to cut the stream (no [DONE] arrives).
    const cls = classifyUpstreamError(result.error);
    d.metrics.upstreamError(cls);
    d.metrics.streamTerminated();
    d.accounts.markFailure(a, m, statusForClass(cls), COOLDOWN_MS.transient, Date.now());
    res.destroy();
    return { done: true, outcome: { status: 200, usage: null } };
  }

  #networkFailure(entry: InFlight, a: number, m: number, err: unknown): Attempt {
    const signal = entry.controller.signal;
    // Our own abort (client gone, cancel, shutdown) is nobody's fault upstream.
    if (signal.aborted) throw signal.reason;
    const d = this.#d;
    const cls = classifyUpstreamError(err);
    d.metrics.upstreamError(cls);
    const status = statusForClass(cls);
    // A response too large to buffer is the request's doing, not the account's.
    if (cls !== 'too_large') d.accounts.markFailure(a, m, status, COOLDOWN_MS.transient, Date.now());
    return { done: false, failure: { status, cls, retry: isFailoverClass(cls), delay: false } };
  }

  /** No attempt succeeded (or none could be made): say why, in the client's terms. */
  #exhausted(res: ServerResponse, m: number, last: Failure | null, attempts: number): Outcome {
    const now = Date.now();
    if (last === null || last.status === 429) {
      const recovery = this.#d.accounts.earliestRecovery(m, now);
      if (last === null && recovery === 0) return outcome(reply(res, 503, ERR.noAccounts));
      const seconds = Math.max(1, Math.ceil((recovery - now) / 1000));
      return outcome(reply(res, 429, ERR.allCooling, { 'retry-after': String(seconds) }));
    }
    if (last.cls !== null) {
      return outcome(reply(res, last.status, last.cls === 'timeout' ? ERR.upstreamTimeout : last.cls === 'too_large' ? ERR.upstreamTooLarge : ERR.upstreamBroken));
    }
    // 5xx pass through as themselves; account-level 401/402/403/404 and 408 are the relay's problem (502/504).
    const status = last.status >= 500 ? last.status : last.status === 408 ? 504 : 502;
    return outcome(reply(res, status, {
      message: `upstream answered ${last.status} on ${attempts} account(s)`,
      type: 'upstream_error',
      code: `upstream_${last.status}`,
    }));
  }

  /** The request was cut short by its AbortController, or a bug threw. */
  #interrupted(entry: InFlight, res: ServerResponse, thrown: unknown): Outcome {
    // Whatever surfaced (undici's abort error, timers' AbortError), the reason we aborted with is the truth.
    const err = entry.controller.signal.aborted ? entry.controller.signal.reason : thrown;
    const code = err instanceof RelayError ? err.code : undefined;
    if (code === 'RELAY_ERR_CLIENT_ABORTED') {
      res.destroy();
      return { status: CLIENT_CLOSED_STATUS, usage: null };
    }
    if (res.headersSent) {
      res.destroy();
      return { status: res.statusCode, usage: null };
    }
    if (code === 'RELAY_ERR_REQUEST_CANCELLED') return outcome(reply(res, CLIENT_CLOSED_STATUS, ERR.cancelled));
    if (code === 'RELAY_ERR_ACCOUNT_DISABLED') return outcome(reply(res, 502, ERR.upstreamBroken));
    if (code === 'RELAY_ERR_SHUTTING_DOWN') return outcome(reply(res, 503, ERR.shuttingDown));
    // A bug, not a fault: answer 500 rather than crash or hang the client.
    process.emitWarning(`relay: unexpected error on request ${entry.id}: ${err instanceof Error ? err.message : String(err)}`);
    return outcome(reply(res, 500, { message: 'internal relay error', type: 'server_error', code: 'internal_error' }));
  }

  #account(entry: InFlight, m: number, stream: boolean, result: Outcome): void {
    const d = this.#d;
    const now = Date.now();
    const authIndex = entry.account === -1 ? '' : d.accounts.records[entry.account]!.authIndex;
    if (result.usage !== null) d.metrics.tokens(result.usage.prompt, result.usage.completion);
    if (entry.account !== -1) {
      d.ledger.record(entry.clientKey, m, entry.account, result.usage, {
        requestId: entry.id,
        at: now,
        clientKey: entry.clientKey,
        model: entry.model,
        authIndex,
        status: result.status,
        stream,
        usage: result.usage,
      });
    }
    d.completed.record({
      id: entry.id,
      model: entry.model,
      authIndex,
      status: result.status,
      stream,
      usage: result.usage,
      completedAt: now,
      durationMs: now - entry.startedAt,
    });
    if (d.stateSync !== null && entry.account !== -1) {
      d.stateSync.report({
        requestId: entry.id,
        model: entry.model,
        authIndex,
        status: result.status,
        stream,
        usage: result.usage,
        durationMs: now - entry.startedAt,
        completedAt: now,
      }, d.accounts.authorizationOf(entry.account));
    }
  }
}

function reply(res: ServerResponse, status: number, error: ApiErrorBody, headers?: Record<string, string>): number {
  sendApiError(res, status, error, headers);
  return status;
}

/** inflight-error-path variant: the success path is a 2xx to the client (a stream cut after its 200 was committed counts as its 200). */
function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function outcome(status: number): Outcome {
  return { status, usage: null };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A request-scoped upstream error, passed through (status and, when it is JSON, body). */
function passUpstreamError(res: ServerResponse, status: number, body: Buffer, contentType: string | string[] | undefined): Outcome {
  const type = headerText(contentType);
  if (type !== undefined && type.startsWith('application/json') && isJson(body) && !res.headersSent) {
    res.writeHead(status, { 'content-type': type, 'content-length': body.length });
    res.end(body);
    return outcome(status);
  }
  return outcome(reply(res, status, { message: `upstream rejected the request (${status})`, type: 'invalid_request_error', code: `upstream_${status}` }));
}

/** Error-path only: a capped body may be cut mid-JSON, and a cut body must not be passed on. */
function isJson(body: Buffer): boolean {
  if (body.length === 0) return false;
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
