// calibrate: the harness's own accuracy, measured on leaks of KNOWN size.
//
// Soak runs of the `calibration` scenario (steady chat, no faults) against the
// reference relay with a ground-truth leak preloaded (see ground-truth-env.ts:
// B bytes of heap per request, or one fd per K requests) and control runs with
// nothing injected. Each run is judged exactly as `npm run soak` judges it
// (judge/run.ts options from the run itself); its checkpoint series is also
// judged on growing prefixes to find the requests it took to say LEAK.
//
// Every finished run is appended to the calibration folder's ledger
// (ledger.ts) as soon as it is judged, so the full mode can be spread over
// jobs that each fit a time limit, and a killed calibration loses only the run
// it was in. The preload reaches the relay only through NODE_OPTIONS in the
// relay's own environment (TargetSpec.env): run.json records neither, and each
// run is checked for that (`preloadInvisible`). Writes nothing to stdout; the
// per-run lines go to `progress` when given.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { usageError } from '../errors.ts';
import { runSoak, PROJECT_ROOT } from '../soak/index.ts';
import { judgeOptionsFor, verdictMeta } from '../judge/index.ts';
import { readRun } from '../run/read-run.ts';
import { checkWritableFolder } from '../run/writable-folder.ts';
import { newRunId, uniqueRunDir } from '../run/run-folder.ts';
import { getScenario } from '../../scenarios/index.ts';
import { detect } from './detection.ts';
import { plannedRuns, planMode, RUN_OVERHEAD_MS, type CalibrationPlan, type PlannedRun } from './plan.ts';
import { appendEntry, fitsBudget, LedgerError, readLedger, remainingRuns, setAsideUnfinished, startLedger, type LedgerEntry, type LedgerHeader } from './ledger.ts';
import { formatSummary, summarise, truthLabel, type CalibrationSummary, type Truth } from './summary.ts';
import { groundTruthEnv, preloadInvisible } from './ground-truth-env.ts';
import { LEDGER_LOCK_FILE, ledgerLocked, lockLedger, type LedgerLock } from './ledger-lock.ts';

export type CalibrateOptions = (
  | {
      /** A new calibration: its plan and seed. */
      plan: CalibrationPlan;
      seed: number;
      /** Where its ledger and run folders go (default reports/runs/<stamp>-calibration-<mode>). */
      out?: string;
      resume?: undefined;
    }
  | {
      /** Carry on with the runs this calibration folder's ledger has not finished. */
      resume: string;
      plan?: undefined;
      seed?: undefined;
      out?: undefined;
    }
) & {
  /** Start a run only if it ends inside this budget (from the call). */
  budgetMs?: number | null;
  /** Where the results JSON goes (default reports/calibration/). */
  resultsDir?: string;
  signal?: AbortSignal;
  /** One line per finished run, and the start line. Omit for silence. */
  progress?: NodeJS.WritableStream;
};

export interface CalibrationResult {
  /** The calibration folder (ledger and run folders). */
  dir: string;
  header: LedgerHeader;
  planned: number;
  /** Every finished run, this call's and earlier ones, in plan order. */
  runs: LedgerEntry[];
  ranNow: number;
  summary: CalibrationSummary;
  heapFloor: number;
  /** The summary as text (confusion matrix, precision, recall, detection). */
  text: string;
  complete: boolean;
  budgetReached: boolean;
  interrupted: boolean;
  /** The preload stayed out of run.json and the verdict's inputs in every run. */
  preloadInvisible: boolean;
  wallMs: number;
  resultsFile: string;
}

function runFolderName(index: number, truth: Truth): string {
  const what = truth.kind === 'control' ? 'control' : truth.kind === 'bytes' ? `${truth.bytesPerRequest}B` : `fd-per-${truth.every}`;
  return `${String(index + 1).padStart(2, '0')}-${what}`;
}

/**
 * A ledger entry written before detection judged the sequential looks (or
 * kept the heap slope): its run folder judged again (the verdict is pure), so
 * the summary has both rules and the measured slope over every run. An entry whose folder is gone or unreadable stays as it
 * was (its row counts it as not judged by the looks).
 */
function withSequential(e: LedgerEntry): LedgerEntry {
  if (e.detection === null || (e.detection.sequential !== undefined && e.detection.heapSlope !== undefined)) return e;
  try {
    const data = readRun(e.runDir);
    const again = detect(verdictMeta(data), data.checkpoints, data.samples, judgeOptionsFor(data));
    // What the entry recorded stays; only what it lacks is filled in.
    return { ...e, detection: { ...e.detection, sequential: e.detection.sequential !== undefined ? e.detection.sequential : (again.sequential ?? null), heapSlope: e.detection.heapSlope !== undefined ? e.detection.heapSlope : (again.heapSlope ?? null) } };
  } catch {
    return e;
  }
}

/** One planned run, judged: its ledger entry, or null when it was interrupted. */
async function oneRun(i: number, planned: PlannedRun, runDir: string, plan: CalibrationPlan, signal: AbortSignal | undefined): Promise<LedgerEntry | null> {
  const t0 = performance.now();
  const r = await runSoak({
    scenario: 'calibration',
    durationMs: plan.durationMs,
    ...(plan.rate !== null ? { rate: plan.rate } : {}),
    seed: planned.seed,
    // Same relay flags for every run: a bounded upstream keep-alive keeps drains ≈ 1 s.
    target: { kind: 'relay', extraArgs: ['--keep-alive-timeout', '1000'], env: groundTruthEnv(planned.truth) },
    drainMaxMs: 3_000,
    ...(plan.untilVerdict === true ? { untilVerdict: true } : {}),
    ...(plan.floor === 'adaptive' ? { floor: 'adaptive' as const } : {}),
    out: runDir,
    ...(signal ? { signal } : {}),
  });
  if (r.outcome.status === 'interrupted') return null;
  const data = readRun(runDir);
  const detection = data.checkpoints.length > 0 ? detect(verdictMeta(data), data.checkpoints, data.samples, judgeOptionsFor(data)) : null;
  const entry: LedgerEntry = {
    index: i,
    finishedAt: new Date().toISOString(),
    truth: planned.truth,
    seed: planned.seed,
    runDir,
    outcome: r.outcome.status,
    requests: r.requestsCompleted,
    wallMs: Math.round(performance.now() - t0),
    detection,
    preloadInvisible: preloadInvisible(runDir),
  };
  return entry;
}

/** The figures of a ledger's finished runs (pure but for re-judging entries that predate the sequential looks). */
function figuresOf(planned: number, done: ReadonlyMap<number, LedgerEntry>, heapFloor: number): { results: LedgerEntry[]; summary: CalibrationSummary; complete: boolean; preloadInvisible: boolean } {
  const results = [...done.entries()].sort(([a], [b]) => a - b).map(([, e]) => withSequential(e));
  return { results, summary: summarise(results, heapFloor), complete: results.length === planned, preloadInvisible: results.every((r) => r.preloadInvisible) };
}

export interface LedgerFigures {
  dir: string;
  header: LedgerHeader;
  planned: number;
  runs: LedgerEntry[];
  summary: CalibrationSummary;
  heapFloor: number;
  complete: boolean;
  preloadInvisible: boolean;
  /** A calibration is running on this ledger now (its lock is held): the figures may grow while read. */
  running: boolean;
}

/**
 * The figures of a calibration folder as it stands, running nothing and
 * writing nothing (`calibrate --summary DIR`): a partial calibration read the
 * morning after a chunk, or while the next one runs.
 */
export function calibrationFigures(dir: string): LedgerFigures {
  const base = resolve(dir);
  const ledger = readLedger(base, '--summary');
  const header: LedgerHeader = { ...ledger.header, plan: { ...ledger.header.plan, mode: planMode(ledger.header.plan) } };
  const heapFloor = getScenario('calibration').thresholds.heapUsed ?? 32;
  const planned = plannedRuns(header.plan, header.seed).length;
  const { results, summary, complete, preloadInvisible } = figuresOf(planned, ledger.done, heapFloor);
  return { dir: base, header, planned, runs: results, summary, heapFloor, complete, preloadInvisible, running: ledgerLocked(base) };
}

/** The line a finished run prints: what was injected, what the verdict said, how soon. */
function runLine(e: LedgerEntry, planned: number): string {
  const d = e.detection;
  const found = d?.requestsToDetection != null ? ` at ${d.requestsToDetection} requests (${Math.round(d.msToDetection! / 1000)} s)` : '';
  return (
    `[${e.index + 1}/${planned}] ${truthLabel(e.truth).padEnd(22)} ${e.outcome !== 'completed' ? `run ${e.outcome}; ` : ''}${d?.status ?? 'no verdict'}` +
    `${d && d.leaking.length > 0 ? ` (${d.leaking.join(', ')})` : ''}${found}; ${e.requests} requests, ${Math.round(e.wallMs / 1000)} s${e.preloadInvisible ? '' : '; PRELOAD VISIBLE IN run.json'}\n`
  );
}

/** The ledger to work on: a new one, or the one to resume (usage errors name the flag). */
function openLedger(options: CalibrateOptions, progress: NodeJS.WritableStream | undefined): { dir: string; header: LedgerHeader; done: Map<number, LedgerEntry>; lock: LedgerLock } {
  if (options.resume === undefined) {
    const { plan, seed } = options;
    const dir = options.out ? resolve(options.out) : uniqueRunDir(join(PROJECT_ROOT, 'reports/runs'), newRunId(`calibration-${plan.mode}`));
    const header: LedgerHeader = { kind: 'calibration', recordVersion: 1, plan, seed, startedAt: new Date().toISOString(), node: process.version };
    if (options.out) checkWritableFolder('--out', options.out);
    try {
      mkdirSync(dir, { recursive: true });
      startLedger(dir, header);
    } catch (err) {
      throw usageError(`--out: ${(err as Error).message}`);
    }
    return { dir, header, done: new Map(), lock: lockLedger(dir) };
  }
  const dir = resolve(options.resume);
  const checked = readLedger(dir);
  if (checked.header.node !== process.version) {
    throw usageError(`--resume: ${dir} was started on Node ${checked.header.node}, this is ${process.version}; runs of two runtimes do not make one calibration`);
  }
  const lock = lockLedger(dir);
  const { tookOver } = lock;
  if (tookOver !== null) progress?.write(`a stale ${LEDGER_LOCK_FILE} (pid ${tookOver.pid} on ${tookOver.host}, since ${tookOver.since}, no longer running here) taken over\n`);
  // Read again under the lock: a calibration that held it until now may have appended a run.
  let ledger: ReturnType<typeof readLedger>;
  try {
    ledger = readLedger(dir);
  } catch (err) {
    lock.release();
    throw err;
  }
  if (ledger.skippedLines > 0) progress?.write(`${ledger.skippedLines} unreadable line(s) in the ledger skipped (a run cut mid-write is run again)\n`);
  return { dir, header: ledger.header, done: ledger.done, lock };
}

/** Run (or resume) a calibration. Throws usage errors before any run starts; an interrupt ends it with the finished runs kept. */
export async function calibrate(options: CalibrateOptions): Promise<CalibrationResult> {
  const progress = options.progress;
  const { dir: base, header: read, done, lock } = openLedger(options, progress);
  try {
    return await calibrateLocked(options, base, read, done, lock);
  } finally {
    lock.release();
  }
}

async function calibrateLocked(options: CalibrateOptions, base: string, read: LedgerHeader, done: Map<number, LedgerEntry>, lock: LedgerLock): Promise<CalibrationResult> {
  const progress = options.progress;
  // Ledgers written before planMode() named a plan `custom` when --floor or --until-verdict was given.
  const header: LedgerHeader = { ...read, plan: { ...read.plan, mode: planMode(read.plan) } };
  const { plan, seed } = header;
  const runs = plannedRuns(plan, seed);
  const todo = remainingRuns(runs, done);
  const heapFloor = getScenario('calibration').thresholds.heapUsed ?? 32;
  const started = Date.now();
  const runMs = plan.durationMs + RUN_OVERHEAD_MS;
  const budgetMs = options.budgetMs ?? null;
  progress?.write(
    `calibration (${plan.mode}): ${runs.length} runs of ${plan.durationMs / 1000} s load` +
      (done.size > 0 ? `, ${done.size} already done, ${todo.length} to go` : '') +
      `, estimated ${Math.round((todo.length * runMs) / 60_000)} min` +
      (budgetMs !== null ? ` (budget ${Math.round(budgetMs / 60_000)} min)` : '') +
      `; ledger and run folders in ${base}\n`,
  );
  let ranNow = 0;
  let budgetReached = false;
  let interrupted = false;
  for (const { index: i, run: planned } of todo) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    if (!fitsBudget(Date.now() - started, budgetMs, runMs)) {
      budgetReached = true;
      break;
    }
    if (!lock.stillHeld()) {
      // Another calibration replaced this one's lock (ledger-lock.ts: a race no file operation closes): it runs
      // the rest; two of them on one ledger would run the same run into one folder.
      throw new LedgerError(`${base}: ${LEDGER_LOCK_FILE} is no longer this calibration's (another one took it); stopped before run ${i + 1}, the ${done.size} finished run(s) are in the ledger`);
    }
    const runDir = join(base, runFolderName(i, planned.truth));
    const aside = setAsideUnfinished(runDir);
    if (aside) progress?.write(`an unfinished attempt of run ${i + 1} kept as ${aside}\n`);
    const entry = await oneRun(i, planned, runDir, plan, options.signal);
    if (entry === null) {
      interrupted = true;
      break;
    }
    appendEntry(base, entry);
    done.set(i, entry);
    ranNow++;
    progress?.write(runLine(entry, runs.length));
  }
  if (options.signal?.aborted) interrupted = true;

  const { results, summary, complete, preloadInvisible: invisible } = figuresOf(runs.length, done, heapFloor);
  const wallMs = Date.now() - started;
  const outDir = resolve(options.resultsDir ?? join(PROJECT_ROOT, 'reports/calibration'));
  mkdirSync(outDir, { recursive: true });
  const resultsFile = join(outDir, `${newRunId(plan.mode)}.json`);
  writeFileSync(
    resultsFile,
    JSON.stringify({ mode: plan.mode, plan, seed, complete, ledger: base, startedAt: header.startedAt, wallMs, heapFloor, summary, runs: results, node: header.node }, null, 2) + '\n',
  );
  return {
    dir: base,
    header,
    planned: runs.length,
    runs: results,
    ranNow,
    summary,
    heapFloor,
    text: formatSummary(summary, heapFloor),
    complete,
    budgetReached,
    interrupted,
    preloadInvisible: invisible,
    wallMs,
    resultsFile,
  };
}
