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
import { once } from 'node:events';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { abortableLoad } from './abortable-load.ts';
import { accessTokenOf } from '../shared/accounts.ts';
import { HELP_FLAG, type FlagSpecs } from '../shared/cli/flags.ts';
import { flagUsageError, SoakError } from '../harness/errors.ts';
import { orInterrupt, runCommand, runMain, throwIfInterrupted, untilAborted, type Command } from '../harness/cli/command.ts';
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

/** Child mode: serve one target and print the readiness line; close when `signal` aborts (SIGINT/SIGTERM). */
async function serve(target: Target, stdout: NodeJS.WritableStream, signal: AbortSignal): Promise<number> {
  let close: () => Promise<void>;
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
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as { port: number };
    stdout.write(`bare: listening on http://127.0.0.1:${port}\n`);
    close = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
  } else {
    const upstream = await startUpstream({ seed: SEED, accounts: ACCOUNTS, fastPath: target === 'upstream' });
    stdout.write(`upstream: listening on ${upstream.url}\n`);
    close = () => upstream.close();
  }
  await untilAborted(signal);
  await close();
  return 0;
}

/** What runCommand prints in a child when this bench stops it: not news to the reader of the bench. */
const CHILD_STOP_LINE = /\n?SIG(?:INT|TERM): stopping bench:upstream and its children…\n/g;

function startChild(target: Target): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', target], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The child's stderr is the bench's, less the line above.
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    const text = d.replace(CHILD_STOP_LINE, '');
    if (text !== '') process.stderr.write(text);
  });
  const ready = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const match = READY.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new SoakError('SOAK_ERR_CHILD_EXITED', `${target} server exited early (${code})`)));
  });
  return { child, ready };
}

/** SIGTERM: the child closes and exits 0; one still running after `graceMs` is killed. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

interface Figures {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** One autocannon run against a target; the interrupt is thrown if `signal` aborts. */
async function load(url: string, seconds: number, signal: AbortSignal): Promise<Figures> {
  const result = await abortableLoad(
    {
      url: `${url}/v1/chat/completions`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessTokenOf(SEED, 0)}` },
      body: REQUEST_BODY,
      connections: CONNECTIONS,
      duration: seconds,
    },
    signal,
  );
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
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

/** The target to serve in child mode, or null for the bench itself. */
function targetOf(serve: string | undefined): Target | null {
  if (serve === undefined) return null;
  if (!(TARGETS as readonly string[]).includes(serve)) throw flagUsageError('--serve', `expected one of ${TARGETS.join(', ')}, got ${JSON.stringify(serve)}`);
  return serve as Target;
}

const command: Command<typeof FLAGS> = {
  name: 'bench:upstream',
  usage: 'flock /tmp/soak-bench.lock npx node bench/upstream.bench.ts',
  about: [
    'The fake upstream serving a plain 200 completion vs a bare node:http server returning the same bytes,',
    'and the upstream with the bridge fast path off (msw-only): same autocannon load in this process, each',
    `server in its own child process, ${ROUNDS} rounds of ${WARMUP_S} s warm-up + ${DURATION_S} s per target taken in turns, medians compared.`,
    'Target: the upstream sustains at least 2× the relay maximum (`npm run bench:relay`). ≈ 50 s in total.',
  ],
  flags: FLAGS,
  more: ['--serve is how the bench starts its children: each serves until SIGINT/SIGTERM, then closes and exits 0.'],
  exitCodes: ['0 figures printed; 1 errors or non-2xx responses during the run (figures not comparable);', '2 bad flags (nothing started); 3 a server failed; 130/143 interrupted (children stopped).'],
  async run({ values, io, signal }) {
    const target = targetOf(values.serve);
    if (target !== null) return serve(target, io.stdout, signal);
    const load1 = () => loadavg()[0]!.toFixed(2);
    io.stdout.write(
      `bench:upstream  node ${process.version}  ${CONNECTIONS} connections, ${ROUNDS} rounds of ${WARMUP_S} s warm-up + ${DURATION_S} s per target  load average ${load1()}\n`,
    );
    const children = TARGETS.map((t) => startChild(t));
    const runs: Record<Target, Figures[]> = { bare: [], upstream: [], 'msw-only': [] };
    try {
      const urls = await orInterrupt(Promise.all(children.map((c) => c.ready)), signal);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, target] of TARGETS.entries()) {
          const url = urls[i]!;
          await load(url, WARMUP_S, signal);
          runs[target].push(await load(url, DURATION_S, signal));
        }
      }
    } finally {
      await Promise.all(children.map(({ child }) => stopChild(child, 5_000)));
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
      io.stdout.write(`${line(target, summary[target])}   (rounds: ${r.map((x) => x.reqPerSec.toFixed(0)).join(', ')})\n`);
    }
    const bare = summary.bare.reqPerSec;
    io.stdout.write(
      `ratio upstream/bare ${(summary.upstream.reqPerSec / bare).toFixed(2)}  msw-only/bare ${(summary['msw-only'].reqPerSec / bare).toFixed(2)}  (medians; load average at end ${load1()})\n`,
    );
    io.stdout.write('target: upstream req/s ≥ 2 × the relay maximum from `npm run bench:relay`\n');
    if (TARGETS.some((t) => summary[t].errors > 0 || summary[t].non2xx > 0)) {
      io.stderr.write('bench:upstream: errors or non-2xx responses during the run: figures are not comparable\n');
      return 1;
    }
    return 0;
  },
};

if (import.meta.main) runMain(() => runCommand(command, process.argv.slice(2)), 'bench:upstream');
