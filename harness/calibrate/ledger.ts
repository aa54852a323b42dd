// A calibration's ledger, on disk in its folder: the plan it follows
// (calibration.json, written once) and every finished run (runs.ndjson, one
// line appended as each run is judged). A calibration killed at any point
// keeps every run it finished, and `--resume <folder>` carries on with the
// runs still missing. That is how the full mode (≈ 7 hours) is run at all: in
// chunks that each fit a job's time limit (`--budget`), over as many jobs as it
// takes, into one set of figures.

import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RelaySoakError } from '../../shared/errors.ts';
import type { CalibrationPlan, PlannedRun } from './plan.ts';
import type { CalibrationRun } from './summary.ts';

export const LEDGER_FILES = { header: 'calibration.json', runs: 'runs.ndjson' } as const;

export interface LedgerHeader {
  kind: 'calibration';
  recordVersion: 1;
  plan: CalibrationPlan;
  seed: number;
  startedAt: string;
  /** Node version of the harness and relay: a resume on another version is refused (the figures would mix runtimes). */
  node: string;
}

/** One finished run: its place in the planned order and what it gave. */
export interface LedgerEntry extends CalibrationRun {
  index: number;
  finishedAt: string;
}

export interface Ledger {
  header: LedgerHeader;
  /** Finished runs by planned index (a run finished twice keeps its last entry). */
  done: Map<number, LedgerEntry>;
  /** Lines that could not be read (a torn last line after a kill). */
  skippedLines: number;
}

export class LedgerError extends RelaySoakError<'SOAK_ERR_CALIBRATION_LEDGER'> {
  constructor(message: string) {
    super('SOAK_ERR_CALIBRATION_LEDGER', message);
  }
}

export function startLedger(dir: string, header: LedgerHeader): void {
  if (existsSync(join(dir, LEDGER_FILES.header))) throw new LedgerError(`${dir} already holds a calibration; resume it with --resume ${dir}`);
  writeFileSync(join(dir, LEDGER_FILES.header), JSON.stringify(header, null, 2) + '\n');
  writeFileSync(join(dir, LEDGER_FILES.runs), '');
}

/** Appended synchronously as soon as the run is judged: nothing finished is lost to a later kill. */
export function appendEntry(dir: string, entry: LedgerEntry): void {
  appendFileSync(join(dir, LEDGER_FILES.runs), JSON.stringify(entry) + '\n');
}

/** `flag` names the flag that gave the folder, for the error (`--resume`, `--summary`). */
export function readLedger(dir: string, flag = '--resume'): Ledger {
  const headerPath = join(dir, LEDGER_FILES.header);
  if (!existsSync(headerPath)) throw new LedgerError(`${flag}: ${dir} holds no calibration (no ${LEDGER_FILES.header})`);
  let header: LedgerHeader;
  try {
    header = JSON.parse(readFileSync(headerPath, 'utf8')) as LedgerHeader;
  } catch (err) {
    throw new LedgerError(`${flag}: ${headerPath} is not valid JSON: ${(err as Error).message}`);
  }
  if (header.kind !== 'calibration' || header.recordVersion !== 1 || typeof header.plan !== 'object' || !Array.isArray(header.plan?.sizes)) {
    throw new LedgerError(`${flag}: ${headerPath} is not a calibration header this version reads (kind ${JSON.stringify(header.kind)}, recordVersion ${JSON.stringify(header.recordVersion)})`);
  }
  const done = new Map<number, LedgerEntry>();
  let skippedLines = 0;
  const runsPath = join(dir, LEDGER_FILES.runs);
  const text = existsSync(runsPath) ? readFileSync(runsPath, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as LedgerEntry;
      if (!Number.isSafeInteger(entry.index) || entry.index < 0 || typeof entry.truth !== 'object') throw new Error('not a run entry');
      done.set(entry.index, entry);
    } catch {
      skippedLines++;
    }
  }
  return { header, done, skippedLines };
}

/** The planned runs a ledger has not finished, in planned order, with their indexes. */
export function remainingRuns(planned: readonly PlannedRun[], done: ReadonlyMap<number, unknown>): { index: number; run: PlannedRun }[] {
  return planned.map((run, index) => ({ index, run })).filter(({ index }) => !done.has(index));
}

/**
 * Whether one more run fits the budget: a run is started only if its load time
 * plus the measured per-run overhead ends inside it (a run cut by the job's
 * time limit would be lost work).
 */
export function fitsBudget(elapsedMs: number, budgetMs: number | null, runMs: number): boolean {
  return budgetMs === null || elapsedMs + runMs <= budgetMs;
}

/**
 * A run folder left by an attempt that never reached the ledger (the job was
 * killed mid-run) is moved aside, not overwritten or deleted: its samples stay
 * readable, and the retried run gets a clean folder.
 */
export function setAsideUnfinished(runDir: string): string | null {
  if (!existsSync(runDir)) return null;
  for (let k = 1; ; k++) {
    const aside = `${runDir}.unfinished-${k}`;
    if (!existsSync(aside)) {
      renameSync(runDir, aside);
      return aside;
    }
  }
}
