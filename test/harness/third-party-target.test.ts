// Soaking a third-party-style gateway (issue #19): test/fixtures/
// stand-in-gateway.ts routes only with `x-provider: mock`, authenticates
// with its own `x-api-key` header and forwards the client's key to the
// provider (our fake upstream), so the load's keys must be upstream account
// tokens (--client-keys-file). Short runs (12 s of load, `cache-churn`:
// JSON and SSE completions, Idempotency-Key requests, /v1/models, no faults).
// Drives load: run under `flock /tmp/soak-bench.lock`.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXIT, readRun, runSoak, type SoakOptions, type SoakResult, type TargetSpec } from '../../harness/index.ts';
import { startUpstream } from '../../mocks/index.ts';
import { accessTokenOf } from '../../shared/accounts.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'harness/cli.ts');
const GATEWAY = join(ROOT, 'test/fixtures/stand-in-gateway.ts');
const SEED = 42;
const ACCOUNTS = 50;
const root = mkdtempSync(join(tmpdir(), 'soak-third-party-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const spawned: ChildProcess[] = [];
afterEach(() => {
  for (const p of spawned.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
});

/** Upstream account tokens: what the gateway forwards must be a key the provider knows. */
const keysFile = join(root, 'keys.txt');
writeFileSync(keysFile, `# account tokens of seed ${SEED}\n\n${[0, 1, 2].map((i) => accessTokenOf(SEED, i)).join('\n')}\n`);

const gatewayCmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(GATEWAY)} --port {port} --upstream {upstream}`;
const CMD: TargetSpec = { kind: 'cmd', command: gatewayCmd };

function shortRun(out: string, client: SoakOptions['client'], target: TargetSpec = CMD): Promise<SoakResult> {
  return runSoak({ scenario: 'cache-churn', accounts: ACCOUNTS, seed: SEED, durationMs: 12_000, rate: 120, out, sampleIntervalMs: 1_000, drainMaxMs: 1_500, target, client });
}

function loadTotals(dir: string) {
  const run = readRun(dir);
  const sum = (f: (l: NonNullable<(typeof run.samples)[number]['load']>) => number) => run.samples.reduce((n, s) => n + (s.load ? f(s.load) : 0), 0);
  return { ok: sum((l) => l.status['2xx']), c4xx: sum((l) => l.status['4xx']), mismatches: sum((l) => l.mismatches), errors: sum((l) => l.errors) };
}

/** Every file of a run folder, as text. */
function folderText(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'latin1'))
    .join('\n');
}

describe('a gateway that needs its own headers', () => {
  it('without them it answers 400 to everything: the run is INCONCLUSIVE with exit 4, saying what it answered', async () => {
    const out = join(root, 'no-headers');
    const result = await shortRun(out, { clientKeysFile: keysFile });
    expect(result.outcome.status).toBe('completed');
    expect(result.exitCode).toBe(EXIT.unserved);
    expect(result.verdict?.served?.status).toBe('not-served');
    expect(result.verdictText).toContain('400');
    expect(result.verdictText).toContain('x-provider');
    const t = loadTotals(out);
    expect(t.c4xx).toBeGreaterThan(500);
    expect(t.ok).toBe(0);
  }, 60_000);

  it('with --header x-provider: mock and --auth x-api-key (CLI, under a path prefix) it is served and gets a verdict; header values stay out of the run folder', () => {
    const out = join(root, 'headers-cli');
    const trace = 'tr-7f3a9c1e5b2d4680';
    const r = spawnSync(
      process.execPath,
      [CLI, '--scenario', 'cache-churn', '--accounts', String(ACCOUNTS), '--seed', String(SEED), '--duration', '12s', '--rate', '120', '--sample-interval', '1s', '--quiet', '--out', out,
        '--target-cmd', `${gatewayCmd} --prefix /gw`, '--target-url', 'http://127.0.0.1:{port}/gw', '--header', 'x-provider: mock', '--header', `x-trace: ${trace}`, '--auth', 'x-api-key', '--client-keys-file', keysFile],
      { encoding: 'utf8', timeout: 55_000 },
    );
    const context = `stdout: ${r.stdout}\nstderr: ${r.stderr}`;
    expect([0, 1], context).toContain(r.status);
    expect(r.stdout, context).toMatch(/served: 100 % of \d+ non-fault requests answered correctly|served: 9\d(\.\d)? % of/);
    const t = loadTotals(out);
    expect(t.ok).toBeGreaterThan(800);
    expect(t.c4xx + t.mismatches).toBe(0);
    // run.json records the harness's argv: the header value and the keys are redacted there and everywhere else.
    const text = folderText(out);
    expect(text).toContain('x-provider: mock');
    expect(text).not.toContain(trace);
    for (const i of [0, 1, 2]) expect(text).not.toContain(accessTokenOf(SEED, i));
    expect(JSON.stringify(readRun(out).meta.harness.argv)).toContain('x-trace: [redacted]');
    expect(readRun(out).meta.target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/gw$/);
  }, 60_000);
});

describe('each --api profile soaks the stand-in end to end, body checks passing', () => {
  for (const api of ['responses', 'messages'] as const) {
    it(`--api ${api}`, async () => {
      const out = join(root, `api-${api}`);
      const result = await shortRun(out, { api, headers: ['x-provider: mock'], auth: 'x-api-key', clientKeysFile: keysFile, model: 'soak-model-1' });
      expect(result.outcome.status).toBe('completed');
      expect([EXIT.ok, EXIT.leak]).toContain(result.exitCode);
      expect(result.verdict?.served?.status).toBe('served');
      expect(result.verdict!.served!.total.share).toBeGreaterThanOrEqual(0.9);
      const t = loadTotals(out);
      expect(t.ok).toBeGreaterThan(800);
      expect(t.mismatches).toBe(0);
    }, 60_000);
  }
});

describe('a target under a path prefix (--target-url http://127.0.0.1:PORT/gateway)', () => {
  it('every route goes under the prefix; attached by pid, it is served', async () => {
    const upstream = await startUpstream({ seed: SEED, accounts: ACCOUNTS });
    try {
      const gw = spawn(process.execPath, [GATEWAY, '--port', '0', '--upstream', upstream.url, '--prefix', '/gateway'], { stdio: ['ignore', 'pipe', 'inherit'] });
      spawned.push(gw);
      const url = await new Promise<string>((res, rej) => {
        gw.stdout!.on('data', (d: Buffer) => {
          const m = /listening on (http:\S+)/.exec(d.toString());
          if (m) res(m[1]!);
        });
        gw.once('exit', () => rej(new Error('gateway exited')));
      });
      expect(url).toMatch(/\/gateway$/);
      const out = join(root, 'prefix');
      const result = await shortRun(out, { headers: ['x-provider: mock'], auth: 'x-api-key', clientKeysFile: keysFile }, { kind: 'pid', pid: gw.pid!, url });
      expect(result.outcome.status).toBe('completed');
      expect(result.verdict?.served?.status).toBe('served');
      const t = loadTotals(out);
      expect(t.ok).toBeGreaterThan(800);
      expect(t.c4xx + t.mismatches).toBe(0);
      // The gateway has no route at its root: the load's requests all reached the provider through /gateway.
      expect(upstream.stats().requests).toBeGreaterThanOrEqual(t.ok);
    } finally {
      await upstream.close();
    }
  }, 60_000);
});

describe('SOAK_CLIENT_KEY in every mode', () => {
  it('the reference relay is given the user’s key, and the load sends it (cmd mode: soak-e2e.test.ts)', async () => {
    const out = join(root, 'relay-user-key');
    const key = 'user-own-relay-key-5b1f0c';
    process.env.SOAK_CLIENT_KEY = key;
    let result: SoakResult;
    // What the relay was given, read from its /proc environ while it runs (its pid from the "children ready" event).
    let relayKeys: string | null = null;
    const onProgress = () => {
      if (relayKeys !== null) return;
      const ready = readFileSync(join(out, 'events.ndjson'), 'utf8').split('\n').find((l) => l.includes('"children ready"'));
      const pid = ready ? (JSON.parse(ready) as { data: { target: { pid: number } } }).data.target.pid : null;
      if (pid === null) return;
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      relayKeys = env.find((e) => e.startsWith('RELAY_CLIENT_KEYS='))?.slice('RELAY_CLIENT_KEYS='.length) ?? '';
    };
    try {
      result = await runSoak({ scenario: 'cache-churn', accounts: ACCOUNTS, seed: SEED, durationMs: 12_000, rate: 120, out, sampleIntervalMs: 1_000, drainMaxMs: 1_500, target: { kind: 'relay', extraArgs: ['--keep-alive-timeout', '300'] }, onProgress });
    } finally {
      delete process.env.SOAK_CLIENT_KEY;
    }
    expect(relayKeys).toBe(key);
    expect(result.outcome.status).toBe('completed');
    expect(result.verdict?.served?.status).toBe('served');
    const t = loadTotals(out);
    expect(t.ok).toBeGreaterThan(800);
    expect(t.c4xx).toBe(0);
    expect(folderText(out)).not.toContain(key);
  }, 60_000);
});
