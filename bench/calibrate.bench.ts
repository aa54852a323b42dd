// bench:calibrate: the harness's own accuracy, measured on leaks of KNOWN size.
//
// Soak runs of the `calibration` scenario (steady chat, no faults) against the
// reference relay with a ground-truth leak preloaded (bench/calibration/
// ground-truth-leak.ts: B bytes of heap per request, or one fd per K requests)
// and control runs with nothing injected. Each run is judged exactly as
// `npm run soak` judges it (judge.ts options from the run itself); its
// checkpoint series is also judged on growing prefixes to find the requests it
// took to say LEAK. Prints a confusion matrix, precision, recall and
// requests-to-detection per size, and writes everything to
// reports/calibration/<stamp>-<mode>.json.
//
//   npm run bench:calibrate               full: 10-minute runs, 16…4096 B/request ×3, 10 controls (≈ 7 h)
//   npm run bench:calibrate -- --quick    ≈ 30 min on 2 cores: 90 s runs, 16/64/256/1024 B ×2, 4 controls, 1 fd run
//   flags: --sizes 64,256 --reps N --controls N --handle-every K[,K] --duration 2m --rate N --seed N
//   chunks: --out <folder> keeps a new calibration's ledger and runs there;
//           --budget 80m stops before a run that would end past 80 minutes;
//           --resume <folder> carries on with the runs that folder's ledger has not finished
//
// Every finished run is appended to the calibration folder's ledger
// (harness/calibrate/ledger.ts) as soon as it is judged, so the full mode can
// be spread over jobs that each fit a time limit, and a killed calibration
// loses only the run it was in. Exit codes: 0 every planned run done, or the
// budget reached (the resume command is printed); 1 the preload was visible
// to run.json in some run; 2 bad flags or an unreadable ledger; 3 the bench
// itself failed; 130 interrupted (finished runs are kept in the ledger).
//
// The preload reaches the relay only through NODE_OPTIONS in the relay's own
// environment (TargetSpec.env): run.json records neither, and the bench checks
// that for every run (`preloadInvisible`).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runSoak, interruptReason, PROJECT_ROOT } from '../harness/soak.ts';
import { judgeOptionsFor } from '../harness/judge.ts';
import { readRun } from '../harness/run/read-run.ts';
import { newRunId, uniqueRunDir } from '../harness/run/run-folder.ts';
import { verdictMetaOf } from '../harness/verdict/index.ts';
import { detect } from '../harness/calibrate/detection.ts';
import { FULL_PLAN, plannedRuns, QUICK_PLAN, RUN_OVERHEAD_MS, type CalibrationPlan } from '../harness/calibrate/plan.ts';
import { appendEntry, fitsBudget, readLedger, remainingRuns, setAsideUnfinished, startLedger, type LedgerEntry, type LedgerHeader } from '../harness/calibrate/ledger.ts';
import { formatSummary, summarise, truthLabel, type Truth } from '../harness/calibrate/summary.ts';
import { groundTruthEnv, preloadInvisible } from './calibration/ground-truth-env.ts';
import { getScenario, parseDuration } from '../scenarios/index.ts';


function usage(message: string): never {
  process.stderr.write(`bench:calibrate: ${message}\n`);
  process.exit(2);
}

function intList(flag: string, v: string, min: number): number[] {
  const out = v.split(',').map((s) => s.trim());
  for (const s of out) if (!/^\d+$/.test(s) || Number(s) < min) usage(`--${flag}: expected integers ≥ ${min}, comma-separated, got "${v}"`);
  return out.map(Number);
}

interface Invocation {
  /** A new calibration's plan and seed, or null when resuming. */
  fresh: { plan: CalibrationPlan; seed: number } | null;
  resume: string | null;
  /** Where a fresh calibration keeps its ledger and run folders (default reports/runs/<stamp>-calibration-<mode>). */
  out: string | null;
  budgetMs: number | null;
}

const PLAN_FLAGS = ['quick', 'sizes', 'reps', 'controls', 'handle-every', 'duration', 'rate', 'seed'] as const;

function parseInvocation(argv: string[]): Invocation {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean' },
        sizes: { type: 'string' },
        reps: { type: 'string' },
        controls: { type: 'string' },
        'handle-every': { type: 'string' },
        duration: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        resume: { type: 'string' },
        out: { type: 'string' },
        budget: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    usage((err as Error).message.split('\n')[0]!);
  }
  let budgetMs: number | null = null;
  if (typeof values.budget === 'string') {
    try {
      budgetMs = parseDuration(values.budget);
    } catch {
      usage(`--budget: expected a duration like 80m or 2h, got "${values.budget}"`);
    }
  }
  if (typeof values.resume === 'string') {
    // The ledger holds the plan: a flag that would change it mid-calibration is refused, not ignored.
    const clash = [...PLAN_FLAGS, 'out' as const].filter((f) => values[f] !== undefined);
    if (clash.length > 0) usage(`--resume takes the plan from the calibration's ledger; drop ${clash.map((f) => `--${f}`).join(', ')}`);
    if (values.resume === '') usage('--resume: expected a calibration folder');
    return { fresh: null, resume: resolve(values.resume), out: null, budgetMs };
  }
  const base = values.quick ? QUICK_PLAN : FULL_PLAN;
  const plan: CalibrationPlan = { ...base, sizes: [...base.sizes], handleEvery: [...base.handleEvery] };
  let custom = false;
  if (typeof values.sizes === 'string') ((plan.sizes = intList('sizes', values.sizes, 1)), (custom = true));
  if (typeof values.reps === 'string') ((plan.reps = intList('reps', values.reps, 1)[0]!), (custom = true));
  if (typeof values.controls === 'string') ((plan.controls = intList('controls', values.controls, 0)[0]!), (custom = true));
  if (typeof values['handle-every'] === 'string') ((plan.handleEvery = values['handle-every'] === '0' ? [] : intList('handle-every', values['handle-every'], 1)), (custom = true));
  if (typeof values.duration === 'string') {
    try {
      plan.durationMs = parseDuration(values.duration);
    } catch {
      usage(`--duration: expected a duration like 90s or 10m, got "${values.duration}"`);
    }
    if (plan.durationMs < 30_000) usage(`--duration: at least 30s per run, got "${values.duration}"`);
    custom = true;
  }
  if (typeof values.rate === 'string') {
    const r = Number(values.rate);
    if (!Number.isFinite(r) || r <= 0) usage(`--rate: expected a positive number, got "${values.rate}"`);
    plan.rate = r;
    custom = true;
  }
  if (custom) plan.mode = 'custom';
  const seed = intList('seed', String(values.seed ?? '1'), 0)[0]!;
  if (values.out === '') usage('--out: expected a folder');
  return { fresh: { plan, seed }, resume: null, out: typeof values.out === 'string' ? resolve(values.out) : null, budgetMs };
}

function runFolderName(index: number, truth: Truth): string {
  const what = truth.kind === 'control' ? 'control' : truth.kind === 'bytes' ? `${truth.bytesPerRequest}B` : `fd-per-${truth.every}`;
  return `${String(index + 1).padStart(2, '0')}-${what}`;
}

function openLedger(inv: Invocation): { dir: string; header: LedgerHeader; done: Map<number, LedgerEntry> } {
  if (inv.fresh) {
    const { plan, seed } = inv.fresh;
    const dir = inv.out ?? uniqueRunDir(join(PROJECT_ROOT, 'reports/runs'), newRunId(`calibration-${plan.mode}`));
    const header: LedgerHeader = { kind: 'calibration', recordVersion: 1, plan, seed, startedAt: new Date().toISOString(), node: process.version };
    try {
      mkdirSync(dir, { recursive: true });
      startLedger(dir, header);
    } catch (err) {
      usage(`--out: ${(err as Error).message}`);
    }
    return { dir, header, done: new Map() };
  }
  const dir = inv.resume!;
  let ledger: ReturnType<typeof readLedger>;
  try {
    ledger = readLedger(dir);
  } catch (err) {
    usage((err as Error).message);
  }
  if (ledger.header.node !== process.version) {
    usage(`--resume: ${dir} was started on Node ${ledger.header.node}, this is ${process.version}; runs of two runtimes do not make one calibration`);
  }
  if (ledger.skippedLines > 0) process.stderr.write(`bench:calibrate: ${ledger.skippedLines} unreadable line(s) in the ledger skipped (a run cut mid-write is run again)\n`);
  return { dir, header: ledger.header, done: ledger.done };
}

async function main(): Promise<number> {
  const inv = parseInvocation(process.argv.slice(2));
  const { dir: base, header, done } = openLedger(inv);
  const { plan, seed } = header;
  const runs = plannedRuns(plan, seed);
  const todo = remainingRuns(runs, done);
  const heapFloor = getScenario('calibration').thresholds.heapUsed ?? 32;
  const started = new Date();
  const runMs = plan.durationMs + RUN_OVERHEAD_MS;
  process.stderr.write(
    `bench:calibrate (${plan.mode}): ${runs.length} runs of ${plan.durationMs / 1000} s load` +
      (done.size > 0 ? `, ${done.size} already done, ${todo.length} to go` : '') +
      `, estimated ${Math.round((todo.length * runMs) / 60_000)} min` +
      (inv.budgetMs !== null ? ` (budget ${Math.round(inv.budgetMs / 60_000)} min)` : '') +
      `; ledger and run folders in ${base}\n`,
  );
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(interruptReason(signal));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let ranNow = 0;
  let budgetStop = false;
  for (const { index: i, run: planned } of todo) {
    if (controller.signal.aborted) break;
    if (!fitsBudget(Date.now() - started.getTime(), inv.budgetMs, runMs)) {
      budgetStop = true;
      break;
    }
    const t0 = performance.now();
    const runDir = join(base, runFolderName(i, planned.truth));
    const aside = setAsideUnfinished(runDir);
    if (aside) process.stderr.write(`bench:calibrate: an unfinished attempt of run ${i + 1} kept as ${aside}\n`);
    const r = await runSoak({
      scenario: 'calibration',
      durationMs: plan.durationMs,
      ...(plan.rate !== null ? { rate: plan.rate } : {}),
      seed: planned.seed,
      // Same relay flags for every run: a bounded upstream keep-alive keeps drains ≈ 1 s.
      target: { kind: 'relay', extraArgs: ['--keep-alive-timeout', '1000'], env: groundTruthEnv(planned.truth) },
      drainMaxMs: 3_000,
      out: runDir,
      signal: controller.signal,
    });
    if (r.outcome.status === 'interrupted') break;
    const data = readRun(runDir);
    const heapSizeLimit = data.meta.target.heapSizeLimit ?? undefined;
    const detection = data.checkpoints.length > 0 ? detect(verdictMetaOf(data.meta, heapSizeLimit ? { heapSizeLimit } : {}), data.checkpoints, data.samples, judgeOptionsFor(data)) : null;
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
    appendEntry(base, entry);
    done.set(i, entry);
    ranNow++;
    const found = detection?.requestsToDetection != null ? ` at ${detection.requestsToDetection} requests (${Math.round(detection.msToDetection! / 1000)} s)` : '';
    process.stderr.write(
      `[${i + 1}/${runs.length}] ${truthLabel(planned.truth).padEnd(22)} ${r.outcome.status !== 'completed' ? `run ${r.outcome.status}; ` : ''}${detection?.status ?? 'no verdict'}` +
        `${detection && detection.leaking.length > 0 ? ` (${detection.leaking.join(', ')})` : ''}${found}; ${r.requestsCompleted} requests, ${Math.round(entry.wallMs / 1000)} s${entry.preloadInvisible ? '' : '; PRELOAD VISIBLE IN run.json'}\n`,
    );
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  const results = [...done.entries()].sort(([a], [b]) => a - b).map(([, e]) => e);
  const summary = summarise(results, heapFloor);
  const wallMs = Date.now() - started.getTime();
  const complete = results.length === runs.length;
  const text = formatSummary(summary, heapFloor);
  process.stdout.write(
    `\nbench:calibrate (${plan.mode}): ${results.length}/${runs.length} runs (${ranNow} in this invocation, ${Math.round(wallMs / 60_000)} min), ${plan.durationMs / 1000} s of load each; Node ${header.node}\n\n${text}\n`,
  );
  const invisible = results.every((r) => r.preloadInvisible);
  process.stdout.write(`preload invisible to run.json and the verdict's inputs in every run: ${invisible ? 'yes' : 'NO'}\n`);
  if (!complete) {
    process.stdout.write(
      `partial: ${runs.length - results.length} planned run(s) not done${budgetStop ? ' (budget reached)' : ''}; the figures above cover the finished ones. Carry on with: npm run bench:calibrate -- --resume ${base}\n`,
    );
  }
  const outDir = join(PROJECT_ROOT, 'reports/calibration');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${newRunId(plan.mode)}.json`);
  writeFileSync(
    file,
    JSON.stringify({ mode: plan.mode, plan, seed, complete, ledger: base, startedAt: header.startedAt, wallMs, heapFloor, summary, runs: results, node: header.node }, null, 2) + '\n',
  );
  process.stdout.write(`results: ${resolve(file)}\n`);
  if (controller.signal.aborted) return 130;
  return invisible ? 0 : 1;
}

if (import.meta.main) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bench:calibrate: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 3;
    },
  );
}
