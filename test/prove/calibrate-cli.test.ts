// bench:calibrate's flags: bad input is refused before anything starts (exit
// 2, the flag named, no run folder made), and --resume refuses what would
// change a calibration's plan or runtime half-way. A resumed ledger whose runs
// are all done is summarised without starting a soak.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendEntry, startLedger, type LedgerHeader } from '../../harness/calibrate/ledger.ts';
import { plannedRuns } from '../../harness/calibrate/plan.ts';
import type { CalibrationPlan } from '../../harness/index.ts';

const BENCH = resolve(import.meta.dirname, '../../bench/calibrate.bench.ts');
const root = mkdtempSync(join(tmpdir(), 'soak-calibrate-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function bench(...args: string[]) {
  const r = spawnSync(process.execPath, [BENCH, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bench:calibrate flags', () => {
  it('refuses plan flags alongside --resume, naming them', () => {
    const r = bench('--resume', root, '--sizes', '64', '--quick');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resume takes the plan from the calibration's ledger; drop --quick, --sizes/);
  });

  it('refuses a folder that holds no calibration', () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    const r = bench('--resume', empty);
    expect(r.code).toBe(2);
    expect(r.err).toContain('holds no calibration');
    expect(readdirSync(empty)).toEqual([]);
  });

  it('refuses a bad --budget and a bad --duration by name', () => {
    expect(bench('--budget', 'soon').err).toContain('--budget: expected a duration');
    const r = bench('--quick', '--duration', '5s');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--duration: expected a duration in 30s–168h, got "5s"');
  });

  it('refuses to start a calibration over another one (--out), and names the resume', () => {
    const dir = mkdtempSync(join(root, 'taken-'));
    const plan: CalibrationPlan = { mode: 'custom', sizes: [64], reps: 1, controls: 1, handleEvery: [], handleReps: 1, durationMs: 30_000, rate: null };
    startLedger(dir, { kind: 'calibration', recordVersion: 1, plan, seed: 3, startedAt: new Date().toISOString(), node: process.version });
    const r = bench('--quick', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`already holds a calibration; resume it with --resume ${dir}`);
    expect(bench('--resume', dir, '--out', dir).err).toContain('drop --out');
  });

  it('refuses to resume a calibration started on another Node version', () => {
    const dir = mkdtempSync(join(root, 'other-node-'));
    const plan: CalibrationPlan = { mode: 'custom', sizes: [64], reps: 1, controls: 1, handleEvery: [], handleReps: 1, durationMs: 30_000, rate: null };
    startLedger(dir, { kind: 'calibration', recordVersion: 1, plan, seed: 3, startedAt: new Date().toISOString(), node: 'v22.0.0' });
    const r = bench('--resume', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`started on Node v22.0.0, this is ${process.version}`);
  });

  it('summarises a finished ledger on resume without starting any run', () => {
    const dir = mkdtempSync(join(root, 'done-'));
    const plan: CalibrationPlan = { mode: 'custom', sizes: [64], reps: 1, controls: 1, handleEvery: [], handleReps: 1, durationMs: 30_000, rate: null };
    const header: LedgerHeader = { kind: 'calibration', recordVersion: 1, plan, seed: 3, startedAt: new Date().toISOString(), node: process.version };
    startLedger(dir, header);
    plannedRuns(plan, 3).forEach((run, index) => {
      const leak = run.truth.kind === 'bytes';
      appendEntry(dir, {
        index,
        finishedAt: new Date().toISOString(),
        truth: run.truth,
        seed: run.seed,
        runDir: join(dir, `run-${index}`),
        outcome: 'completed',
        requests: 20_000,
        wallMs: 50_000,
        detection: { status: leak ? 'LEAK' : 'NO-LEAK', leaking: leak ? ['heapUsed'] : [], requestsToDetection: leak ? 12_000 : null, msToDetection: leak ? 30_000 : null, checkpointsToDetection: leak ? 9 : null },
        preloadInvisible: true,
      });
    });
    const r = bench('--resume', dir);
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(r.out).toContain('2/2 runs (0 in this invocation');
    expect(r.out).toContain('false LEAK in controls 0/1');
    expect(r.out).not.toContain('partial:');
    const results = r.out.match(/results: (.+)\n/)![1]!;
    const saved = JSON.parse(readFileSync(results, 'utf8')) as { complete: boolean; runs: unknown[]; ledger: string };
    rmSync(results);
    expect(saved.complete).toBe(true);
    expect(saved.runs).toHaveLength(2);
    expect(saved.ledger).toBe(dir);
  });

  it('says what is left and how to carry on when the ledger is partial', () => {
    const dir = mkdtempSync(join(root, 'partial-'));
    const plan: CalibrationPlan = { mode: 'custom', sizes: [64], reps: 1, controls: 1, handleEvery: [], handleReps: 1, durationMs: 600_000, rate: null };
    startLedger(dir, { kind: 'calibration', recordVersion: 1, plan, seed: 3, startedAt: new Date().toISOString(), node: process.version });
    // A budget smaller than one run: nothing starts, the summary says what is missing.
    const r = bench('--resume', dir, '--budget', '1m');
    expect(r.code).toBe(0);
    expect(r.out).toContain('0/2 runs (0 in this invocation');
    expect(r.out).toContain(`partial: 2 planned run(s) not done (budget reached)`);
    expect(r.out).toContain(`--resume ${dir}`);
    rmSync(r.out.match(/results: (.+)\n/)![1]!);
  });
});
