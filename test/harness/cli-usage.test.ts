// Every bad-input case of `npm run soak` gives one clear line naming the flag,
// exit 2, and starts nothing (no run folder, no child process).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '../../harness/cli.ts');
const root = mkdtempSync(join(tmpdir(), 'soak-usage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function soak(args: string[]) {
  const out = join(root, `run-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, [CLI, '--out', out, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, folderCreated: existsSync(out) };
}

describe('soak CLI bad input', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown flag', ['--bogus'], /--bogus/],
    ['bad duration', ['--duration', '5x'], /--duration: .*"5x"/],
    ['negative rate', ['--rate', '-5'], /--rate: /],
    ['non-numeric rate', ['--rate', 'fast'], /--rate: .*"fast"/],
    ['zero accounts', ['--accounts', '0'], /--accounts: /],
    ['non-integer seed', ['--seed', '1.5'], /--seed: /],
    ['rate and connections together', ['--rate', '10', '--connections', '5'], /--rate and --connections/],
    ['unknown scenario', ['--scenario', 'no-such-scenario'], /--scenario: .*no-such-scenario.*mixed/],
    ['unknown leak', ['--leak', 'no-such-leak'], /--leak: unknown variant "no-such-leak"/],
    ['unreadable target pid', ['--target-pid', '4000000', '--target-url', 'http://127.0.0.1:9'], /--target-pid: /],
    ['target url without pid', ['--target-url', 'http://127.0.0.1:9'], /--target-url needs --target-pid/],
    ['non-loopback target url', ['--target-pid', String(process.pid), '--target-url', 'http://10.0.0.1:80'], /--target-url: .*loopback/],
    ['sample interval out of range', ['--sample-interval', '30s'], /--sample-interval: /],
  ];
  for (const [name, args, message] of cases) {
    it(`${name} → exit 2, one line naming the flag, nothing started`, () => {
      const r = soak(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.folderCreated).toBe(false);
    });
  }

  it('--help lists every flag with its default', () => {
    const r = soak(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--scenario', '--accounts', '--duration', '--rate', '--connections', '--seed', '--leak', '--target-cmd', '--out']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('(default: mixed)');
    expect(r.stdout).toMatch(/Exit codes/);
  });
});
