// /v0/management/*: routing and request validation for the management API.
// The key check happens before routing (server.ts), so an unauthenticated
// caller learns nothing, not even which paths exist. Responses carry account
// views (never tokens or token metadata) and counts.
//
// Account lookups by auth_index go through #authByIndex(), which hands out a
// deep copy of the account (CLIProxyAPI's Auth.Clone()). account-clone
// variant (seed 000): it deep-copies every account first (Manager.List())
// and scans the copies; the fix is the auth_index map, cloning only the match.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'undici';
import type { AccountClone, AccountPool } from '../accounts/pool.ts';
import { ERR, RelayError, sendApiError } from '../errors.ts';
import type { LeakFlags } from '../leaks/flags.ts';
import { readRequestBody } from '../http/read-request-body.ts';
import type { ResolvedOptions } from '../options.ts';
import type { ContextRegistry } from '../proxy/request-context.ts';
import type { Scheduler } from '../scheduler.ts';
import type { CompletedUsage } from '../usage/completed-usage.ts';
import type { UsageLedger } from '../usage/ledger.ts';
import { type AccountSync, SyncRequestError } from './account-sync.ts';
import type { HealthScans } from './health-scan.ts';
import { API_CALL_METHODS, callUpstream, isSameOriginPath, type ApiCallMethod } from './upstream-call.ts';

export interface ManagementDeps {
  readonly accounts: AccountPool;
  readonly upstream: Pool;
  readonly scheduler: Scheduler;
  readonly ledger: UsageLedger;
  readonly completed: CompletedUsage;
  readonly scans: HealthScans;
  readonly sync: AccountSync;
  readonly options: ResolvedOptions;
  readonly leaks: LeakFlags;
  readonly contexts: ContextRegistry;
}

const PREFIX = '/v0/management/';
const MAX_PAGE = 1_000;
const DEFAULT_PAGE = 100;
/** api-call responses are for humans and probes: a bounded slice of the upstream body. */
const API_CALL_BODY_CAP = 1024 * 1024;

/** A refused management request. `apiCode` is the wire code sent to the client; `code` is the relay's. */
class BadRequest extends RelayError {
  readonly status: number;
  readonly apiCode: string;
  constructor(message: string, status = 400, apiCode = 'invalid_request') {
    super('RELAY_ERR_BAD_REQUEST', message);
    this.status = status;
    this.apiCode = apiCode;
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): number {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
  return status;
}

function notFound(what: string): BadRequest {
  return new BadRequest(`${what} not found`, 404, 'not_found');
}

function queryInt(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new BadRequest(`${name}: expected an integer in [${min}, ${max}]`);
  return n;
}

export class ManagementApi {
  readonly #d: ManagementDeps;
  readonly #cloneAll: boolean;

  constructor(deps: ManagementDeps) {
    this.#d = deps;
    this.#cloneAll = deps.leaks.accountClone;
  }

  /** The account with this auth_index, as a deep copy; undefined when none. */
  #authByIndex(authIndex: string): AccountClone | undefined {
    const accounts = this.#d.accounts;
    if (this.#cloneAll) {
      // account-clone variant: List() (a clone of every account), then a linear scan.
      for (const clone of accounts.listClones()) if (clone.record.authIndex === authIndex) return clone;
      return undefined;
    }
    const a = accounts.indexOf(authIndex);
    return a === -1 ? undefined : accounts.cloneAccount(a);
  }

  /** Returns the HTTP status sent. Never rejects. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string, search: string): Promise<number> {
    try {
      return await this.#route(req, res, pathname.slice(PREFIX.length).split('/'), new URLSearchParams(search));
    } catch (err) {
      if (err instanceof BadRequest || err instanceof SyncRequestError) {
        sendApiError(res, err.status, { message: err.message, type: 'invalid_request_error', code: err.apiCode });
        return err.status;
      }
      process.emitWarning(`relay: management error: ${err instanceof Error ? err.message : String(err)}`);
      sendApiError(res, 500, { message: 'internal relay error', type: 'server_error', code: 'internal_error' });
      return 500;
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse, seg: string[], query: URLSearchParams): Promise<number> {
    const d = this.#d;
    const method = req.method ?? 'GET';
    const [head, id, action] = seg;
    const n = seg.length;
    const expect = (allowed: string): boolean => {
      if (method === allowed) return true;
      res.setHeader('allow', allowed);
      sendApiError(res, 405, ERR.methodNotAllowed);
      return false;
    };

    if (head === 'accounts') {
      if (n === 1) return expect('GET') ? this.#listAccounts(res, query) : 405;
      const account = this.#authByIndex(id ?? '')?.index ?? -1;
      if (n === 2) {
        if (!expect('GET')) return 405;
        if (account === -1) throw notFound('account');
        return sendJson(res, 200, d.accounts.view(account, Date.now()));
      }
      if (n === 3 && action === 'reset-cooldown') {
        if (!expect('POST')) return 405;
        if (account === -1) throw notFound('account');
        d.accounts.resetCooldown(account);
        return sendJson(res, 200, d.accounts.view(account, Date.now()));
      }
    }
    if (head === 'api-call' && n === 1) return expect('POST') ? this.#apiCall(req, res) : 405;
    if (head === 'health-scan') {
      if (n === 1) {
        if (!expect('POST')) return 405;
        const body = await this.#jsonBody(req, true);
        const concurrency = body.concurrency ?? d.options.healthScanConcurrency;
        if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
          throw new BadRequest('concurrency: expected an integer in [1, 256]');
        }
        const started = d.scans.start(concurrency);
        if (started === undefined) throw new BadRequest(`a health scan is already running: ${d.scans.runningId}`, 409, 'scan_running');
        return sendJson(res, 202, { id: started.id });
      }
      if (n === 2) {
        if (!expect('GET')) return 405;
        const scan = d.scans.get(id ?? '');
        if (scan === undefined) throw notFound('health scan');
        return sendJson(res, 200, scan);
      }
    }
    if (head === 'usage' && n === 1) return expect('GET') ? sendJson(res, 200, d.ledger.summary(queryInt(query, 'recent', 50, 0, 1_000))) : 405;
    if (head === 'sync' && n === 2 && (id === 'snapshot' || id === 'events')) {
      if (!expect('POST')) return 405;
      const body = await this.#jsonBody(req, false);
      return sendJson(res, 200, id === 'snapshot' ? d.sync.snapshot(body) : d.sync.events(body));
    }
    if (head === 'requests' && n === 1) {
      if (!expect('GET')) return 405;
      const limit = queryInt(query, 'limit', DEFAULT_PAGE, 1, MAX_PAGE);
      const now = Date.now();
      const inflight = d.scheduler.list(limit).map((e) => ({
        id: e.id,
        model: e.model,
        auth_index: e.account === -1 ? null : d.accounts.records[e.account]!.authIndex,
        attempt: e.attempt,
        committed: e.committed,
        age_ms: now - e.startedAt,
      }));
      return sendJson(res, 200, { total: d.scheduler.inflight, inflight });
    }
    if (head === 'contexts' && n === 1) {
      if (!expect('GET')) return 405;
      const limit = queryInt(query, 'limit', DEFAULT_PAGE, 1, MAX_PAGE);
      const contexts = d.contexts.list(limit).map((c) => ({ id: c.id, started_at: c.startedAt, steps: c.executionPath.length }));
      return sendJson(res, 200, { total: d.contexts.size, contexts });
    }
    if (head === 'requests' && n === 3 && id !== undefined) {
      if (action === 'cancel') {
        if (!expect('POST')) return 405;
        if (!d.scheduler.cancel(id)) throw notFound('in-flight request');
        return sendJson(res, 200, { id, cancelled: true });
      }
      if (action === 'context') {
        // The live execution context (request-context.ts): gone once the request ends.
        if (!expect('GET')) return 405;
        const ctx = d.contexts.get(id);
        if (ctx === undefined) throw notFound('request context');
        return sendJson(res, 200, ctx);
      }
      if (action === 'usage') {
        if (!expect('GET')) return 405;
        const done = d.completed.get(id, Date.now());
        if (done === undefined) throw notFound('completed request');
        return sendJson(res, 200, done);
      }
    }
    sendApiError(res, 404, ERR.notFound);
    return 404;
  }

  #listAccounts(res: ServerResponse, query: URLSearchParams): number {
    const accounts = this.#d.accounts;
    const offset = queryInt(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = queryInt(query, 'limit', DEFAULT_PAGE, 1, MAX_PAGE);
    const now = Date.now();
    const end = Math.min(accounts.size, offset + limit);
    const page = [];
    for (let a = offset; a < end; a++) page.push(accounts.view(a, now));
    return sendJson(res, 200, { total: accounts.size, offset, limit, accounts: page });
  }

  async #apiCall(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const d = this.#d;
    const body = await this.#jsonBody(req, false);
    const { auth_index: authIndex, method = 'GET', path, body: callBody } = body;
    if (typeof authIndex !== 'string') throw new BadRequest('auth_index: expected a string');
    if (typeof method !== 'string' || !(API_CALL_METHODS as readonly string[]).includes(method)) {
      throw new BadRequest(`method: expected one of ${API_CALL_METHODS.join(', ')}`);
    }
    if (typeof path !== 'string' || !isSameOriginPath(path, d.options.upstream)) {
      throw new BadRequest('path: expected an absolute path on the upstream origin, starting with a single "/"');
    }
    if (callBody !== undefined && typeof callBody !== 'string') throw new BadRequest('body: expected a string');
    const account = this.#authByIndex(authIndex)?.index ?? -1;
    if (account === -1) throw notFound('account');
    const result = await callUpstream(d.upstream, d.accounts.authorizationOf(account), method as ApiCallMethod, path, callBody, API_CALL_BODY_CAP, undefined);
    if (path.startsWith('/backend-api/wham/usage')) d.accounts.recordProbe(account, result.status, Date.now());
    return sendJson(res, 200, {
      status_code: result.status,
      body: result.body.toString('utf8'),
      ...(result.errorClass === null ? {} : { error_class: result.errorClass }),
    });
  }

  async #jsonBody(req: IncomingMessage, optional: boolean): Promise<Record<string, unknown>> {
    const read = await readRequestBody(req, this.#d.options.bodyLimitBytes);
    if (!read.ok) throw read.reason === 'too_large' ? new BadRequest('request body exceeds the size limit', 413, 'request_too_large') : new BadRequest('request body aborted');
    if (read.body.length === 0 && optional) return {};
    let value: unknown;
    try {
      value = JSON.parse(read.body.toString('utf8'));
    } catch {
      throw new BadRequest('request body is not valid JSON', 400, 'invalid_json');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest('request body must be a JSON object');
    return value as Record<string, unknown>;
  }
}

