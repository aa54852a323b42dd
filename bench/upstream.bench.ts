// The fake upstream serving a plain 200 completion vs a bare node:http server
// returning the same bytes: same load generator (autocannon, in this process),
// same settings, same run, each server in its own child process. Target: the
// upstream sustains at least 2× the relay's maximum (bench:relay), so it is
// never the bottleneck of a soak.
//
//   flock /tmp/soak-bench.lock npx node bench/upstream.bench.ts
//
// Also measures the upstream with the bridge fast path off (--msw-only), to
// show what msw's per-request machinery costs. The targets take turns over
// several short rounds and the medians are compared, so background load that
// drifts during the run hits all of them alike. ≈ 50 s in total.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { accessTokenOf } from '../shared/accounts.ts';
import { FlagError, parseFlags, type FlagSpecs } from '../shared/cli/flags.ts';
import { UpstreamEngine } from '../mocks/engine.ts';
import { plainCompletion } from '../mocks/handlers.ts';
import { startUpstream } from '../mocks/index.ts';

const SEED = 42;
const ACCOUNTS = 5000;
const CONNECTIONS = 50;
const ROUNDS = 3;
const WARMUP_S = 1;
const DURATION_S = 4;
const READY = /^(?:upstream|bare): listening on (http:\/\/127\.0\.0\.1:\d+)$/m;
const REQUEST_BODY = JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'Say hello.' }] });

type Target = 'bare' | 'upstream' | 'msw-only';

/** Child mode: serve one target and print the readiness line. */
async function serve(target: Target): Promise<void> {
  if (target === 'bare') {
    // The exact bytes and headers the upstream's plain 200 sends (same code path builds them).
    const engine = new UpstreamEngine({ seed: SEED, accounts: ACCOUNTS });
    const chat = engine.admitChat(`Bearer ${accessTokenOf(SEED, 0)}`, null, REQUEST_BODY, Buffer.byteLength(REQUEST_BODY)).chat!;
    const body = Buffer.from(plainCompletion(engine, chat));
    const server = createServer((req, res) => {
      // Read the request body like the upstream does, then answer.
      req.on('data', () => {});
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(body);
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      process.stdout.write(`bare: listening on http://127.0.0.1:${port}\n`);
    });
  } else {
    const upstream = await startUpstream({ seed: SEED, accounts: ACCOUNTS, fastPath: target === 'upstream' });
    process.stdout.write(`upstream: listening on ${upstream.url}\n`);
  }
  process.on('SIGTERM', () => process.exit(0));
}

function startChild(target: Target): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', target], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const match = READY.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`${target} server exited early (${code})`)));
  });
}

interface Figures {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, seconds: number): Promise<Figures> {
  const result = await autocannon({
    url: `${url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessTokenOf(SEED, 0)}` },
    body: REQUEST_BODY,
    connections: CONNECTIONS,
    duration: seconds,
  });
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const TARGETS = ['bare', 'upstream', 'msw-only'] as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function line(label: string, r: Figures): string {
  return `${label.padEnd(9)} ${r.reqPerSec.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  errors ${r.errors}  non-2xx ${r.non2xx}`;
}

const FLAGS = {
  serve: { type: 'string', arg: 'target', help: `child mode: serve one target (${TARGETS.join(', ')}) and print its readiness line` },
} as const satisfies FlagSpecs;

/** The target to serve in child mode, or null for the bench itself. */
function parseInvocation(argv: readonly string[]): Target | null {
  const { serve: target } = parseFlags(FLAGS, argv).values;
  if (target === undefined) return null;
  if (!(TARGETS as readonly string[]).includes(target)) throw new FlagError('--serve', `expected one of ${TARGETS.join(', ')}, got ${JSON.stringify(target)}`);
  return target as Target;
}

async function main(): Promise<void> {
  let target: Target | null;
  try {
    target = parseInvocation(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`bench:upstream: ${err.message}\n`);
    process.exit(2);
  }
  if (target !== null) {
    await serve(target);
    return;
  }
  const load1 = () => loadavg()[0]!.toFixed(2);
  console.log(
    `bench:upstream  node ${process.version}  ${CONNECTIONS} connections, ${ROUNDS} rounds of ${WARMUP_S} s warm-up + ${DURATION_S} s per target  load average ${load1()}`,
  );
  const children = await Promise.all(TARGETS.map((t) => startChild(t)));
  const runs: Record<Target, Figures[]> = { bare: [], upstream: [], 'msw-only': [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, target] of TARGETS.entries()) {
        const { url } = children[i]!;
        await load(url, WARMUP_S);
        runs[target].push(await load(url, DURATION_S));
      }
    }
  } finally {
    for (const { child } of children) child.kill('SIGTERM');
  }
  const summary = {} as Record<Target, Figures>;
  for (const target of TARGETS) {
    const r = runs[target];
    summary[target] = {
      reqPerSec: median(r.map((x) => x.reqPerSec)),
      p50: median(r.map((x) => x.p50)),
      p99: median(r.map((x) => x.p99)),
      errors: r.reduce((a, x) => a + x.errors, 0),
      non2xx: r.reduce((a, x) => a + x.non2xx, 0),
    };
    console.log(`${line(target, summary[target])}   (rounds: ${r.map((x) => x.reqPerSec.toFixed(0)).join(', ')})`);
  }
  const bare = summary.bare.reqPerSec;
  console.log(
    `ratio upstream/bare ${(summary.upstream.reqPerSec / bare).toFixed(2)}  msw-only/bare ${(summary['msw-only'].reqPerSec / bare).toFixed(2)}  (medians; load average at end ${load1()})`,
  );
  console.log('target: upstream req/s ≥ 2 × the relay maximum from `npm run bench:relay`');
  if (TARGETS.some((t) => summary[t].errors > 0 || summary[t].non2xx > 0)) {
    console.error('bench:upstream: errors or non-2xx responses during the run: figures are not comparable');
    process.exitCode = 1;
  }
}

await main();
