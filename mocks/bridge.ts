// A node:http server in front of the msw handlers, through msw's public
// `getResponse()` (msw 3 has no working server middleware, see field notes).
// It gives the relay real sockets and turns the handlers' Fetch-level signals
// into wire faults (mapping in wire.ts).
//
// Hot path: a plain 200 chat completion is served here directly, without
// building a Fetch Request for msw. Measured (bench/upstream.bench.ts), msw's
// per-request machinery (request clone, URL and cookie parsing, Response
// streams) costs ~60 µs in-process and caps the msw route at 2–4k req/s on
// this 2-core machine, below the relay's own throughput. The fast path runs the same
// admission (engine.admitChat) and writes the same bytes as the msw handler
// (plainCompletion); everything else, every fault included, goes through msw.

import { createServer, ServerResponse, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { getResponse, type HttpHandler } from 'msw';
import { badRequestJson, ERROR_BODIES } from './bodies.ts';
import { FAULT_HEADER, type ChatAdmission, type UpstreamEngine } from './engine.ts';
import { plainCompletion, preAdmitted } from './handlers.ts';
import { networkErrorKindOf } from './wire.ts';

export const HOST = '127.0.0.1';
const CHAT_PATH = '/v1/chat/completions';
/** Control routes (stats, plan, reset): never faulted, not API traffic. */
const CONTROL_PREFIX = '/__upstream/';
/** Request bodies above this get 413: the fake never needs more, and a bug upstream of it must not eat memory. */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;

/** Per-request state lives on the response object: no side maps, no closures on the hot path. */
class UpstreamResponse extends ServerResponse<IncomingMessage> {
  /** The upstream cut this response on purpose (fault), so its close is not a client abort. */
  cutByUs = false;
  /** Aborts the Fetch Request handed to msw: stops pending sleeps and paced streams. */
  abort: AbortController | null = null;
  /** Counted in stats.inFlight: API requests only, so a /__upstream/stats read does not count itself. */
  counted = true;
}

export interface BridgeOptions {
  engine: UpstreamEngine;
  /** The handler list to serve a request with; asked once per request, as plans change it. */
  handlers: () => HttpHandler[];
  /** Serve the plain 200 completion without msw (default true). */
  fastPath: boolean;
  /** Called with unexpected handler errors (never with request data). */
  onError: (error: unknown) => void;
}

export interface Bridge {
  readonly server: Server<typeof IncomingMessage, typeof UpstreamResponse>;
  /** Marks the bridge as closing and destroys every socket (stalled ones included). */
  destroyAll(): void;
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return typeof value === 'string' ? value : (value[0] ?? null);
}

export function createBridge(options: BridgeOptions): Bridge {
  const { engine, handlers, fastPath, onError } = options;
  const stats = engine.stats;
  const sockets = new Set<Socket>();
  let closing = false;

  function onResponseClose(this: UpstreamResponse): void {
    if (this.counted) stats.inFlight--;
    if (this.writableFinished) return;
    if (!this.cutByUs && !closing) stats.clientAborts++;
    // Only an unfinished response has anything to stop (a sleep, a paced
    // stream); aborting costs a DOMException, so finished ones skip it.
    this.abort?.abort();
  }

  function cut(res: UpstreamResponse, how: 'rst' | 'fin' | 'destroy'): void {
    res.cutByUs = true;
    const socket = res.socket;
    if (!socket || socket.destroyed) return;
    if (how === 'rst') socket.resetAndDestroy();
    else if (how === 'fin') socket.destroySoon(); // FIN now, close once flushed
    else res.destroy();
  }

  function sendJson(res: UpstreamResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  async function writeResponse(res: UpstreamResponse, response: Response): Promise<void> {
    const networkError = networkErrorKindOf(response);
    if (networkError) {
      cut(res, networkError);
      return;
    }
    if (res.destroyed) {
      await response.body?.cancel();
      return;
    }
    const headers: OutgoingHttpHeaders = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    res.writeHead(response.status, headers);
    if (!response.body) {
      res.end();
      return;
    }
    const reader = response.body.getReader();
    // Resolves once the last chunk reached the kernel. A cut must wait for it:
    // node corks the socket on a response's first write until the next tick,
    // and destroying a corked socket drops the bytes meant to precede the cut.
    let flushed: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (res.destroyed) {
          await reader.cancel();
          return;
        }
        let writable = true;
        flushed = new Promise<void>((resolve) => {
          writable = res.write(value, () => resolve());
        });
        if (!writable) {
          // Waiting on the client, not on us: counted so a drain can tell the two apart (stats.ts).
          stats.awaitingClient++;
          await new Promise<void>((resolve) => {
            const settle = () => {
              res.off('drain', settle);
              res.off('close', settle);
              resolve();
            };
            res.on('drain', settle);
            res.on('close', settle);
          });
          stats.awaitingClient--;
        }
      }
      res.end();
    } catch {
      // The body stream failed: a WireCut fault, or the request was aborted.
      // Either way the response cannot complete: cut it mid-body.
      await flushed;
      if (!res.destroyed) cut(res, 'destroy');
    }
  }

  async function viaMsw(req: IncomingMessage, res: UpstreamResponse, body: Buffer | null, admission: ChatAdmission | null): Promise<void> {
    const headers = new Headers();
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    res.abort = new AbortController();
    const method = req.method ?? 'GET';
    const request = new Request(`http://${HOST}${req.url ?? '/'}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? null : body,
      signal: res.abort.signal,
    });
    if (admission) preAdmitted.set(request, admission);
    let response: Response | undefined;
    try {
      response = await getResponse(handlers(), request);
    } catch (error) {
      onError(error);
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, ERROR_BODIES.internal);
      return;
    }
    if (!response) {
      sendJson(res, 404, ERROR_BODIES.notFound);
      return;
    }
    await writeResponse(res, response);
  }

  function onBody(req: IncomingMessage, res: UpstreamResponse, body: Buffer): void {
    if (fastPath && req.method === 'POST' && req.url === CHAT_PATH) {
      const admission = engine.admitChat(
        req.headers.authorization,
        headerValue(req.headers[FAULT_HEADER]),
        body.toString('utf8'),
        body.length,
      );
      const { decision, chat } = admission;
      // A sequenced `ok` step is not for the fast path: its msw generator serves it.
      if (decision.type === 'serve' && decision.fault === null && decision.sequence === null && chat && !chat.stream) {
        sendJson(res, 200, plainCompletion(engine, chat));
        return;
      }
      serveViaMsw(req, res, body, admission);
      return;
    }
    serveViaMsw(req, res, body, null);
  }

  function serveViaMsw(req: IncomingMessage, res: UpstreamResponse, body: Buffer, admission: ChatAdmission | null): void {
    viaMsw(req, res, body, admission).catch((error: unknown) => {
      // A bug of ours, not a fault: report it and never leave the client hanging.
      onError(error);
      if (!res.destroyed) cut(res, 'destroy');
    });
  }

  const server = createServer<typeof IncomingMessage, typeof UpstreamResponse>(
    {
      ServerResponse: UpstreamResponse,
      // Stalls are faults the client must time out on; the server must not cut them first.
      requestTimeout: 0,
    },
    (req, res) => {
      if (req.url?.startsWith(CONTROL_PREFIX)) res.counted = false;
      else stats.inFlight++;
      res.on('close', onResponseClose);
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REQUEST_BODY_BYTES) {
          req.pause();
          res.setHeader('connection', 'close');
          sendJson(res, 413, badRequestJson(`request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`, null));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (res.headersSent) return;
        onBody(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      });
    },
  );

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    stats.openConnections++;
    socket.once('close', () => {
      sockets.delete(socket);
      stats.openConnections--;
    });
  });

  return {
    server,
    destroyAll() {
      closing = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}
