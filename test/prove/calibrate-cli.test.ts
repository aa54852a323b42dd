// bench:calibrate's flags: bad input is refused before anything starts (exit
// 2, the flag named, no run folder made), and --resume refuses what would
// change a calibration's plan or runtime half-way. A resumed ledger whose runs
// are all done is summarised without starting a soak.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendEntry, startLedger, type LedgerHeader } from '../../harness/calibrate/ledger.ts';
import { plannedRuns } from '../../harness/calibrate/plan.ts';
import { LEDGER_LOCK_FILE } from '../../harness/calibrate/ledger-lock.ts';
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
    // The soak's --budget is a growth budget; calibrate's is time, and its error says which is which.
    const growth = bench('--budget', '50MB/day');
    expect(growth.code).toBe(2);
    expect(growth.err).toContain("a time limit for this chunk's runs; a growth budget like 50MB/day is the soak's --budget), got \"50MB/day\"");
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

  it('refuses to resume a ledger another calibration is running on: exit 2, nothing started, its lock kept', () => {
    const dir = mkdtempSync(join(root, 'busy-'));
    const plan: CalibrationPlan = { mode: 'custom', sizes: [64], reps: 1, controls: 1, handleEvery: [], handleReps: 1, durationMs: 30_000, rate: null };
    startLedger(dir, { kind: 'calibration', recordVersion: 1, plan, seed: 3, startedAt: new Date().toISOString(), node: process.version });
    // This test process stands for the running calibration: alive, on this host.
    const lock = JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-12-07T02:39:07.653Z' });
    writeFileSync(join(dir, LEDGER_LOCK_FILE), lock);
    const r = bench('--resume', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`is being calibrated by pid ${process.pid} since 2026-12-07T02:39:07.653Z`);
    expect(readdirSync(dir).sort()).toEqual(['calibration.json', LEDGER_LOCK_FILE, 'runs.ndjson'].sort());
    expect(readFileSync(join(dir, LEDGER_LOCK_FILE), 'utf8')).toBe(lock);
    // --summary reads it anyway, and says a calibration is running on it.
    const s = bench('--summary', dir);
    expect(s.code).toBe(0);
    expect(s.out).toContain('0/2 runs (partial); a calibration is running on this ledger now');
  });

  it('--summary prints a ledger\'s figures, as text or Markdown, and runs and writes nothing', () => {
    const dir = mkdtempSync(join(root, 'summary-'));
    const plan: CalibrationPlan = { mode: 'custom', sizes: [64], reps: 1, controls: 2, handleEvery: [], handleReps: 1, durationMs: 600_000, rate: null };
    startLedger(dir, { kind: 'calibration', recordVersion: 1, plan, seed: 3, startedAt: '2026-12-07T02:39:07.653Z', node: process.version });
    const planned = plannedRuns(plan, 3);
    const leakAt = planned.findIndex((p) => p.truth.kind === 'bytes');
    const controlAt = planned.findIndex((p) => p.truth.kind === 'control');
    for (const index of [leakAt, controlAt]) {
      const leak = index === leakAt;
      appendEntry(dir, {
        index,
        finishedAt: new Date().toISOString(),
        truth: planned[index]!.truth,
        seed: planned[index]!.seed,
        runDir: join(dir, `run-${index}`),
        outcome: 'completed',
        requests: 458_000,
        wallMs: 640_000,
        detection: {
          status: leak ? 'LEAK' : 'NO-LEAK',
          leaking: leak ? ['heapUsed'] : [],
          requestsToDetection: leak ? 247_400 : null,
          msToDetection: leak ? 348_000 : null,
          checkpointsToDetection: leak ? 10 : null,
          sequential: leak ? { requests: 126_800, ms: 192_000, checkpoints: 6 } : null,
          heapFloor: 2.5,
          heapSlope: leak ? { slope: 66.4, lower: 66.1, upper: 66.8 } : { slope: 0.6, lower: 0.3, upper: 0.9 },
        },
        preloadInvisible: true,
      });
    }
    const before = readdirSync(dir).sort();
    const text = bench('--summary', dir);
    expect(text.err).toBe('');
    expect(text.code).toBe(0);
    expect(text.out).toContain(`calibration (custom) in ${dir}: 2/3 runs (partial), 600 s of load each; started 2026-12-07T02:39:07.653Z`);
    expect(text.out).toContain('false LEAK in controls 0/1');
    expect(text.out).not.toContain('results:');
    const md = bench('--summary', dir, '--markdown');
    expect(md.code).toBe(0);
    expect(md.out).toContain('| control (nothing injected) | 0 | 1 | 0 |');
    expect(md.out).toContain('**false LEAK in controls 0/1** (rate < 95.0 % at 95 %, exact)');
    expect(md.out).toContain('| 64 B/request | 1 | 1 | 0 | 0 | 66.4 [66.1, 66.8] | 247\u202f400 (348 s) | 1/1, 126\u202f800 (192 s) |');
    expect(md.out).toContain('| control (none) | 1 | 0 | 1 | 0 | 0.6 [0.3, 0.9] | — | 0/1 |');
    expect(readdirSync(dir).sort()).toEqual(before);
    // It runs nothing: flags that would are refused, and --markdown alone means nothing.
    const clash = bench('--summary', dir, '--budget', '1m', '--quick');
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/--summary reads a calibration folder and runs nothing; drop --(budget, --quick|quick, --budget)/);
    expect(bench('--markdown').err).toContain('--markdown: goes with --summary DIR');
    const nowhere = bench('--summary', join(root, 'nowhere'));
    expect(nowhere.code).toBe(2);
    expect(nowhere.err).toContain(`--summary: ${join(root, 'nowhere')} holds no calibration`);
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
