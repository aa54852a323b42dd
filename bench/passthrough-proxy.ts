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
import { Pool } from 'undici';
import { accessTokenOf } from '../shared/accounts.ts';
import { FlagError, parseFlags, type FlagSpecs } from '../shared/cli/flags.ts';

const FLAGS = {
  upstream: { type: 'string', arg: 'URL', help: 'upstream origin' },
  port: { type: 'int', min: 0, max: 65_535, default: 0, help: 'listen port, 0 = any' },
  seed: { type: 'int', min: 0, max: 2 ** 32 - 1, default: 42, help: 'account seed (the token of account 0 is used)' },
  connections: { type: 'int', min: 1, max: 65_536, default: 128, help: 'upstream socket cap' },
} as const satisfies FlagSpecs;

function parseInvocation(argv: readonly string[]): { upstream: string; port: number; seed: number; connections: number } {
  const { values } = parseFlags(FLAGS, argv);
  if (values.upstream === undefined || !/^https?:\/\/[^/]+\/?$/.test(values.upstream)) {
    throw new FlagError('--upstream', 'expected an origin such as http://127.0.0.1:8080');
  }
  return { upstream: values.upstream, port: values.port, seed: values.seed, connections: values.connections };
}

let invocation: ReturnType<typeof parseInvocation>;
try {
  invocation = parseInvocation(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof FlagError)) throw err;
  process.stderr.write(`bench:passthrough: ${err.message}\n`);
  process.exit(2);
}
const { port, seed, connections } = invocation;

// Same pool settings as the relay's defaults, so the comparison is about the code, not the knobs.
const pool = new Pool(new URL(invocation.upstream).origin, {
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
