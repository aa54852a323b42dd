// The baseline for bench/relay.bench.ts: the least a proxy can do in Node
// with undici. Every request is forwarded to the same upstream path with one
// fixed account token, the client body streamed in, the upstream body piped
// out. No auth, no parsing, no accounts, no metrics: whatever the relay costs
// beyond this is the price of being a relay.
//
//   node bench/passthrough-proxy.ts --upstream URL [--port 0] [--seed 42] [--connections 128]
//
// Prints `passthrough: listening on http://127.0.0.1:PORT` when ready; serves
// until SIGINT/SIGTERM, then closes and exits 0.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';
import { accessTokenOf } from '../shared/accounts.ts';
import { HELP_FLAG, type FlagSpecs } from '../shared/cli/flags.ts';
import { flagUsageError } from '../harness/errors.ts';
import { runCommand, runMain, untilAborted, type Command } from '../harness/cli/command.ts';

const FLAGS = {
  upstream: { type: 'string', arg: 'URL', help: 'upstream origin' },
  port: { type: 'int', min: 0, max: 65_535, default: 0, arg: 'N', help: 'listen port, 0 = any' },
  seed: { type: 'int', min: 0, max: 2 ** 32 - 1, default: 42, arg: 'N', help: 'account seed (the token of account 0 is used)' },
  connections: { type: 'int', min: 1, max: 65_536, default: 128, arg: 'N', help: 'upstream socket cap' },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization']);

function onPipelineDone(err: Error | null | undefined): void {
  void err; // a client or upstream that went away: nothing to do, both streams are destroyed
}

function forwarder(pool: Pool, authorization: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
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
  };
}

export const command: Command<typeof FLAGS> = {
  name: 'bench:passthrough',
  usage: 'node bench/passthrough-proxy.ts --upstream URL [--port 0] [--seed 42] [--connections 128]',
  about: [
    'The baseline of `npm run bench:relay`: the least a proxy can do in Node with undici. Every request',
    'is forwarded to the same upstream path with one fixed account token, the body streamed both ways;',
    'no auth, no parsing, no accounts, no metrics. Prints `passthrough: listening on http://127.0.0.1:PORT`',
    'when ready; serves until SIGINT/SIGTERM, then closes and exits 0.',
  ],
  flags: FLAGS,
  exitCodes: ['0 served, then stopped by SIGINT/SIGTERM; 2 bad flags (nothing started); 3 could not listen.'],
  async run({ values, io, signal }) {
    if (values.upstream === undefined || !/^https?:\/\/[^/]+\/?$/.test(values.upstream)) {
      throw flagUsageError('--upstream', 'expected an origin such as http://127.0.0.1:8080');
    }
    // Same pool settings as the relay's defaults, so the comparison is about the code, not the knobs.
    const pool = new Pool(new URL(values.upstream).origin, {
      connections: values.connections,
      pipelining: 1,
      connectTimeout: 5_000,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
      keepAliveTimeout: 4_000,
    });
    const server = createServer({ keepAliveTimeout: 5_000 }, forwarder(pool, `Bearer ${accessTokenOf(values.seed, 0)}`));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(values.port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      io.stdout.write(`passthrough: listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
      await untilAborted(signal);
      return 0;
    } finally {
      server.close();
      server.closeAllConnections();
      await pool.close();
    }
  },
};

if (import.meta.main) runMain(() => runCommand(command, process.argv.slice(2)), 'bench:passthrough');
