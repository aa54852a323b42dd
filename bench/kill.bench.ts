// npm run bench:kill — does every way a run can be killed leave nothing behind?
// 4 signals (SIGINT, SIGTERM, SIGHUP, SIGKILL) × 5 rounds = 20 kill tests in a
// row, each sent to the pid of `npm run soak` or to the harness below it, in
// turn. Each starts a real soak through npm (reference relay + fake upstream,
// a run's own TMPDIR), waits for checkpoint 1, sends the signal, waits 10 s,
// then counts what is left:
//
//   orphans        processes of the run (harness, relay, upstream) still alive
//   bound ports    the relay's or the upstream's port still accepting
//   temp folders   soak-probe-* folders left in the run's TMPDIR
//   unreadable     lines of the run's *.ndjson that do not parse (a torn line included)
//
// and prints one row per test and the totals. Exit 0 when every count is 0,
// 1 otherwise, 2 bad flags, 130/143 interrupted (the test in flight is cleaned up).
//
//   flock /tmp/soak-bench.lock npm run bench:kill [-- --rounds 5]

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HELP_FLAG, type FlagSpecs } from '../shared/cli/flags.ts';
import { childrenOf, isAlive } from '../harness/run/pids.ts';
import { runCommand, runMain, throwIfInterrupted, type Command } from '../harness/cli/command.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'] as const;
/** How long a killed run has to leave: the longest path is a SIGKILLed harness, whose children notice their stdin close. */
const SETTLE_MS = 10_000;
const RUN_ARGS = ['--accounts', '200', '--duration', '60s', '--rate', '80', '--sample-interval', '1s'];

const FLAGS = {
  rounds: { type: 'int', min: 1, max: 50, default: 5, arg: 'N', help: 'kill tests per signal (4 signals)' },
  keep: { type: 'boolean', help: 'keep the run folders (printed at the end)' },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

interface Row {
  n: number;
  signal: string;
  to: 'npm' | 'harness';
  exit: string;
  outcome: string;
  orphans: number;
  ports: number;
  temp: number;
  unreadable: number;
  ms: number;
}

function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((res) => {
    const s = connect({ host: hostname, port: Number(port) });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

function unreadableLines(dir: string): number {
  let bad = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.ndjson') || n.endsWith('.jsonl'));
  } catch {
    return 0;
  }
  for (const name of names) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        JSON.parse(line);
      } catch {
        bad++;
      }
    }
  }
  return bad;
}

function childrenReady(out: string): { upstream: { url: string; pid: number }; target: { url: string; pid: number } } | null {
  try {
    for (const line of readFileSync(join(out, 'events.ndjson'), 'utf8').split('\n')) {
      if (!line.includes('children ready')) continue;
      return JSON.parse(line).data;
    }
  } catch {
    // not written yet
  }
  return null;
}

function outcomeOf(out: string): string {
  try {
    const o = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).outcome as { status: string; signal?: string } | null;
    return o === null ? 'null' : o.signal ? `${o.status} ${o.signal}` : o.status;
  } catch {
    return 'unreadable';
  }
}

async function waitFor(check: () => boolean, ms: number, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline || signal.aborted) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

async function killTest(n: number, sig: (typeof SIGNALS)[number], to: 'npm' | 'harness', root: string, signal: AbortSignal, live: Set<ChildProcess>): Promise<Row> {
  const out = join(root, `run-${n}`);
  const tmp = join(root, `tmp-${n}`);
  mkdirSync(tmp);
  const npm = spawn('npm', ['run', '-s', 'soak', '--', ...RUN_ARGS, '--out', out], { cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
  live.add(npm);
  let exit = 'running';
  const exited = new Promise<void>((r) => npm.once('exit', (code, s) => ((exit = s ?? String(code)), r())));
  let err = '';
  npm.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = await waitFor(() => err.includes('checkpoint 1:') || exit !== 'running', 60_000, signal);
  const kids = childrenReady(out);
  const harness = childrenOf(npm.pid!);
  if (!ready || !kids || harness.length !== 1) {
    npm.kill('SIGKILL');
    throw new Error(`kill test ${n}: the run did not reach checkpoint 1 (exit ${exit}); stderr:\n${err.slice(-2000)}`);
  }
  const pids = [harness[0]!, kids.target.pid, kids.upstream.pid];
  const t0 = Date.now();
  process.kill(to === 'npm' ? npm.pid! : harness[0]!, sig);
  await waitFor(() => !pids.some(isAlive), SETTLE_MS, signal);
  const ms = Date.now() - t0;
  await Promise.race([exited, new Promise((r) => setTimeout(r, 1_000))]);
  live.delete(npm);
  const orphans = pids.filter(isAlive);
  for (const p of orphans) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const ports = (await accepts(kids.target.url) ? 1 : 0) + (await accepts(kids.upstream.url) ? 1 : 0);
  const temp = readdirSync(tmp).filter((f) => f.startsWith('soak-probe-')).length;
  return { n, signal: sig, to, exit, outcome: outcomeOf(out), orphans: orphans.length, ports, temp, unreadable: unreadableLines(out), ms };
}

const killCommand: Command<typeof FLAGS> = {
  name: 'bench:kill',
  usage: 'npm run bench:kill [-- --rounds N]',
  about: [
    'Kill tests in a row: SIGINT, SIGTERM, SIGHUP, SIGKILL, --rounds each, sent to `npm run soak` or the harness below it in turn.',
    'Counts what each leaves: orphan processes, bound ports, soak-probe-* temp folders, unreadable NDJSON lines.',
    'Run alone (2 cores): flock /tmp/soak-bench.lock npm run bench:kill',
  ],
  flags: FLAGS,
  exitCodes: ['0 nothing left by any kill test', '1 something was left (see the table)', '2 bad flags', '130/143 interrupted'],
  async run({ values, io, signal }) {
    const root = mkdtempSync(join(tmpdir(), 'bench-kill-'));
    const live = new Set<ChildProcess>();
    const rows: Row[] = [];
    const head = `${'#'.padStart(3)}  ${'signal'.padEnd(8)} ${'to'.padEnd(8)} ${'exit'.padEnd(8)} ${'outcome'.padEnd(22)} ${'left in'.padStart(8)} orphans ports temp unreadable`;
    io.stdout.write(`${head}\n`);
    try {
      let n = 0;
      for (const sig of SIGNALS) {
        for (let i = 0; i < values.rounds; i++) {
          throwIfInterrupted(signal);
          n++;
          const to = n % 2 === 1 ? 'npm' : 'harness';
          const r = await killTest(n, sig, to, root, signal, live);
          rows.push(r);
          io.stdout.write(
            `${String(r.n).padStart(3)}  ${r.signal.padEnd(8)} ${r.to.padEnd(8)} ${r.exit.padEnd(8)} ${r.outcome.padEnd(22)} ${`${(r.ms / 1000).toFixed(1)} s`.padStart(8)} ${String(r.orphans).padStart(7)} ${String(r.ports).padStart(5)} ${String(r.temp).padStart(4)} ${String(r.unreadable).padStart(10)}\n`,
          );
        }
      }
    } finally {
      for (const c of live) if (c.exitCode === null) c.kill('SIGKILL');
      if (!values.keep) rmSync(root, { recursive: true, force: true });
    }
    const sum = (k: 'orphans' | 'ports' | 'temp' | 'unreadable') => rows.reduce((s, r) => s + r[k], 0);
    const total = { orphans: sum('orphans'), ports: sum('ports'), temp: sum('temp'), unreadable: sum('unreadable') };
    io.stdout.write(`\n${rows.length} kill tests: ${total.orphans} orphans, ${total.ports} bound ports, ${total.temp} temp folders, ${total.unreadable} unreadable lines\n`);
    if (values.keep) io.stdout.write(`run folders: ${root}\n`);
    return total.orphans + total.ports + total.temp + total.unreadable === 0 ? 0 : 1;
  },
};

if (import.meta.main) runMain(() => runCommand(killCommand, process.argv.slice(2)), 'bench:kill');
