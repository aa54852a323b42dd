// End-to-end: real children (fake upstream, reference relay with the probe, or
// a target given by command), real sockets on 127.0.0.1, a real run folder.
// Short runs: the scenario machinery is the same at 6 s as at 6 h.

import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildReport, EXIT, runSoak, type SoakOptions, type TargetSpec, readRun } from '../../harness/index.ts';
import { isAlive } from '../../harness/run/pids.ts';

const CLI = resolve(import.meta.dirname, '../../harness/cli.ts');
const root = mkdtempSync(join(tmpdir(), 'soak-e2e-'));
const spawned: ChildProcess[] = [];
const strayPids: number[] = [];

afterEach(() => {
  for (const p of spawned.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
  for (const pid of strayPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Relay flags that make drains short in tests (idle upstream sockets close after 300 ms). */
const FAST_DRAIN = ['--keep-alive-timeout', '300'];

/** A short soak of a target the test provides (small pool, short drains, 1 s samples). */
function shortRun(out: string, target: TargetSpec, overrides: Partial<SoakOptions> = {}) {
  return runSoak({ scenario: 'mixed', accounts: 50, durationMs: 12_000, rate: 100, out, sampleIntervalMs: 1_000, drainMaxMs: 1_500, target, ...overrides });
}

/** A small HTTP server for --target-cmd, on the --port the harness gives it: `body` is the code after `port` is known. */
function writeServer(name: string, body: string): string {
  const file = join(root, name);
  writeFileSync(file, `import http from 'node:http';\nconst port = Number(process.argv[process.argv.indexOf('--port') + 1]);\n${body}`);
  return file;
}

function portRefuses(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((res) => {
    const s = connect({ host: hostname, port: Number(port) });
    s.once('connect', () => {
      s.destroy();
      res(false);
    });
    s.once('error', () => res(true));
  });
}

interface ChildrenReady {
  upstream: { url: string; pid: number } | null;
  target: { url: string; pid: number };
}

function childrenOf(dir: string): ChildrenReady {
  const ev = readRun(dir).events.find((e) => e.message === 'children ready');
  if (!ev) throw new Error(`no "children ready" event in ${dir}`);
  return ev.data as ChildrenReady;
}

/** Start the CLI and resolve once it has written `checkpoints` checkpoints. */
async function startCli(args: string[], checkpoints: number): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`no checkpoint ${checkpoints} within 60 s; stderr:\n${err}`)), 60_000);
    const check = () => {
      if (err.includes(`checkpoint ${checkpoints}:`)) {
        clearTimeout(timer);
        child.stderr!.off('data', check);
        resolveReady();
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => reject(new Error(`CLI exited early (${code}); stderr:\n${err}`)));
  });
  return { child, stderr: () => err };
}

describe('runSoak end to end', () => {
  it('runs the reference relay against the fake upstream and writes a complete run folder', async () => {
    const out = join(root, 'api-run');
    const result = await runSoak({
      scenario: 'mixed',
      accounts: 300,
      durationMs: 12_000,
      rate: 150,
      out,
      sampleIntervalMs: 1_000,
      target: { kind: 'relay', extraArgs: FAST_DRAIN },
    });
    expect(result.outcome).toEqual({ status: 'completed' });
    expect(result.exitCode).toBe(0);
    const run = readRun(out);
    expect(run.meta.outcome).toEqual({ status: 'completed' });
    expect(run.meta.harness.nodeVersion).toBe(process.version);
    expect(run.meta.target.nodeVersion).toMatch(/^v24\./);
    expect(run.meta.target.execArgv).toContain('--expose-gc');
    expect(run.meta.gitSha === null || /^[0-9a-f]{40}$/.test(run.meta.gitSha)).toBe(true);
    // ≥ 8 checkpoints after the pre-load one, each drained and post-GC.
    expect(run.checkpoints.length).toBeGreaterThanOrEqual(9);
    for (const cp of run.checkpoints) {
      expect(cp.procOnly).toBe(false);
      expect(cp.memory.heapUsed).toBeGreaterThan(1_000_000);
      expect(cp.fds).toBeGreaterThan(5);
    }
    const last = run.checkpoints.at(-1)!;
    expect(last.requestsCompleted).toBeGreaterThan(500);
    expect(last.relay?.['relay_inflight_requests']).toBe(0);
    // Continuous samples carry every source.
    const full = run.samples.filter((s) => s.proc && s.probe && s.relay && s.load);
    expect(full.length).toBeGreaterThanOrEqual(5);
    expect(run.summary).toMatchObject({ outcome: { status: 'completed' }, nodeVersion: process.version });
    expect(run.skippedLines).toBe(0);
    // Children are gone and their ports released.
    const kids = childrenOf(out);
    expect(isAlive(kids.target.pid)).toBe(false);
    expect(await portRefuses(kids.target.url)).toBe(true);
    expect(await portRefuses(kids.upstream!.url)).toBe(true);
  }, 120_000);

  it('SIGINT mid-run stops every child, releases every port, and keeps the run folder (exit 130)', async () => {
    const out = join(root, 'sigint-run');
    const { child } = await startCli(['--accounts', '200', '--duration', '60s', '--rate', '100', '--out', out], 1);
    const kids = childrenOf(out);
    expect(isAlive(kids.target.pid)).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(isAlive(kids.target.pid)).toBe(false);
    expect(isAlive(kids.upstream!.pid)).toBe(false);
    expect(await portRefuses(kids.target.url)).toBe(true);
    expect(await portRefuses(kids.upstream!.url)).toBe(true);
    const run = readRun(out);
    expect(run.meta.outcome).toEqual({ status: 'interrupted', signal: 'SIGINT' });
    expect(run.checkpoints.length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('leaves every sample readable after the harness is killed with SIGKILL, and its children stop by themselves', async () => {
    const out = join(root, 'sigkill-run');
    const { child } = await startCli(['--accounts', '200', '--duration', '60s', '--rate', '100', '--out', out, '--sample-interval', '1s'], 1);
    const kids = childrenOf(out);
    strayPids.push(kids.target.pid, kids.upstream!.pid);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The children notice the harness is gone (their stdin pipe closes) and stop themselves.
    const deadline = Date.now() + 15_000;
    while ((isAlive(kids.target.pid) || isAlive(kids.upstream!.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(kids.target.pid)).toBe(false);
    expect(isAlive(kids.upstream!.pid)).toBe(false);
    expect(await portRefuses(kids.target.url)).toBe(true);
    const run = readRun(out);
    expect(run.samples.length).toBeGreaterThanOrEqual(1);
    expect(run.checkpoints.length).toBeGreaterThanOrEqual(2);
    expect(run.skippedLines).toBeLessThanOrEqual(1);
    expect(run.summary).toBeNull();
    expect(run.meta.outcome).toBeNull();
    for (const s of run.samples) expect(s.kind).toBe('sample');
  }, 120_000);

  it('attaches to a running process with --no-probe (--target-pid/--target-url): /proc sampling only, the process left running', async () => {
    const server = spawn(
      process.execPath,
      ['-e', `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => { r.setHeader('content-type', 'application/json'); r.end('{"choices":[{"message":{"content":"hi"}}]}'); }); }).listen(0, '127.0.0.1', () => console.log(s.address().port));`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    spawned.push(server);
    const port = await new Promise<number>((r) => server.stdout!.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
    const out = join(root, 'pid-run');
    // --no-probe: /proc only, even for a Node process (lifecycle.test.ts covers the probe loaded over the inspector).
    const result = await shortRun(out, { kind: 'pid', pid: server.pid!, url: `http://127.0.0.1:${port}` }, { probe: false });
    expect(result.outcome.status).toBe('completed');
    const run = readRun(out);
    expect(run.meta.target).toMatchObject({ kind: 'pid', pid: server.pid, nodeVersion: null });
    expect(run.events.some((e) => e.type === 'warning' && e.message.includes('only /proc is sampled'))).toBe(true);
    const sampled = run.samples.filter((s) => s.proc);
    expect(sampled.length).toBeGreaterThanOrEqual(3);
    for (const s of sampled) expect(s.probe).toBeNull();
    for (const cp of run.checkpoints) {
      expect(cp.procOnly).toBe(true);
      expect(cp.memory.rss).toBeGreaterThan(10_000_000);
    }
    // Attached, not owned: the process is still there.
    expect(isAlive(server.pid!)).toBe(true);
  }, 120_000);

  it('a target that dies mid-run ends the run as "target crashed" with its exit code and last stderr, samples kept (exit 3)', async () => {
    const server = writeServer('crashing-server.mjs', `       let n = 0;
       http.createServer((req, res) => {
         req.resume();
         req.on('end', () => {
           if (++n === 600) { console.error('fatal: simulated out-of-memory in the relay'); process.exit(7); }
           res.setHeader('content-type', 'application/json');
           res.end('{"choices":[{"message":{"content":"hi"}}]}');
         });
       }).listen(port, '127.0.0.1');`);
    const out = join(root, 'crash-run');
    const result = await shortRun(out, { kind: 'cmd', command: `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(server)} --port {port}` }, { durationMs: 60_000, rate: 150 });
    expect(result.outcome).toMatchObject({ status: 'target-crashed', exitCode: 7, signal: null });
    expect(result.exitCode).toBe(3);
    const o = result.outcome as { stderrTail: string[] };
    expect(o.stderrTail.join('\n')).toContain('simulated out-of-memory');
    const run = readRun(out);
    expect(run.meta.outcome).toMatchObject({ status: 'target-crashed', exitCode: 7 });
    expect(run.samples.length).toBeGreaterThanOrEqual(1);
    expect(run.checkpoints.length).toBeGreaterThanOrEqual(1);
    // Ended early: far less than the 60 s of load it was asked for.
    expect(run.checkpoints.at(-1)!.requestsCompleted).toBeLessThan(150 * 60);
    const kids = childrenOf(out);
    expect(await portRefuses(kids.upstream!.url)).toBe(true);
  }, 120_000);

  it('a --target-cmd relay with its own keys (SOAK_CLIENT_KEY) is sent those keys by the load, not generated ones', async () => {
    const server = writeServer('keyed-server.mjs', `       // Client calls carry the client key, management calls (account sync, scans) the management key.
       const expected = new Set(['Bearer ' + process.env.RELAY_CLIENT_KEYS, 'Bearer ' + process.env.RELAY_MANAGEMENT_KEY]);
       const body = JSON.stringify({ id: 'x', object: 'chat.completion', model: 'gpt-5', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
       http.createServer((req, res) => { req.resume(); req.on('end', () => {
         if (!expected.has(req.headers.authorization)) { res.statusCode = 401; res.end('{"error":{"message":"bad key","type":"authentication_error","code":"invalid_api_key"}}'); return; }
         res.setHeader('content-type', 'application/json'); res.end(body); }); }).listen(port, '127.0.0.1');`);
    const out = join(root, 'keyed-run');
    process.env.SOAK_CLIENT_KEY = 'sk-user-own-key-0123456789';
    // A management key of no recognisable shape, also put on the target's command line (as users do):
    // only knowing the run's own secrets keeps it out of run.json and the events.
    process.env.SOAK_MANAGEMENT_KEY = 'plainmanagementsecret';
    try {
      const result = await shortRun(out, { kind: 'cmd', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(server)} --port {port} --admin plainmanagementsecret` });
      expect(result.outcome.status).toBe('completed');
    } finally {
      delete process.env.SOAK_CLIENT_KEY;
      delete process.env.SOAK_MANAGEMENT_KEY;
    }
    const run = readRun(out);
    const status = (k: '2xx' | '4xx') => run.samples.reduce((n, s) => n + (s.load?.status[k] ?? 0), 0);
    expect(status('2xx')).toBeGreaterThan(100);
    expect(status('4xx')).toBe(0);
    // The key is a secret: it reaches the target, never the run folder nor its report.
    expect(JSON.stringify(run.meta)).not.toContain('sk-user-own-key');
    expect(run.meta.target.command).toContain('--admin [redacted]');
    const report = await buildReport(out);
    for (const f of readdirSync(out)) {
      const text = readFileSync(join(out, f), 'utf8');
      expect(text, f).not.toContain('sk-user-own-key');
      expect(text, f).not.toContain('plainmanagementsecret');
    }
    expect(readFileSync(report.file, 'utf8')).not.toContain('sk-user-own-key');
  }, 120_000);

  it('a --target-cmd target that answers 400 to everything: INCONCLUSIVE with the reason, exit 4 (not NO-LEAK, exit 0)', async () => {
    const server = writeServer('refusing-server.mjs', `       http.createServer((req, res) => { req.resume(); req.on('end', () => {
         res.statusCode = 400; res.setHeader('content-type', 'application/json');
         res.end('{"error":{"message":"missing x-provider header","type":"invalid_request_error"}}'); }); }).listen(port, '127.0.0.1');`);
    const out = join(root, 'refused-run');
    const result = await shortRun(out, { kind: 'cmd', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(server)} --port {port}` });
    expect(result.outcome.status).toBe('completed');
    expect(result.verdict?.status).toBe('INCONCLUSIVE');
    expect(result.verdict?.reasons[0]).toMatch(/^target did not serve the load: over the run: the target answered 0 % of \d+ non-fault requests correctly .*answered 4xx \(missing routing header\? wrong key or auth header\?/);
    expect(result.exitCode).toBe(EXIT.unserved);
    expect(result.verdictText).toMatch(/served: NOT SERVED/);
  }, 120_000);

  it('samples a --target-cmd Node server written here: rss, fds and probe data', async () => {
    const server = writeServer('tiny-server.mjs', `       const body = JSON.stringify({ id: 'x', object: 'chat.completion', model: 'gpt-5', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
       http.createServer((req, res) => { req.resume(); req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end(body); }); }).listen(port, '127.0.0.1');`);
    const out = join(root, 'cmd-run');
    const result = await shortRun(out, { kind: 'cmd', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(server)} --port {port} --upstream {upstream}` });
    expect(result.outcome.status).toBe('completed');
    const run = readRun(out);
    expect(run.meta.target.kind).toBe('cmd');
    expect(run.meta.target.nodeVersion).toBe(process.version);
    const sampled = run.samples.filter((s) => s.proc && s.probe);
    expect(sampled.length).toBeGreaterThanOrEqual(3);
    for (const s of sampled) {
      expect(s.proc!.rss).toBeGreaterThan(10_000_000);
      expect(s.proc!.fds).toBeGreaterThan(3);
      expect(s.probe!.memory.heapUsed).toBeGreaterThan(1_000_000);
    }
    for (const cp of run.checkpoints) expect(cp.procOnly).toBe(false);
    expect(run.checkpoints.at(-1)!.requestsCompleted).toBeGreaterThan(100);
  }, 120_000);
});
