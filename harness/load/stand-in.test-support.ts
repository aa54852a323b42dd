// Test support only: a tiny node:http stand-in for the relay that answers the
// routes the load driver uses and measures what a test needs to assert
// (requests per route, concurrency, early client closes, open sockets).
// Behaviour per test through `behaviour`. Binds 127.0.0.1:0.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StandInBehaviour {
  /** Delay before answering any route, ms. */
  latencyMs: number;
  /** JSON chat: 'ok', a complete HTTP response whose JSON is cut ('truncated-json'), or a response cut mid-body ('cut'). */
  chat: 'ok' | 'truncated-json' | 'cut';
  /** Status of JSON chat responses (e.g. 429 for retry tests). */
  chatStatus: number;
  /** SSE: events before [DONE], and the gap between them. */
  sseEvents: number;
  sseGapMs: number;
  /** Relay health scan: how long a scan stays `running`. */
  scanMs: number;
  /** Keep management bodies and Idempotency-Keys for assertions (off for memory measurements). */
  record: boolean;
}

export interface RouteCounts {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  /** Responses the client closed before we finished writing them. */
  closedEarly: number;
}

export interface StandIn {
  url: string;
  behaviour: StandInBehaviour;
  routes: Map<string, RouteCounts>;
  /** Parsed JSON bodies received on management routes (bounded by the test's load). */
  bodies: Map<string, unknown[]>;
  /** Idempotency-Key header values received (bounded by the test's load). */
  idempotencyKeys: string[];
  /** SSE events written per stream closed early by the client. */
  eventsBeforeClose: number[];
  authFailures: number;
  openRequests(): number;
  openSockets(): number;
  route(name: string): RouteCounts;
  close(): Promise<void>;
}

const CLIENT_KEY = 'sk-test-client';
const MANAGEMENT_KEY = 'mk-test-management';
export const STAND_IN_KEYS = { clientKey: CLIENT_KEY, managementKey: MANAGEMENT_KEY };

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

export async function startStandIn(behaviour: Partial<StandInBehaviour> = {}): Promise<StandIn> {
  const b: StandInBehaviour = { latencyMs: 0, chat: 'ok', chatStatus: 200, sseEvents: 5, sseGapMs: 0, scanMs: 50, record: true, ...behaviour };
  const routes = new Map<string, RouteCounts>();
  const bodies = new Map<string, unknown[]>();
  const eventsBeforeClose: number[] = [];
  const idempotencyKeys: string[] = [];
  const sockets = new Set<Socket>();
  const scans = new Map<string, number>();
  let open = 0;
  const state = { authFailures: 0 };

  const route = (name: string): RouteCounts => {
    let r = routes.get(name);
    if (!r) routes.set(name, (r = { requests: 0, inFlight: 0, maxInFlight: 0, closedEarly: 0 }));
    return r;
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function handle(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const text = await readBody(req);
    const management = name.includes(' /v0/');
    if (req.headers.authorization !== `Bearer ${management ? MANAGEMENT_KEY : CLIENT_KEY}`) {
      state.authFailures++;
      return json(res, 401, { error: 'unauthorized' });
    }
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string' && b.record) idempotencyKeys.push(key);
    if (b.latencyMs > 0) await new Promise((r) => setTimeout(r, b.latencyMs));
    if (management && text !== '' && b.record) {
      let list = bodies.get(name);
      if (!list) bodies.set(name, (list = []));
      list.push(JSON.parse(text));
    }
    if (name === 'POST /v1/chat/completions') {
      const body = JSON.parse(text) as { stream?: boolean };
      if (body.stream) return stream(res);
      if (b.chatStatus !== 200) return json(res, b.chatStatus, { error: { message: 'rate limited' } });
      if (b.chat === 'truncated-json') {
        const cut = COMPLETION.slice(0, 40);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': cut.length });
        return void res.end(cut);
      }
      if (b.chat === 'cut') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': COMPLETION.length });
        res.write(COMPLETION.slice(0, 20));
        return void setTimeout(() => res.destroy(), 5);
      }
      return json(res, 200, JSON.parse(COMPLETION));
    }
    if (name === 'GET /v1/models') return json(res, 200, { object: 'list', data: [{ id: 'gpt-5' }] });
    if (name === 'POST /v0/management/api-call') return json(res, 200, { status_code: 200, body: '{}' });
    if (name === 'POST /v0/management/health-scan') {
      const id = `scan-${scans.size + 1}`;
      scans.set(id, Date.now());
      return json(res, 200, { id });
    }
    if (name.startsWith('GET /v0/management/health-scan/')) {
      const started = scans.get(name.slice('GET /v0/management/health-scan/'.length));
      if (started === undefined) return json(res, 404, { error: 'no such scan' });
      const done = Date.now() - started >= b.scanMs;
      return json(res, 200, { state: done ? 'done' : 'running', total: 10, done: done ? 10 : 3, ok: 10, failed: 0 });
    }
    if (name === 'POST /v0/management/sync/snapshot' || name === 'POST /v0/management/sync/events') return json(res, 200, { ok: true });
    return json(res, 404, { error: 'no route' });
  }

  async function stream(res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let written = 0;
    let closed = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        closed = true;
        eventsBeforeClose.push(written);
      }
    });
    for (let i = 0; i < b.sseEvents && !closed; i++) {
      res.write(`data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ delta: { content: `t${i}` } }] })}\n\n`);
      written++;
      if (b.sseGapMs > 0) await new Promise((r) => setTimeout(r, b.sseGapMs));
    }
    if (!closed) res.end('data: [DONE]\n\n');
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const name = path.startsWith('/v0/management/health-scan/') ? `GET /v0/management/health-scan/${path.split('/').pop()}` : `${req.method} ${path}`;
    const key = name.startsWith('GET /v0/management/health-scan/') ? 'GET /v0/management/health-scan/:id' : name;
    const r = route(key);
    r.requests++;
    r.inFlight++;
    r.maxInFlight = Math.max(r.maxInFlight, r.inFlight);
    open++;
    let finished = false;
    res.on('close', () => {
      if (finished) return;
      finished = true;
      r.inFlight--;
      open--;
      if (!res.writableFinished) r.closedEarly++;
    });
    handle(req, res, name).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    behaviour: b,
    routes,
    bodies,
    eventsBeforeClose,
    idempotencyKeys,
    get authFailures() {
      return state.authFailures;
    },
    openRequests: () => open,
    openSockets: () => sockets.size,
    route,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
