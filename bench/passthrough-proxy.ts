// The baseline for bench/relay.bench.ts: the least a proxy can do in Node
// with undici. Every request is forwarded to the same upstream path with one
// fixed account token, the client body streamed in, the upstream body piped
// out. No auth, no parsing, no accounts, no metrics: whatever the relay costs
// beyond this is the price of being a relay.
//
//   node bench/passthrough-proxy.ts --upstream URL [--port 0] [--seed 42] [--connections 128]
//
// Prints `passthrough: listening on http://127.0.0.1:PORT` when ready.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { accessTokenOf } from '../shared/accounts.ts';

const { values } = parseArgs({
  options: {
    upstream: { type: 'string' },
    port: { type: 'string', default: '0' },
    seed: { type: 'string', default: '42' },
    connections: { type: 'string', default: '128' },
  },
});

function intFlag(name: string, text: string | undefined, min: number, max: number): number {
  const n = /^\d+$/.test(text ?? '') ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`passthrough: --${name}: expected an integer in [${min}, ${max}], got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return n;
}

if (values.upstream === undefined || !/^https?:\/\/[^/]+\/?$/.test(values.upstream)) {
  process.stderr.write('passthrough: --upstream: expected an origin such as http://127.0.0.1:8080\n');
  process.exit(2);
}
const port = intFlag('port', values.port, 0, 65_535);
const seed = intFlag('seed', values.seed, 0, 2 ** 32 - 1);
const connections = intFlag('connections', values.connections, 1, 65_536);

// Same pool settings as the relay's defaults, so the comparison is about the code, not the knobs.
const pool = new Pool(new URL(values.upstream).origin, {
  connections,
  pipelining: 1,
  connectTimeout: 5_000,
  headersTimeout: 60_000,
  bodyTimeout: 60_000,
  keepAliveTimeout: 4_000,
});
const authorization = `Bearer ${accessTokenOf(seed, 0)}`;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization']);

function onPipelineDone(err: Error | null | undefined): void {
  void err; // a client or upstream that went away: nothing to do, both streams are destroyed
}

function forward(req: IncomingMessage, res: ServerResponse): void {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  pool
    .request({
      path: req.url ?? '/',
      method: (req.method ?? 'GET') as 'GET',
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json', authorization },
      body: req.method === 'GET' || req.method === 'HEAD' ? null : req,
      signal: controller.signal,
    })
    .then(
      (up) => {
        const headers: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(up.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
        }
        res.writeHead(up.statusCode, headers);
        pipeline(up.body, res, onPipelineDone);
      },
      () => {
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end('{"error":{"message":"upstream failed","type":"upstream_error","code":"upstream_error"}}');
        } else res.destroy();
      },
    );
}

const server = createServer({ keepAliveTimeout: 5_000 }, forward);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`passthrough: listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});

function shutdown(): void {
  server.close();
  server.closeAllConnections();
  void pool.close().finally(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
