// How a run ends when something outside ends it: signals sent to the harness
// or to the `npm run soak` in front of it (what `timeout`, CI runners and
// process managers signal), a parent that dies without a signal, and a target
// that answers nothing. Every one must leave no process of the run, no probe
// folder, and a run folder that says what happened.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXIT, readRun, runSoak } from '../../harness/index.ts';
import { childrenOf, isAlive } from '../../harness/run/pids.ts';
import { listeningPorts } from '../../harness/sampler/proc.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'harness/cli.ts');
const root = mkdtempSync(join(tmpdir(), 'soak-lifecycle-'));
const started: ChildProcess[] = [];
const pidsToReap: number[] = [];

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of pidsToReap.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RUN_ARGS = ['--accounts', '200', '--duration', '40s', '--rate', '80', '--sample-interval', '1s'];

interface Started {
  child: ChildProcess;
  out: string;
  /** The run's own temp dir (TMPDIR of every process of the run): probe folders land here. */
  tmp: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Start `npm run soak` (via: 'npm') or the CLI itself (via: 'node') in its own process group; resolves after checkpoint 1. */
async function start(name: string, via: 'npm' | 'node'): Promise<Started> {
  const out = join(root, name);
  const tmp = join(root, `${name}-tmp`);
  mkdirSync(tmp);
  const [cmd, args] = via === 'npm' ? ['npm', ['run', '-s', 'soak', '--', ...RUN_ARGS, '--out', out]] : [process.execPath, [CLI, ...RUN_ARGS, '--out', out]];
  const child = spawn(cmd as string, args as string[], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
  started.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  await new Promise<void>((ready, reject) => {
    const timer = setInterval(() => {
      if (err.includes('checkpoint 1:')) {
        clearInterval(timer);
        ready();
      }
    }, 100);
    void exited.then(({ code }) => {
      clearInterval(timer);
      reject(new Error(`soak exited early (${code}); stderr:\n${err}`));
    });
  });
  return { child, out, tmp, exited, stderr: () => err };
}

/** Every process of the run: the harness (npm's child when started through npm), the relay and the fake upstream. */
function runPids(s: Started, via: 'npm' | 'node'): number[] {
  const harness = via === 'npm' ? childrenOf(s.child.pid!) : [s.child.pid!];
  expect(harness).toHaveLength(1);
  const ev = readRun(s.out).events.find((e) => e.message === 'children ready');
  const data = ev!.data as { upstream: { pid: number }; target: { pid: number } };
  const pids = [harness[0]!, data.target.pid, data.upstream.pid];
  pidsToReap.push(...pids);
  return pids;
}

async function survivorsAfter(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(isAlive);
}

function probeFolders(tmp: string): string[] {
  return readdirSync(tmp).filter((n) => n.startsWith('soak-probe-'));
}

describe('a run ended from outside', () => {
  for (const [signal, code] of [
    ['SIGTERM', EXIT.sigterm],
    ['SIGINT', EXIT.sigint],
  ] as const) {
    it(`${signal} to npm's pid reaches the run: nothing survives 5 s, outcome interrupted, exit ${code}`, async () => {
      const s = await start(`npm-${signal}`, 'npm');
      const pids = runPids(s, 'npm');
      expect(pids.every(isAlive)).toBe(true);
      process.kill(s.child.pid!, signal);
      expect(await survivorsAfter(pids, 5_000)).toEqual([]);
      expect((await s.exited).code).toBe(code);
      expect(readRun(s.out).meta.outcome).toEqual({ status: 'interrupted', signal });
      expect(probeFolders(s.tmp)).toEqual([]);
    }, 90_000);
  }

  it('SIGHUP (terminal closed) is an interruption: children stopped, summary written, exit 129, no probe folder left', async () => {
    const s = await start('hup', 'node');
    const pids = runPids(s, 'node');
    process.kill(s.child.pid!, 'SIGHUP');
    expect(await survivorsAfter(pids, 5_000)).toEqual([]);
    expect((await s.exited).code).toBe(EXIT.sighup);
    const run = readRun(s.out);
    expect(run.meta.outcome).toEqual({ status: 'interrupted', signal: 'SIGHUP' });
    expect(run.summary).toMatchObject({ outcome: { status: 'interrupted', signal: 'SIGHUP' } });
    expect(s.stderr()).toContain('SIGHUP: stopping soak');
    expect(probeFolders(s.tmp)).toEqual([]);
  }, 90_000);

  it('npm SIGKILLed (no signal reaches the run): the orphaned harness notices its parent is gone and stops the run', async () => {
    const s = await start('npm-kill', 'npm');
    const pids = runPids(s, 'npm');
    process.kill(s.child.pid!, 'SIGKILL');
    expect(await survivorsAfter(pids, 5_000)).toEqual([]);
    const run = readRun(s.out);
    expect(run.meta.outcome).toEqual({ status: 'interrupted', signal: 'SIGHUP' });
    expect(run.summary).not.toBeNull();
    expect(probeFolders(s.tmp)).toEqual([]);
  }, 90_000);

  it('the harness SIGKILLed: its children stop by themselves and the probe removes its own folder', async () => {
    const s = await start('harness-kill', 'node');
    const pids = runPids(s, 'node');
    process.kill(s.child.pid!, 'SIGKILL');
    expect(await survivorsAfter(pids, 10_000)).toEqual([]);
    expect(probeFolders(s.tmp)).toEqual([]);
  }, 90_000);
});

describe('a target that answers nothing', () => {
  it('stops the run within its first seconds of load with "could not complete" (exit 3) and says why', async () => {
    const out = join(root, 'unreachable');
    const t0 = Date.now();
    // A live pid to attach to, and a port nobody listens on.
    const result = await runSoak({ scenario: 'mixed', accounts: 50, durationMs: 60_000, rate: 50, out, sampleIntervalMs: 1_000, target: { kind: 'pid', pid: process.pid, url: 'http://127.0.0.1:1' } });
    const wallMs = Date.now() - t0;
    expect(result.outcome).toMatchObject({ status: 'failed', code: 'SOAK_ERR_TARGET_UNREACHABLE' });
    expect(result.exitCode).toBe(EXIT.incomplete);
    // Judged only to say why: never a NO-LEAK or LEAK on load nobody served.
    expect(result.verdict?.status ?? 'INCONCLUSIVE').toBe('INCONCLUSIVE');
    expect(wallMs).toBeLessThan(20_000);
    const o = result.outcome as { error: string };
    expect(o.error).toContain('answered none of');
    expect(o.error).toContain('http://127.0.0.1:1');
    expect(readRun(out).events.some((e) => e.type === 'warning' && e.message.includes('answered none of'))).toBe(true);
  }, 60_000);
});

/** Spawn `node <file> args`, resolve its URL from the `<name>: listening on URL` line. */
async function serve(file: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  // --inspect-port=0: SIGUSR1 opens the inspector on a free port (tests run in parallel; 9229 may be taken).
  const child = spawn(process.execPath, ['--inspect-port=0', join(ROOT, file), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let text = '';
  const url = await new Promise<string>((ok, fail) => {
    const onData = (d: Buffer) => {
      text += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) ok(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (c) => fail(new Error(`${file} exited (${c}): ${text}`)));
  });
  return { child, url };
}

describe('--target-pid on a running Node relay', () => {
  it('loads the probe through its inspector: heap and GC judged, inspector closed and probe gone at the end, relay left running', async () => {
    const upstream = await serve('mocks/main.ts', ['--port', '0', '--accounts', '50']);
    const key = 'sk-attach-test-0123456789';
    const relay = await serve('relay/main.ts', ['--port', '0', '--upstream', upstream.url, '--accounts', '50', '--client-key', key, '--management-key', 'mk-attach-test-0123456789']);
    const pid = relay.child.pid!;
    const portsBefore = listeningPorts(pid);
    const out = join(root, 'attach-node');
    process.env.SOAK_CLIENT_KEY = key;
    let result;
    try {
      result = await runSoak({ scenario: 'mixed', accounts: 50, durationMs: 12_000, rate: 60, out, sampleIntervalMs: 1_000, drainMaxMs: 1_500, target: { kind: 'pid', pid, url: relay.url } });
    } finally {
      delete process.env.SOAK_CLIENT_KEY;
    }
    expect(result.outcome).toEqual({ status: 'completed' });
    const run = readRun(out);
    expect(run.events.some((e) => e.message.includes('(SIGUSR1) to load the probe; it is closed again at the end'))).toBe(true);
    // The probe's figures, as for a relay the harness started.
    expect(run.meta.target.nodeVersion).toBe(process.version);
    for (const cp of run.checkpoints) {
      expect(cp.procOnly).toBe(false);
      expect(cp.memory.heapUsed).toBeGreaterThan(1_000_000);
    }
    expect(run.samples.filter((s) => s.probe !== null).length).toBeGreaterThanOrEqual(5);
    // heapUsed judged from the probe's post-GC heap (a /proc-only run has it NOT-MEASURED).
    const heap = result.verdict!.memory.find((m) => m.signal === 'heapUsed');
    expect(heap?.status).not.toBe('NOT-MEASURED');
    expect(heap!.n).toBeGreaterThanOrEqual(5);
    // Left as found: alive, its own ports only (the inspector is closed), no probe socket.
    expect(isAlive(pid)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect([...listeningPorts(pid)].sort()).toEqual([...portsBefore].sort());
    expect(readdirSync(tmpdir()).some((n) => n.startsWith(`soak-probe-${process.pid}-`))).toBe(false);
  }, 90_000);
});

