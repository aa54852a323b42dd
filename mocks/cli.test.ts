// mocks/main.ts as a child process: readiness line, bad input → one stderr
// line naming the flag or plan field and exit 2, SIGTERM → exit 0.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect, it } from 'vitest';
import { authHeader, observe } from './test-support.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const READY = /^upstream: listening on (http:\/\/127\.0\.0\.1:\d+)$/;
const dir = mkdtempSync(join(tmpdir(), 'upstream-cli-'));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): { child: ChildProcess; exit: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  // process.execPath is the Node 24 vitest runs on; .ts runs by type stripping.
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exit };
}

function planFile(plan: unknown): string {
  const path = join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof plan === 'string' ? plan : JSON.stringify(plan));
  return path;
}

it.each([
  [['--port', 'x'], '--port'],
  [['--port', '70000'], '--port'],
  [['--seed', '1.5'], '--seed'],
  [['--accounts', '0'], '--accounts'],
  [['--bogus'], '--bogus'],
  [['--plan', '/nonexistent/plan.json'], '--plan'],
  [['--plan', planFile('{ not json')], '--plan'],
  [['--plan', planFile({ rules: [{ fault: '429', probability: 0.1 }, { fault: '503', probability: 0.1 }, { fault: '500', probability: 1.5 }] })], 'plan.rules[2].probability'],
  [['--plan', planFile({ rules: [{ fault: 'lightning', probability: 0.1 }] })], 'plan.rules[0].fault'],
  [['--plan', planFile({ rules: [{ fault: '429', probability: 0.7 }, { fault: '503', probability: 0.7 }] })], 'plan.rules'],
  [['--plan', planFile({ rules: [{ fault: '429', probability: 0.1, window: { startMs: 0, durationMs: -1 } }] })], 'plan.rules[0].window.durationMs'],
  [['--plan', planFile({ rules: [], sequences: [{ steps: ['429', 'lightning'] }] })], 'plan.sequences[0].steps[1]'],
  // The account bound needs --accounts, which the plan file does not carry.
  [['--accounts', '10', '--plan', planFile({ rules: [], sequences: [{ account: 10, steps: ['429'] }] })], 'plan.sequences[0].account'],
])('%j → exit 2, one stderr line naming %s', async (args, field) => {
  const { code, stdout, stderr } = await run(args).exit;
  expect(code).toBe(2);
  expect(stdout).toBe('');
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]!.startsWith(`upstream: ${field}: `)).toBe(true);
});

it('prints the readiness line, serves, and exits 0 on SIGTERM', async () => {
  const plan = planFile({ rules: [{ fault: '503', probability: 1 }] });
  const { child, exit } = run(['--port', '0', '--seed', '7', '--accounts', '10', '--plan', plan]);
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d) => {
      buffered += d;
      const line = buffered.split('\n')[0]!;
      const match = READY.exec(line);
      if (buffered.includes('\n')) (match ? resolve(match[1]!) : reject(new Error(`unexpected stdout ${line}`)));
    });
    child.once('close', () => reject(new Error('exited before ready')));
  });
  const served = await observe(url, { headers: { authorization: authHeader(3, 7) } });
  expect(served.phase === 'response' && served.status).toBe(503);
  child.kill('SIGTERM');
  const { code, stdout } = await exit;
  expect(code).toBe(0);
  expect(stdout.trim().split('\n')).toHaveLength(1);
});

it('--help prints usage and exits 0', async () => {
  const { code, stdout } = await run(['--help']).exit;
  expect(code).toBe(0);
  expect(stdout).toContain('--plan FILE');
});
