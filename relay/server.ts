// The HTTP front: routing, client/management authentication, body limits,
// draining during shutdown. One module-level dispatch per request; the route
// handlers own everything after that.
//
//   POST /v1/chat/completions    client key
//   GET  /v1/models              client key
//   GET  /metrics                none (the relay binds 127.0.0.1 only)
//   *    /v0/management/*        management key, checked before routing
//   anything else                404; a known route with the wrong method → 405

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientKeys, ManagementKey } from './auth.ts';
import { ERR, sendApiError, type ApiErrorBody } from './errors.ts';
import { readRequestBody } from './http/read-request-body.ts';
import type { ManagementApi } from './management/routes.ts';
import type { RelayMetrics, Route } from './metrics.ts';
import type { ChatCompletions } from './proxy/chat-completions.ts';
import { sendModels } from './proxy/models.ts';

export interface FrontDeps {
  readonly clientKeys: ClientKeys;
  readonly managementKey: ManagementKey;
  readonly chat: ChatCompletions;
  readonly management: ManagementApi;
  readonly metrics: RelayMetrics;
  readonly modelsBody: Buffer;
  readonly bodyLimitBytes: number;
  /** True once shutdown began: new requests get 503 and the connection closes. */
  readonly draining: () => boolean;
}

const MANAGEMENT_PREFIX = '/v0/management/';
const CLIENT_CLOSED_STATUS = 499;

function fail(res: ServerResponse, status: number, error: ApiErrorBody, headers?: Record<string, string>): number {
  sendApiError(res, status, error, headers);
  return status;
}

export class Front {
  readonly #d: FrontDeps;

  constructor(deps: FrontDeps) {
    this.#d = deps;
  }

  /** The 'request' listener. Never rejects: every failure becomes a response. */
  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void this.#dispatch(req, res);
  };

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const route = routeOf(pathname);
    let status: number;
    try {
      status = await this.#serve(route, pathname, q === -1 ? '' : url.slice(q + 1), req, res);
    } catch (err) {
      process.emitWarning(`relay: unexpected error on ${route}: ${err instanceof Error ? err.message : String(err)}`);
      if (res.headersSent) res.destroy();
      status = fail(res, 500, { message: 'internal relay error', type: 'server_error', code: 'internal_error' });
    }
    this.#d.metrics.request(route, status);
  }

  async #serve(route: Route, pathname: string, search: string, req: IncomingMessage, res: ServerResponse): Promise<number> {
    const d = this.#d;
    if (d.draining()) return fail(res, 503, ERR.shuttingDown, { connection: 'close' });
    const method = req.method;
    switch (route) {
      case 'chat_completions': {
        if (method !== 'POST') return fail(res, 405, ERR.methodNotAllowed, { allow: 'POST' });
        const clientKey = d.clientKeys.identify(req);
        if (clientKey === -1) return fail(res, 401, ERR.unauthorized);
        const read = await readRequestBody(req, d.bodyLimitBytes);
        if (!read.ok) {
          if (read.reason === 'aborted') return CLIENT_CLOSED_STATUS;
          // The rest of the body is not read: close the connection rather than drain it.
          return fail(res, 413, ERR.tooLarge, { connection: 'close' });
        }
        return d.chat.handle(req, res, clientKey, read.body);
      }
      case 'models':
        if (method !== 'GET' && method !== 'HEAD') return fail(res, 405, ERR.methodNotAllowed, { allow: 'GET' });
        if (d.clientKeys.identify(req) === -1) return fail(res, 401, ERR.unauthorized);
        return sendModels(res, d.modelsBody);
      case 'metrics': {
        if (method !== 'GET') return fail(res, 405, ERR.methodNotAllowed, { allow: 'GET' });
        const registry = d.metrics.registry;
        const text = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return 200;
      }
      case 'management':
        if (!d.managementKey.verify(req)) return fail(res, 401, ERR.managementUnauthorized);
        return d.management.handle(req, res, pathname, search);
      default:
        return fail(res, 404, ERR.notFound);
    }
  }
}

function routeOf(pathname: string): Route {
  if (pathname === '/v1/chat/completions') return 'chat_completions';
  if (pathname === '/v1/models') return 'models';
  if (pathname === '/metrics') return 'metrics';
  if (pathname.startsWith(MANAGEMENT_PREFIX)) return 'management';
  return 'not_found';
}
