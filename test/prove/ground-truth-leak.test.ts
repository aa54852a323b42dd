// The calibration's ground truth must be what it says: a server with the
// preload retains B bytes of heap per request (measured after GC) and one fd
// per K requests; without it, nothing. And a soak run of the relay with the
// preload records nothing of it in run.json (the verdict cannot see it), while
// the relay really had it (its fds grow).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../harness/calibrate/ground-truth-leak.ts';
import { groundTruthEnv, preloadInvisible } from '../../harness/calibrate/ground-truth-env.ts';
import { runSoak, readRun } from '../../harness/index.ts';

const FIXTURE = resolve(import.meta.dirname, 'fixtures/plain-server.ts');
const root = mkdtempSync(join(tmpdir(), 'soak-ground-truth-'));
const children: ChildProcess[] = [];
// Few keep-alive connections: the client's sockets are fds of the server too,
// and a fixed pool keeps their number constant between measurements.
const agent = new Agent({ connections: 8, keepAliveTimeout: 30_000 });

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(async () => {
  await agent.close();
  rmSync(root, { recursive: true, force: true });
});

async function startServer(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--expose-gc', FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('fixture did not start')), 10_000);
    child.once('exit', (code) => fail(new Error(`fixture exited ${code}`)));
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
  });
}

async function hit(url: string, n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const res = await request(`${url}/`, { dispatcher: agent });
      await res.body.text();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function measure(url: string): Promise<{ heapUsed: number; fds: number; requests: number }> {
  const res = await request(`${url}/measure`, { dispatcher: agent });
  return (await res.body.json()) as { heapUsed: number; fds: number; requests: number };
}

/** Heap growth per request over n requests, after a warm-up that lets the server's own caches settle. */
async function retainedPerRequest(env: Record<string, string>, n: number): Promise<number> {
  const url = await startServer(env);
  await hit(url, 2_000);
  const before = await measure(url);
  await hit(url, n);
  const after = await measure(url);
  return (after.heapUsed - before.heapUsed) / (after.requests - before.requests);
}

describe('ground-truth leak preload', () => {
  it('retains ≈ B bytes of heap per request after GC (B = 1024 and 64)', async () => {
    const big = await retainedPerRequest(groundTruthEnv({ kind: 'bytes', bytesPerRequest: 1024 }), 8_000);
    expect(big).toBeGreaterThan(1024 * 0.9);
    expect(big).toBeLessThan(1024 * 1.15);
    const small = await retainedPerRequest(groundTruthEnv({ kind: 'bytes', bytesPerRequest: 64 }), 16_000);
    // 16 000 × 64 B = 1 000 KiB; post-GC noise of a quiet server is a few KiB, chunks add ≤ 4 KiB.
    expect(small).toBeGreaterThan(64 * 0.8);
    expect(small).toBeLessThan(64 * 1.25);
    expect(CHUNK_BYTES).toBe(4096);
  });

  it('retains nothing without the preload (the control)', async () => {
    const none = await retainedPerRequest({}, 8_000);
    expect(Math.abs(none)).toBeLessThan(8);
  });

  it('opens exactly one fd per K requests', async () => {
    const url = await startServer(groundTruthEnv({ kind: 'handles', every: 100 }));
    await hit(url, 250);
    const before = await measure(url);
    await hit(url, 1_000);
    const after = await measure(url);
    const expected = Math.floor(after.requests / 100) - Math.floor(before.requests / 100);
    expect(after.fds - before.fds).toBe(expected);
    expect(expected).toBeGreaterThanOrEqual(10);
  });

  it('rejects a bad knob with exit 2 naming the variable', async () => {
    const child = spawn(process.execPath, ['--expose-gc', FIXTURE], {
      env: { ...process.env, ...groundTruthEnv({ kind: 'bytes', bytesPerRequest: 1 }), SOAK_CALIBRATION_RETAIN_BYTES: 'lots' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    expect(code).toBe(2);
    expect(stderr).toContain('SOAK_CALIBRATION_RETAIN_BYTES: expected an integer');
  });

  it('reaches the relay in a soak run, and run.json does not mention it', async () => {
    const out = join(root, 'soak-with-preload');
    const r = await runSoak({
      scenario: 'calibration',
      durationMs: 8_000,
      rate: 150,
      seed: 7,
      target: { kind: 'relay', extraArgs: ['--keep-alive-timeout', '500'], env: groundTruthEnv({ kind: 'handles', every: 10 }) },
      drainMaxMs: 2_000,
      out,
    });
    expect(r.outcome.status).toBe('completed');
    const run = readRun(out);
    const cps = run.checkpoints;
    // ≈ 1 200 requests → ≈ 120 fds the relay never closes: the preload was in the relay.
    expect(cps.at(-1)!.fds - cps[0]!.fds).toBeGreaterThan(Math.floor(cps.at(-1)!.requestsCompleted / 10) - 10);
    expect(preloadInvisible(out)).toBe(true);
    expect(run.meta.target.execArgv?.join(' ')).not.toMatch(/ground-truth|calibration/);
    // The check can fail: the same folder with the knob written into run.json is caught.
    writeFileSync(join(out, 'run.json'), JSON.stringify({ ...run.meta, note: 'SOAK_CALIBRATION_HANDLE_EVERY=10' }));
    expect(preloadInvisible(out)).toBe(false);
  }, 60_000);

  it('no harness code (verdict, judge, soak) reads the knob or loads the preload', () => {
    const harness = resolve(import.meta.dirname, '../../harness');
    // The injection itself: the preload and how calibrate hands it to the relay. Nothing else may name it.
    const injection = new Set([join('calibrate', 'ground-truth-leak.ts'), join('calibrate', 'ground-truth-env.ts')]);
    const files = readdirSync(harness, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !injection.has(f));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const text = readFileSync(join(harness, f), 'utf8');
      expect(text, f).not.toMatch(/SOAK_CALIBRATION|ground-truth-leak/);
    }
  });
});
