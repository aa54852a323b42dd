// npm run bench:relay — the relay against a minimal undici pass-through proxy
// (bench/passthrough-proxy.ts), both child processes, in front of the same
// fake upstream child (mocks/main.ts), same autocannon settings, same run,
// 5 000 accounts loaded. Rounds alternate (pass, relay, pass, relay) so drift
// in the shared machine hits both alike.
//
// Reports req/s, p50/p99 latency, CPU µs per request (utime+stime from
// /proc/<pid>/stat of each proxy over its rounds) and the ratios, the relay's
// idle RSS with 5 000 accounts (before and after load), and the cost of one
// auth_index lookup at 1 000 vs 100 000 accounts.
//
// Run alone: `flock /tmp/soak-bench.lock npm run bench:relay`. ≈ 70 s.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import { abortableLoad } from './abortable-load.ts';
import { AccountPool } from '../relay/accounts/pool.ts';
import { HELP_FLAG, type FlagSpecs } from '../shared/cli/flags.ts';
import { SoakError } from '../harness/errors.ts';
import { interruptOf, orInterrupt, runCommand, runMain, throwIfInterrupted, type Command, type CommandIo } from '../harness/cli/command.ts';

const ACCOUNTS = 5_000;
const SEED = 42;
const CONNECTIONS = 32;
const WARMUP_S = 3;
const ROUND_S = 10;
const ROUNDS = 2;
const CLIENT_KEY = 'sk-bench-client-0001';
const MANAGEMENT_KEY = 'mk-bench-management-0001';
const TARGETS = { throughputRatio: 0.8, cpuRatio: 1.3, idleRssMb: 150 };
const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat times are in these ticks
const BODY = JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hello' }] });

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** Spawns a child into `children` (so it is stopped whatever happens) and waits for its readiness line. */
async function startChild(children: ChildProcess[], name: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2_000)));
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SoakError('SOAK_ERR_READY_TIMEOUT', `${name}: no readiness line in 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new SoakError('SOAK_ERR_CHILD_EXITED', `${name} exited ${code}; stderr: ${stderr}`));
    });
  });
  return { child, url };
}

/** SIGTERM each child and wait for it; one still running after `graceMs` is killed. */
async function stopChildren(children: readonly ChildProcess[], graceMs: number): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** utime + stime of a process, µs. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

interface Round {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpuUs: number;
}

/** Waits `ms`, or throws the interrupt as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => {
    throw interruptOf(signal);
  });
}

/** One autocannon run of the proxy under test; the interrupt is thrown if `signal` aborts. */
function load(url: string, seconds: number, signal: AbortSignal): Promise<autocannon.Result> {
  return abortableLoad(
    {
      url: `${url}/v1/chat/completions`,
      method: 'POST',
      connections: CONNECTIONS,
      duration: seconds,
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: BODY,
    },
    signal,
  );
}

async function round(url: string, pid: number, signal: AbortSignal): Promise<Round> {
  const cpuBefore = cpuMicros(pid);
  const result = await load(url, ROUND_S, signal);
  const cpuUs = cpuMicros(pid) - cpuBefore;
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuUs,
  };
}

function summarise(rounds: Round[]) {
  const requests = rounds.reduce((s, r) => s + r.requests, 0);
  const seconds = rounds.reduce((s, r) => s + r.seconds, 0);
  const cpuUs = rounds.reduce((s, r) => s + r.cpuUs, 0);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    reqPerSec: requests / seconds,
    p50: median(rounds.map((r) => r.p50)),
    p99: Math.max(...rounds.map((r) => r.p99)),
    cpuUsPerRequest: cpuUs / requests,
    non2xx: rounds.reduce((s, r) => s + r.non2xx, 0),
    errors: rounds.reduce((s, r) => s + r.errors, 0),
  };
}

/** ns per auth_index lookup at `count` accounts (the pool alone, in this process). */
function lookupNs(count: number): number {
  const pool = new AccountPool(SEED, count);
  const keys = Array.from({ length: 10_000 }, (_, i) => pool.records[(i * 7_919) % count]!.authIndex);
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += pool.indexOf(keys[i % keys.length]!); // warm-up
  const started = process.hrtime.bigint();
  const n = 1_000_000;
  for (let i = 0; i < n; i++) sink += pool.indexOf(keys[i % keys.length]!);
  const ns = Number(process.hrtime.bigint() - started) / n;
  if (sink === -1) process.stdout.write(''); // keep the loop observable
  return ns;
}

const command: Command<{ help: typeof HELP_FLAG }> = {
  name: 'bench:relay',
  usage: 'flock /tmp/soak-bench.lock npm run bench:relay',
  about: [
    'The relay against a minimal undici pass-through proxy (bench/passthrough-proxy.ts), both child processes,',
    `in front of the same fake upstream child, same autocannon settings, ${ACCOUNTS} accounts, ${ROUNDS} alternating rounds`,
    `of ${ROUND_S} s each after ${WARMUP_S} s warm-up. Reports req/s, p50/p99, CPU µs per request of each proxy and the ratios`,
    `(targets: throughput ≥ ${TARGETS.throughputRatio}, CPU ≤ ${TARGETS.cpuRatio}), the relay's idle RSS (< ${TARGETS.idleRssMb} MB) and one auth_index lookup`,
    'at 1 000 vs 100 000 accounts. Run alone. ≈ 70 s.',
  ],
  flags: { help: HELP_FLAG } as const satisfies FlagSpecs,
  exitCodes: ['0 figures printed (PASS/FAIL per target); 2 bad flags (nothing started);', '3 a child did not start or exited; 130/143 interrupted (children stopped).'],
  async run({ io, signal }) {
    const children: ChildProcess[] = [];
    try {
      return await measure(children, io, signal);
    } finally {
      await stopChildren(children, 5_000);
    }
  },
};

async function measure(children: ChildProcess[], io: CommandIo, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  const upstream = await orInterrupt(startChild(children, 'upstream', [root('mocks/main.ts'), '--port', '0', '--seed', String(SEED), '--accounts', String(ACCOUNTS)]), signal);
  const relay = await orInterrupt(
    startChild(children, 'relay', [
      root('relay/main.ts'), '--port', '0', '--upstream', upstream.url, '--accounts', String(ACCOUNTS), '--seed', String(SEED),
      '--client-key', CLIENT_KEY, '--management-key', MANAGEMENT_KEY,
    ]),
    signal,
  );
  const pass = await orInterrupt(startChild(children, 'passthrough', [root('bench/passthrough-proxy.ts'), '--port', '0', '--upstream', upstream.url, '--seed', String(SEED)]), signal);
  await pause(1_000, signal);
  const idleRssBefore = rssMb(relay.child.pid!);

  io.stderr.write(`bench: warm-up ${WARMUP_S} s each\n`);
  await load(pass.url, WARMUP_S, signal);
  await load(relay.url, WARMUP_S, signal);

  const passRounds: Round[] = [];
  const relayRounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    io.stderr.write(`bench: round ${i + 1}/${ROUNDS}\n`);
    passRounds.push(await round(pass.url, pass.child.pid!, signal));
    relayRounds.push(await round(relay.url, relay.child.pid!, signal));
  }
  await pause(2_000, signal);
  const idleRssAfter = rssMb(relay.child.pid!);

  await stopChildren(children, 5_000);

  const lookup1k = lookupNs(1_000);
  const lookup100k = lookupNs(100_000);

  const p = summarise(passRounds);
  const r = summarise(relayRounds);
  const throughputRatio = r.reqPerSec / p.reqPerSec;
  const cpuRatio = r.cpuUsPerRequest / p.cpuUsPerRequest;
  const fmt = (n: number, d = 0) => n.toFixed(d).padStart(10);
  const lines = [
    `relay vs pass-through, ${ACCOUNTS} accounts, autocannon ${CONNECTIONS} connections, ${ROUNDS} × ${ROUND_S} s each, alternating`,
    `                req/s   p50 ms   p99 ms  CPU µs/req   non-2xx   errors`,
    `passthrough ${fmt(p.reqPerSec)} ${fmt(p.p50, 1)} ${fmt(p.p99, 1)} ${fmt(p.cpuUsPerRequest, 1)} ${fmt(p.non2xx)} ${fmt(p.errors)}`,
    `relay       ${fmt(r.reqPerSec)} ${fmt(r.p50, 1)} ${fmt(r.p99, 1)} ${fmt(r.cpuUsPerRequest, 1)} ${fmt(r.non2xx)} ${fmt(r.errors)}`,
    `throughput ratio ${throughputRatio.toFixed(3)} (target ≥ ${TARGETS.throughputRatio}) ${throughputRatio >= TARGETS.throughputRatio ? 'PASS' : 'FAIL'}`,
    `CPU/request ratio ${cpuRatio.toFixed(3)} (target ≤ ${TARGETS.cpuRatio}) ${cpuRatio <= TARGETS.cpuRatio ? 'PASS' : 'FAIL'}`,
    `relay idle RSS: ${idleRssBefore.toFixed(1)} MB before load, ${idleRssAfter.toFixed(1)} MB after (target < ${TARGETS.idleRssMb} MB before load) ${idleRssBefore < TARGETS.idleRssMb ? 'PASS' : 'FAIL'}`,
    `auth_index lookup: ${lookup1k.toFixed(1)} ns at 1 000 accounts, ${lookup100k.toFixed(1)} ns at 100 000 (ratio ${(lookup100k / lookup1k).toFixed(2)})`,
    `total ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ];
  io.stdout.write(lines.join('\n') + '\n');
  io.stdout.write(JSON.stringify({ passthrough: p, relay: r, throughputRatio, cpuRatio, idleRssBefore, idleRssAfter, lookup1k, lookup100k }) + '\n');
  return 0;
}

if (import.meta.main) runMain(() => runCommand(command, process.argv.slice(2)), 'bench:relay');
