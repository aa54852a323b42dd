// `npm run soak -- calibrate [--quick] [options]` (and `npm run bench:calibrate`,
// a thin wrapper): the harness's own accuracy on leaks of known size.

import { exitForSignal, usageError } from '../errors.ts';
import { calibrate, calibrationFigures, type CalibrateOptions, FULL_PLAN, QUICK_PLAN, type CalibrationPlan, SOAK_FLAGS } from '../index.ts';
import { estimatedMs, planMode } from '../calibrate/plan.ts';
import { formatSummary, formatSummaryMarkdown } from '../calibrate/summary.ts';
import type { FlagSpecs, FlagValues } from '../../shared/cli/flags.ts';
import type { Command } from './command.ts';

export const CALIBRATE_FLAGS = {
  quick: { type: 'boolean', help: 'the 30-minute plan: 90 s runs, 16/64/256/1024 B ×2, one fd run, 4 controls' },
  sizes: { type: 'int-list', min: 1, max: 1_048_576, arg: 'B,B', help: 'bytes retained per request, one class each' },
  reps: { type: 'int', min: 1, max: 100, arg: 'N', help: 'runs per size' },
  controls: { type: 'int', min: 0, max: 100, arg: 'N', help: 'control runs (nothing injected)' },
  'handle-every': { type: 'int-list', min: 0, max: 10_000_000, arg: 'K,K', help: 'one fd leaked per K requests, one class per K (0: none)' },
  duration: { type: 'duration', min: 30_000, max: SOAK_FLAGS.duration.max, arg: 'time', help: 'load time per run' },
  rate: SOAK_FLAGS.rate,
  seed: { type: 'int', min: 0, max: 2 ** 32 - 1, default: 1, arg: 'N', help: 'seed of the plan order and of each run' },
  resume: { type: 'string', nonEmpty: true, arg: 'dir', help: "carry on with the runs this calibration folder's ledger has not finished" },
  out: { type: 'string', nonEmpty: true, arg: 'dir', help: "a new calibration's folder (ledger and run folders)" },
  summary: { type: 'string', nonEmpty: true, arg: 'dir', help: "print the figures of this calibration folder's finished runs and exit; runs nothing, writes nothing (safe while a chunk runs)" },
  markdown: { type: 'boolean', help: 'with --summary: the figures as the Markdown tables the README quotes' },
  budget: { type: 'duration', min: 1_000, max: SOAK_FLAGS.duration.max, arg: 'time', help: 'start a run only if it ends inside this budget', rangeNote: "a time limit for this chunk's runs; a growth budget like 50MB/day is the soak's --budget" },
  'until-verdict': { type: 'boolean', help: "each run judged at every checkpoint and stopped as soon as a LEAK is certain (soak's --until-verdict): requests to detection become the sequential rule's; controls still run their full duration" },
  floor: { type: 'string', choices: ['fixed', 'adaptive'], arg: 'mode', help: "soak's --floor for every run: adaptive judges each with the heap floor its judged requests certify (harness/verdict/certify.ts), so the matrix measures that floor; fixed (default) the scenario's δ 32" },
  help: SOAK_FLAGS.help,
} as const satisfies FlagSpecs;

const PLAN_FLAGS = ['quick', 'sizes', 'reps', 'controls', 'handle-every', 'duration', 'rate', 'seed', 'until-verdict', 'floor'] as const;

/** Flag values → CalibrateOptions; `--resume` refuses flags that would change the ledger's plan. */
export function calibrateOptionsFrom(values: FlagValues<typeof CALIBRATE_FLAGS>, given: ReadonlySet<string>): CalibrateOptions {
  const budgetMs = values.budget ?? null;
  if (values.resume !== undefined) {
    // The ledger holds the plan: a flag that would change it mid-calibration is refused, not ignored.
    const clash = [...PLAN_FLAGS, 'out' as const].filter((f) => given.has(f));
    if (clash.length > 0) throw usageError(`--resume takes the plan from the calibration's ledger; drop ${clash.map((f) => `--${f}`).join(', ')}`);
    return { resume: values.resume, budgetMs };
  }
  const base = values.quick ? QUICK_PLAN : FULL_PLAN;
  const plan: CalibrationPlan = { ...base, sizes: [...base.sizes], handleEvery: [...base.handleEvery] };
  if (values.sizes !== undefined) plan.sizes = values.sizes;
  if (values.reps !== undefined) plan.reps = values.reps;
  if (values.controls !== undefined) plan.controls = values.controls;
  if (values['handle-every'] !== undefined) plan.handleEvery = values['handle-every'].filter((k) => k !== 0);
  if (values.duration !== undefined) plan.durationMs = values.duration;
  if (values.rate !== undefined) plan.rate = values.rate;
  if (values['until-verdict']) plan.untilVerdict = true;
  if (values.floor === 'adaptive') plan.floor = 'adaptive';
  plan.mode = planMode(plan);
  return { plan, seed: values.seed, ...(values.out !== undefined ? { out: values.out } : {}), budgetMs };
}

/** `--summary DIR [--markdown]`: a ledger's figures as they stand; every flag but --markdown is refused. */
function printSummary(dir: string, markdown: boolean, given: ReadonlySet<string>, out: NodeJS.WritableStream): number {
  const clash = [...given].filter((f) => f !== 'summary' && f !== 'markdown');
  if (clash.length > 0) throw usageError(`--summary reads a calibration folder and runs nothing; drop ${clash.map((f) => `--${f}`).join(', ')}`);
  const f = calibrationFigures(dir);
  const state = `${f.runs.length}/${f.planned} runs${f.complete ? '' : ' (partial)'}${f.running ? '; a calibration is running on this ledger now' : ''}`;
  const head = `calibration (${f.header.plan.mode}) in ${f.dir}: ${state}, ${f.header.plan.durationMs / 1000} s of load each; started ${f.header.startedAt}, Node ${f.header.node}`;
  out.write(
    markdown
      ? `<!-- ${head} -->\n\n${formatSummaryMarkdown(f.summary, f.heapFloor)}\n`
      : `${head}\n\n${formatSummary(f.summary, f.heapFloor)}\npreload invisible to run.json and the verdict's inputs in every run: ${f.preloadInvisible ? 'yes' : 'NO'}\n`,
  );
  return 0;
}

/** `name` prefixes every line; `invoke` is how a user calls it again (`npm run soak -- calibrate`), for the resume hint. */
export function makeCalibrateCommand(name: string, usage: string, invoke: string): Command<typeof CALIBRATE_FLAGS> {
  return {
    name,
    usage,
    about: [
      'Runs of the `calibration` scenario against the reference relay with a ground-truth leak preloaded',
      '(B bytes of heap per request, or one fd per K requests) and control runs with nothing injected;',
      'each judged exactly as `npm run soak` judges it. Prints a confusion matrix, precision, recall and',
      'requests to detection; writes reports/calibration/<stamp>-<mode>.json.',
      `Full plan: ${FULL_PLAN.durationMs / 60_000}-minute runs, ${FULL_PLAN.sizes[0]}…${FULL_PLAN.sizes.at(-1)} B/request ×${FULL_PLAN.reps}, fd per ${FULL_PLAN.handleEvery.map((k) => k.toLocaleString('en-US').replace(',', ' ')).join(' / ')} ×${FULL_PLAN.handleReps}, ${FULL_PLAN.controls} controls (≈ ${(estimatedMs(FULL_PLAN) / 3_600_000).toFixed(1)} h, in chunks:`,
      'every finished run is appended to the folder\'s ledger; --budget and --resume spread it over jobs).',
    ],
    flags: CALIBRATE_FLAGS,
    exitCodes: [
      '0 every planned run done, or the budget reached (the resume command is printed);',
      '1 the preload became visible to run.json in some run; 2 bad flags, an unreadable ledger, or a ledger another calibration is running on (nothing started);',
      '3 the calibration itself failed; 129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM) (finished runs stay in the ledger).',
    ],
    async run({ values, given, io, signal }) {
      if (values.summary !== undefined) return printSummary(values.summary, values.markdown === true, given, io.stdout);
      if (values.markdown) throw usageError('--markdown: goes with --summary DIR (the figures of a calibration folder)');
      const options = calibrateOptionsFrom(values, given);
      const prefix = { write: (text: string) => io.stderr.write(`${name}: ${text}`) } as unknown as NodeJS.WritableStream;
      const r = await calibrate({ ...options, signal, progress: prefix });
      const mode = r.header.plan.mode;
      io.stdout.write(
        `\n${name} (${mode}): ${r.runs.length}/${r.planned} runs (${r.ranNow} in this invocation, ${Math.round(r.wallMs / 60_000)} min), ${r.header.plan.durationMs / 1000} s of load each; Node ${r.header.node}\n\n${r.text}\n`,
      );
      io.stdout.write(`preload invisible to run.json and the verdict's inputs in every run: ${r.preloadInvisible ? 'yes' : 'NO'}\n`);
      if (!r.complete) {
        io.stdout.write(
          `partial: ${r.planned - r.runs.length} planned run(s) not done${r.budgetReached ? ' (budget reached)' : ''}; the figures above cover the finished ones. Carry on with: ${invoke} --resume ${r.dir}\n`,
        );
      }
      io.stdout.write(`results: ${r.resultsFile}\n`);
      if (r.interrupted) return exitForSignal((signal.reason as Error | undefined)?.message);
      return r.preloadInvisible ? 0 : 1;
    },
  };
}

export const calibrateCommand = makeCalibrateCommand(
  'soak calibrate',
  'npm run soak -- calibrate [--quick] [--sizes 64,256] [--reps N] [--controls N] [--handle-every K] [--duration 10m] [--rate N] [--seed N] [--until-verdict] [--floor adaptive] [--out DIR] [--budget 80m] | --resume DIR [--budget 80m] | --summary DIR [--markdown]',
  'npm run soak -- calibrate',
);
