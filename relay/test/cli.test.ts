// The CLI as a child process (process.execPath: the pinned Node 24):
// readiness line, generated keys on stderr only, configuration errors naming
// the option with exit 2 and no secret echoed, --help, --leak list, SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../../mocks/index.ts';
import { call, closeClients, SEED } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const READY = /^relay: listening on (http:\/\/127\.0\.0\.1:\d+)$/;

let upstream: Upstream;
const children: ChildProcess[] = [];

beforeAll(async () => {
  upstream = await startUpstream({ seed: SEED, accounts: 50 });
});

afterEach(async () => {
  await closeClients();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});

afterAll(async () => {
  await upstream?.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnRelay(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

async function runToExit(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawnRelay(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Starts the relay and resolves with its URL once the readiness line is out. */
async function startCli(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; stdout: () => string; stderr: () => string }> {
  const child = spawnRelay(args, env);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no readiness line; stderr: ${stderr}`)), 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const line = stdout.split('\n')[0]!;
      const match = READY.exec(line);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}; stderr: ${stderr}`)));
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr };
}

describe('relay CLI', () => {
  it('prints exactly one stdout line when ready, generated dev keys on stderr once, and exits 0 on SIGTERM', async () => {
    const relay = await startCli(['--port', '0', '--upstream', upstream.url, '--accounts', '50', '--seed', String(SEED)]);
    const clientKey = /generated development client key: (\S+)/.exec(relay.stderr())?.[1];
    const managementKey = /generated development management key: (\S+)/.exec(relay.stderr())?.[1];
    expect(clientKey).toBeDefined();
    expect(managementKey).toBeDefined();
    expect(clientKey).not.toBe(managementKey);
    const reply = await call(`${relay.url}/v1/chat/completions`, { key: clientKey!, body: '{"model":"gpt-5","messages":[]}' });
    expect(reply.status).toBe(200);
    const mgmt = await call(`${relay.url}/v0/management/usage`, { key: managementKey! });
    expect(mgmt.status).toBe(200);
    relay.child.kill('SIGTERM');
    const [code] = (await once(relay.child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(relay.stdout().trimEnd().split('\n')).toHaveLength(1);
    expect(relay.stderr().match(/generated development client key/g)).toHaveLength(1);
  });

  it('takes keys from the environment and never prints configured keys', async () => {
    const relay = await startCli(['--port', '0', '--upstream', upstream.url, '--accounts', '5'], {
      RELAY_CLIENT_KEYS: 'sk-env-key-0001,sk-env-key-0002',
      RELAY_MANAGEMENT_KEY: 'mk-env-key-0001',
    });
    expect(relay.stderr()).not.toContain('sk-env-key');
    expect(relay.stderr()).not.toContain('mk-env-key');
    expect((await call(`${relay.url}/v1/models`, { key: 'sk-env-key-0002' })).status).toBe(200);
    expect((await call(`${relay.url}/v0/management/usage`, { key: 'mk-env-key-0001' })).status).toBe(200);
    relay.child.kill('SIGINT');
    expect(((await once(relay.child, 'exit')) as [number | null])[0]).toBe(0);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['non-numeric port', ['--port', 'x', '--accounts', '5'], /^relay: --port: /],
    ['port out of range', ['--port', '70000', '--accounts', '5'], /^relay: --port: expected an integer in \[0, 65535\]/],
    ['missing accounts', [], /^relay: --accounts: required/],
    ['zero accounts', ['--accounts', '0'], /^relay: --accounts: /],
    ['negative timeout', ['--accounts', '5', '--body-timeout', '-5'], /^relay: --body-timeout: /],
    ['unknown flag', ['--accounts', '5', '--bogus', '1'], /^relay: --bogus: /],
    ['unknown leak', ['--accounts', '5', '--leak', 'nope'], /^relay: --leak: unknown leak "nope"/],
  ];
  for (const [name, args, message] of bad) {
    it(`exits 2 naming the option: ${name}`, async () => {
      const run = await runToExit(['--upstream', upstream.url, ...args]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    });
  }

  it('rejects a bad upstream and a malformed key without echoing the key', async () => {
    const upstreamRun = await runToExit(['--upstream', 'ftp://x', '--accounts', '5']);
    expect(upstreamRun.code).toBe(2);
    expect(upstreamRun.stderr).toMatch(/^relay: --upstream: /);
    const keyRun = await runToExit(['--upstream', upstream.url, '--accounts', '5', '--management-key', 'short s3cret']);
    expect(keyRun.code).toBe(2);
    expect(keyRun.stderr).toMatch(/^relay: --management-key: /);
    expect(keyRun.stderr).not.toContain('s3cret');
  });

  it('names RELAY_LEAKS when the environment holds an unknown leak, and --port when it is taken', async () => {
    const leakRun = await runToExit(['--upstream', upstream.url, '--accounts', '5'], { RELAY_LEAKS: 'nope' });
    expect(leakRun.code).toBe(2);
    expect(leakRun.stderr).toMatch(/^relay: RELAY_LEAKS: unknown leak "nope"/);
    const taken = await runToExit(['--upstream', upstream.url, '--accounts', '5', '--port', String(upstream.port)]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/^relay: --port: cannot listen on \d+ \(EADDRINUSE\)/);
  });

  it('prints --help and --leak list, exit 0', async () => {
    const help = await runToExit(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--upstream URL');
    const list = await runToExit(['--leak', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.length).toBeGreaterThan(0);
  });
});
