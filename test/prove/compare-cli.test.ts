// `npm run soak -- compare <runA> <runB>` end to end through harness/cli.ts, on
// small run folders written here from synthetic checkpoint series (a known
// slope plus seeded noise): the exit code and the output come from the real
// verdict, nothing is stubbed.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunMeta } from '../../harness/index.ts';
import { syntheticCheckpoints, type SyntheticRun } from '../fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../fixtures/verdict/synthetic-meta.ts';

const CLI = resolve(import.meta.dirname, '../../harness/cli.ts');
const root = mkdtempSync(join(tmpdir(), 'soak-compare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const meta = syntheticMeta;

/** A run folder: run.json + checkpoints.ndjson (16 checkpoints, 20 000 requests and 20 s apart). */
function runFolder(name: string, series: Partial<SyntheticRun>, metaOverrides: Partial<RunMeta> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta(metaOverrides)));
  const cps = syntheticCheckpoints({ checkpoints: 16, seed: name, phase: (i) => (i < 2 ? 'warm-up' : 'load'), ...series });
  writeFileSync(join(dir, 'checkpoints.ndjson'), cps.map((c) => JSON.stringify(c)).join('\n') + '\n');
  return dir;
}

function compare(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'compare', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const leaking = { heapUsed: (requests: number) => 500 * requests };
const flat = {};

describe('soak compare', () => {
  const leaky = runFolder('leaky', leaking);
  const fixed = runFolder('fixed', flat);

  it('fix holds (before leaks 500 B/request, after flat) → exit 0', () => {
    const r = compare(leaky, fixed);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^FIX HOLDS/m);
    expect(r.stdout).toContain(`before (A): ${leaky}`);
    expect(r.code).toBe(0);
  });

  it('regression (before flat, after leaks) → exit 1', () => {
    const r = compare(fixed, leaky);
    expect(r.stdout).toMatch(/^REGRESSION/m);
    expect(r.code).toBe(1);
  });

  it('not fixed (both leak) → exit 1', () => {
    const r = compare(leaky, runFolder('leaky-2', leaking));
    expect(r.stdout).toMatch(/^NOT FIXED/m);
    expect(r.code).toBe(1);
  });

  it('inconclusive (nothing leaked before) → exit 3 with the minimal detectable slope', () => {
    const r = compare(fixed, runFolder('fixed-2', flat));
    expect(r.stdout).toMatch(/^INCONCLUSIVE/m);
    expect(r.stdout).toMatch(/could see heap leaks ≥ [\d.]+ B\/request/);
    expect(r.code).toBe(3);
  });

  it('runs that differ in seed and fault plan are refused with every difference listed → exit 2', () => {
    const other = runFolder('other-seed', flat, { seed: 2, faultPlans: { 'warm-up': { rules: [] }, load: { rules: [{ fault: '429', probability: 0.02 }] } } });
    const r = compare(leaky, other);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('not comparable');
    expect(r.stderr).toMatch(/seed: 1 vs 2/);
    expect(r.stderr).toMatch(/faultPlan\.load\.rules\[0\]\.probability: 0\.01 vs 0\.02/);
    expect(r.stderr).toContain('--force');
  });

  it('--force compares anyway, with the differences as warnings in the output', () => {
    const other = runFolder('other-node', flat, { target: { ...meta().target, nodeVersion: 'v24.1.0' } });
    const r = compare(leaky, other, '--force');
    expect(r.stdout).toMatch(/^WARNING: forced comparison despite nodeVersion: "v24\.21\.0" vs "v24\.1\.0"/m);
    expect(r.stdout).toMatch(/^FIX HOLDS/m);
    expect(r.code).toBe(0);
  });

  it('a folder that is not a run → exit 2 naming the argument', () => {
    const notARun = join(root, 'empty');
    mkdirSync(notARun, { recursive: true });
    const a = compare(notARun, fixed);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^soak compare: <runA>: .*not a run folder/);
    const b = compare(leaky, join(root, 'missing'));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^soak compare: <runB>: no such run folder/);
  });

  it('wrong argument count or an unknown flag → exit 2 with the usage line', () => {
    expect(compare(leaky).code).toBe(2);
    const r = compare(leaky, fixed, '--bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bogus/);
    expect(r.stderr).toContain('Usage: npm run soak -- compare <runA> <runB>');
  });

  it('--json prints the comparison as data', () => {
    const r = compare(leaky, fixed, '--json');
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as { comparison: { outcome: string } };
    expect(parsed.comparison.outcome).toBe('fix-holds');
  });
});
