import { appendFileSync, existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendEntry, fitsBudget, LEDGER_FILES, LedgerError, readLedger, remainingRuns, setAsideUnfinished, startLedger, type LedgerEntry, type LedgerHeader } from './ledger.ts';
import { FULL_PLAN, plannedRuns, planMode, QUICK_PLAN } from './plan.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ledger-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const header: LedgerHeader = { kind: 'calibration', recordVersion: 1, plan: QUICK_PLAN, seed: 7, startedAt: '2026-11-24T00:00:00.000Z', node: 'v24.21.0' };

function entry(index: number, status: 'LEAK' | 'NO-LEAK' = 'NO-LEAK'): LedgerEntry {
  const run = plannedRuns(QUICK_PLAN, 7)[index]!;
  return {
    index,
    finishedAt: '2026-11-24T00:01:00.000Z',
    truth: run.truth,
    seed: run.seed,
    runDir: `/x/${index}`,
    outcome: 'completed',
    requests: 1000,
    wallMs: 110_000,
    detection: { status, leaking: [], requestsToDetection: null, msToDetection: null, checkpointsToDetection: null },
    preloadInvisible: true,
  };
}

describe('calibration ledger', () => {
  it('reads back its header and every appended run, by planned index', () => {
    const d = tmp();
    startLedger(d, header);
    appendEntry(d, entry(0));
    appendEntry(d, entry(4, 'LEAK'));
    const l = readLedger(d);
    expect(l.header).toEqual(header);
    expect([...l.done.keys()]).toEqual([0, 4]);
    expect(l.done.get(4)!.detection!.status).toBe('LEAK');
    expect(l.skippedLines).toBe(0);
  });

  it('skips a torn last line (a kill mid-append) and keeps the rest', () => {
    const d = tmp();
    startLedger(d, header);
    appendEntry(d, entry(1));
    appendFileSync(join(d, LEDGER_FILES.runs), '{"index":2,"truth":{"ki');
    const l = readLedger(d);
    expect([...l.done.keys()]).toEqual([1]);
    expect(l.skippedLines).toBe(1);
  });

  it('refuses to start over an existing calibration, and names the folder to resume', () => {
    const d = tmp();
    startLedger(d, header);
    expect(() => startLedger(d, header)).toThrow(LedgerError);
    expect(() => startLedger(d, header)).toThrow(`--resume ${d}`);
  });

  it('refuses a folder without a ledger, or with a header it does not read', () => {
    const d = tmp();
    expect(() => readLedger(d)).toThrow(/holds no calibration/);
    writeFileSync(join(d, LEDGER_FILES.header), '{"kind":"soak"}');
    expect(() => readLedger(d)).toThrow(/not a calibration header/);
    writeFileSync(join(d, LEDGER_FILES.header), '{not json');
    expect(() => readLedger(d)).toThrow(/not valid JSON/);
  });

  it('leaves exactly the unfinished planned runs, in planned order', () => {
    const planned = plannedRuns(QUICK_PLAN, 7);
    const done = new Map([
      [0, entry(0)],
      [3, entry(3)],
      [planned.length - 1, entry(planned.length - 1)],
    ]);
    const rest = remainingRuns(planned, done);
    expect(rest.map((r) => r.index)).toEqual(planned.map((_, i) => i).filter((i) => !done.has(i)));
    expect(rest[0]!.run).toBe(planned[1]);
    expect(remainingRuns(planned, new Map(planned.map((_, i) => [i, null])))).toEqual([]);
  });

  it('starts a run only if it ends inside the budget', () => {
    expect(fitsBudget(0, null, 10 ** 9)).toBe(true);
    expect(fitsBudget(60_000, 170_000, 110_000)).toBe(true);
    expect(fitsBudget(60_001, 170_000, 110_000)).toBe(false);
  });

  it('moves an unfinished run folder aside instead of deleting it', () => {
    const d = tmp();
    const run = join(d, '03-64B');
    expect(setAsideUnfinished(run)).toBeNull();
    mkdirSync(run);
    writeFileSync(join(run, 'samples.ndjson'), '{"kind":"sample"}\n');
    expect(setAsideUnfinished(run)).toBe(`${run}.unfinished-1`);
    mkdirSync(run);
    expect(setAsideUnfinished(run)).toBe(`${run}.unfinished-2`);
    expect(existsSync(run)).toBe(false);
    expect(readdirSync(d).sort()).toEqual(['03-64B.unfinished-1', '03-64B.unfinished-2']);
  });
});

describe('planMode', () => {
  it('names a plan by the runs it makes; how they are judged does not rename it', () => {
    expect(planMode({ ...FULL_PLAN, mode: 'custom', floor: 'adaptive' })).toBe('full');
    expect(planMode({ ...QUICK_PLAN, mode: 'custom', untilVerdict: true })).toBe('quick');
    expect(planMode({ ...FULL_PLAN, controls: 19 })).toBe('custom');
    expect(planMode({ ...FULL_PLAN, sizes: [8] })).toBe('custom');
    expect(planMode({ ...QUICK_PLAN, durationMs: 60_000 })).toBe('custom');
  });
});
