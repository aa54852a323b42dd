// bench:probe: what sampling costs the relay. The same relay build under the
// same closed-model load (autocannon, JSON completions), with sampling OFF
// (no probe preloaded, nothing read) and ON (probe preloaded and everything a
// soak reads every interval: /proc, probe sample, /metrics, upstream fault
// counts: harness/run/target-sources.ts, the code runSoak uses). Rounds
// alternate OFF/ON so machine drift hits both; a fresh relay per round.
//
//   npm run bench:probe [-- --rounds 3 --seconds 10 --interval 1000 --connections 32]

import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnChild, type Child } from '../harness/run/child.ts';
import { TargetSources } from '../harness/run/target-sources.ts';
import { waitForProbe } from '../harness/sampler/probe-client.ts';
import { readProc } from '../harness/sampler/proc.ts';

const ROOT = resolve(import.meta.dirname, '..');
const READY = /^(?:relay|upstream): listening on (http:\/\/127\.0\.0\.1:\d+)$/;
/** Children stop themselves if this bench dies (see harness/run/exit-with-harness.ts). */
const EXIT_WITH_BENCH = ['--import', join(ROOT, 'harness/run/exit-with-harness.ts')];
const ACCOUNTS = 5_000;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    interval: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '32' },
    sources: { type: 'string', default: 'proc,probe,metrics,faults' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('npm run bench:probe -- [--rounds 3] [--seconds 10] [--warmup 3] [--interval 1000] [--connections 32] [--sources proc,probe,metrics,faults]\n');
  process.exit(0);
}
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const intervalMs = Number(values.interval);
const connections = Number(values.connections);
for (const [k, v] of Object.entries({ rounds, seconds, warmup, interval: intervalMs, connections })) {
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`--${k}: expected a positive number\n`);
    process.exit(2);
  }
}

const SOURCES = ['proc', 'probe', 'metrics', 'faults'] as const;
type SourceName = (typeof SOURCES)[number];
const sources = values.sources.split(',').map((x) => x.trim()) as SourceName[];
for (const x of sources) {
  if (!SOURCES.includes(x)) {
    process.stderr.write(`--sources: unknown source "${x}"; valid: ${SOURCES.join(', ')}\n`);
    process.exit(2);
  }
}

const clientKey = `sk-bench-${randomBytes(12).toString('base64url')}`;
const managementKey = `mk-bench-${randomBytes(12).toString('base64url')}`;
const body = JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hello' }] });

function load(url: string, durationS: number): Promise<autocannon.Result> {
  return new Promise((res, rej) => {
    autocannon(
      {
        url: `${url}/v1/chat/completions`,
        method: 'POST',
        connections,
        duration: durationS,
        headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
        body,
      },
      (err, result) => (err ? rej(err) : res(result)),
    );
  });
}

async function startRelay(upstream: string, sampled: boolean): Promise<{ relay: Child; socket: string }> {
  const socket = join(tmpdir(), `bench-probe-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  const relay = await spawnChild({
    name: 'relay',
    command: process.execPath,
    args: [
      '--expose-gc',
      ...EXIT_WITH_BENCH,
      ...(sampled ? ['--import', join(ROOT, 'harness/probe/probe.ts')] : []),
      join(ROOT, 'relay/main.ts'),
      '--port', '0', '--upstream', upstream, '--accounts', String(ACCOUNTS), '--seed', '42',
    ],
    env: { ...process.env, SOAK_EXIT_WITH_HARNESS: '1', RELAY_CLIENT_KEYS: clientKey, RELAY_MANAGEMENT_KEY: managementKey, ...(sampled ? { SOAK_PROBE_SOCKET: socket } : {}) },
    stdinPipe: true,
    ready: { pattern: READY },
    readyTimeoutMs: 30_000,
  });
  return { relay, socket };
}

interface Round {
  mode: 'off' | 'on';
  reqPerSec: number;
  p99: number;
  samples: number;
  /** The relay's CPU (user + system, from /proc) per completed request: less noisy than throughput on a shared box. */
  relayCpuUsPerReq: number;
  /** Harness-side CPU spent taking samples, µs per sample. */
  samplerCpuUsPerSample: number;
}

async function round(upstream: string, mode: 'off' | 'on'): Promise<Round> {
  const { relay, socket } = await startRelay(upstream, mode === 'on');
  let samples = 0;
  let samplerCpuUs = 0;
  let stop = false;
  let wake = (): void => {};
  let loop: Promise<void> = Promise.resolve();
  try {
    await load(relay.url, warmup);
    if (mode === 'on') {
      const probe = await waitForProbe(socket, Date.now() + 10_000);
      const target = new TargetSources({ pid: relay.pid, targetUrl: relay.url, upstreamUrl: upstream, probe });
      const read: Record<SourceName, () => Promise<unknown>> = {
        proc: () => target.proc(),
        probe: () => target.probeSample(),
        metrics: () => target.metrics(),
        faults: () => target.faults(),
      };
      loop = (async () => {
        while (!stop) {
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          await Promise.all(sources.map((x) => read[x]()));
          const c = process.cpuUsage(c0);
          samplerCpuUs += c.user + c.system;
          samples++;
          await new Promise<void>((r) => {
            const t = setTimeout(r, Math.max(0, intervalMs - (performance.now() - t0)));
            wake = () => {
              clearTimeout(t);
              r();
            };
          });
        }
        await probe.close();
      })();
    }
    const cpu0 = await readProc(relay.pid);
    const r = await load(relay.url, seconds);
    const cpu1 = await readProc(relay.pid);
    const relayCpuUs = cpu1.cpu.user + cpu1.cpu.system - (cpu0.cpu.user + cpu0.cpu.system);
    return {
      mode,
      reqPerSec: r.requests.average,
      p99: r.latency.p99,
      samples,
      relayCpuUsPerReq: relayCpuUs / Math.max(1, r.requests.total),
      samplerCpuUsPerSample: samples > 0 ? samplerCpuUs / samples : 0,
    };
  } finally {
    stop = true;
    wake();
    await loop;
    await relay.stop(5_000);
    rmSync(socket, { force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const upstream = await spawnChild({
  name: 'upstream',
  command: process.execPath,
  args: [...EXIT_WITH_BENCH, join(ROOT, 'mocks/main.ts'), '--port', '0', '--seed', '42', '--accounts', String(ACCOUNTS)],
  env: { ...process.env, SOAK_EXIT_WITH_HARNESS: '1' },
  stdinPipe: true,
  ready: { pattern: READY },
  readyTimeoutMs: 30_000,
});
const results: Round[] = [];
try {
  process.stdout.write(`bench:probe  node ${process.version}  ${ACCOUNTS} accounts  ${connections} connections  ${rounds}×(${warmup}s warm-up + ${seconds}s) per mode  sampling every ${intervalMs} ms  sources ${sources.join(',')}\n`);
  for (let i = 0; i < rounds; i++) {
    for (const mode of ['off', 'on'] as const) {
      const r = await round(upstream.url, mode);
      results.push(r);
      process.stdout.write(
        `  round ${i + 1} sampling ${mode.padEnd(3)}  ${r.reqPerSec.toFixed(0).padStart(6)} req/s  p99 ${String(r.p99).padStart(4)} ms  relay CPU ${r.relayCpuUsPerReq.toFixed(1)} µs/req${mode === 'on' ? `  (${r.samples} samples, harness ${(r.samplerCpuUsPerSample / 1000).toFixed(2)} ms CPU each)` : ''}\n`,
      );
    }
  }
} finally {
  await upstream.stop(5_000);
}
const off = results.filter((r) => r.mode === 'off').map((r) => r.reqPerSec);
const on = results.filter((r) => r.mode === 'on').map((r) => r.reqPerSec);
const loss = 1 - median(on) / median(off);
const cpuOff = median(results.filter((r) => r.mode === 'off').map((r) => r.relayCpuUsPerReq));
const cpuOn = median(results.filter((r) => r.mode === 'on').map((r) => r.relayCpuUsPerReq));
const harnessMs = median(results.filter((r) => r.mode === 'on').map((r) => r.samplerCpuUsPerSample)) / 1000;
// Paired by round: each ON round against the OFF round just before it.
const paired = on.map((v, i) => 1 - v / off[i]!);
process.stdout.write(
  [
    '',
    `sampling off  median ${median(off).toFixed(0)} req/s  (rounds: ${off.map((v) => v.toFixed(0)).join(', ')})`,
    `sampling on   median ${median(on).toFixed(0)} req/s  (rounds: ${on.map((v) => v.toFixed(0)).join(', ')})`,
    `throughput loss with sampling: ${(loss * 100).toFixed(2)} %  (paired per round: ${paired.map((p) => `${(p * 100).toFixed(1)} %`).join(', ')})  target ≤ 2 %`,
    `relay CPU per request: off ${cpuOff.toFixed(1)} µs, on ${cpuOn.toFixed(1)} µs  (+${(((cpuOn / cpuOff) - 1) * 100).toFixed(2)} %: the probe's cost inside the relay)`,
    `harness CPU per sample: ${harnessMs.toFixed(2)} ms every ${intervalMs} ms = ${((harnessMs / intervalMs) * 100).toFixed(2)} % of one core, competing with the relay on this machine`,
    '',
  ].join('\n'),
);
