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
import { estimatedMs, FULL_PLAN, plannedRuns, QUICK_PLAN, type CalibrationPlan } from '../harness/calibrate/plan.ts';
import { formatSummary, summarise, truthLabel, type CalibrationRun } from '../harness/calibrate/summary.ts';
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

function parsePlan(argv: string[]): { plan: CalibrationPlan; seed: number } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        sizes: { type: 'string' },
        reps: { type: 'string' },
        controls: { type: 'string' },
        'handle-every': { type: 'string' },
        duration: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string', default: '1' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    usage((err as Error).message.split('\n')[0]!);
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
  const seed = intList('seed', String(values.seed), 0)[0]!;
  return { plan, seed };
}

async function main(): Promise<number> {
  const { plan, seed } = parsePlan(process.argv.slice(2));
  const runs = plannedRuns(plan, seed);
  const base = uniqueRunDir(join(PROJECT_ROOT, 'reports/runs'), newRunId(`calibration-${plan.mode}`));
  const heapFloor = getScenario('calibration').thresholds.heapUsed ?? 32;
  const started = new Date();
  process.stderr.write(
    `bench:calibrate (${plan.mode}): ${runs.length} runs of ${plan.durationMs / 1000} s load, estimated ${Math.round(estimatedMs(plan) / 60_000)} min; run folders under ${base}\n`,
  );
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(interruptReason(signal));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const results: CalibrationRun[] = [];
  for (const [i, planned] of runs.entries()) {
    if (controller.signal.aborted) break;
    const t0 = performance.now();
    const runDir = join(base, `${String(i + 1).padStart(2, '0')}-${planned.truth.kind === 'control' ? 'control' : planned.truth.kind === 'bytes' ? `${planned.truth.bytesPerRequest}B` : `fd-per-${planned.truth.every}`}`);
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
    const run: CalibrationRun = {
      truth: planned.truth,
      seed: planned.seed,
      runDir,
      outcome: r.outcome.status,
      requests: r.requestsCompleted,
      wallMs: Math.round(performance.now() - t0),
      detection,
      preloadInvisible: preloadInvisible(runDir),
    };
    results.push(run);
    const found = detection?.requestsToDetection != null ? ` at ${detection.requestsToDetection} requests (${Math.round(detection.msToDetection! / 1000)} s)` : '';
    process.stderr.write(
      `[${i + 1}/${runs.length}] ${truthLabel(planned.truth).padEnd(22)} ${r.outcome.status !== 'completed' ? `run ${r.outcome.status}; ` : ''}${detection?.status ?? 'no verdict'}` +
        `${detection && detection.leaking.length > 0 ? ` (${detection.leaking.join(', ')})` : ''}${found}; ${r.requestsCompleted} requests, ${Math.round(run.wallMs / 1000)} s${run.preloadInvisible ? '' : '; PRELOAD VISIBLE IN run.json'}\n`,
    );
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  const summary = summarise(results, heapFloor);
  const wallMs = Date.now() - started.getTime();
  const text = formatSummary(summary, heapFloor);
  process.stdout.write(`\nbench:calibrate (${plan.mode}): ${results.length}/${runs.length} runs in ${Math.round(wallMs / 60_000)} min, ${plan.durationMs / 1000} s of load each\n\n${text}\n`);
  const invisible = results.every((r) => r.preloadInvisible);
  process.stdout.write(`preload invisible to run.json and the verdict's inputs in every run: ${invisible ? 'yes' : 'NO'}\n`);
  const outDir = join(PROJECT_ROOT, 'reports/calibration');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${newRunId(plan.mode)}.json`);
  writeFileSync(file, JSON.stringify({ mode: plan.mode, plan, seed, startedAt: started.toISOString(), wallMs, heapFloor, summary, runs: results, node: process.version }, null, 2) + '\n');
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
