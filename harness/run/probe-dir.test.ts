import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProbeDir, sweepStaleProbeDirs } from './probe-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'probe-dir-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that existed and is gone: a child that has exited and been reaped. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
}

describe('probe socket folders', () => {
  it('are named after the harness pid, and the next run sweeps those whose harness is gone', () => {
    const mine = createProbeDir(root);
    expect(basename(mine)).toMatch(new RegExp(`^soak-probe-${process.pid}-[A-Za-z0-9]{6}$`));
    const stale = join(root, `soak-probe-${deadPid()}-abcDEF`);
    mkdirSync(join(stale, 'inner'), { recursive: true });
    const live = join(root, `soak-probe-${process.ppid}-ZZZ999`);
    mkdirSync(live);
    const other = join(root, 'soak-probe-notapid');
    mkdirSync(other);
    expect(sweepStaleProbeDirs(root)).toBe(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(mine)).toBe(true);
  });
});
