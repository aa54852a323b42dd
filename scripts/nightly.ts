// `npm run nightly -- [--only a,b] [--budget 30m] [--soak] [--calibrate] [--out DIR]`:
// the nightly workflow's matrix (.github/workflows/nightly-soak.yml) run on one
// machine, one job after another inside a wall-time budget, then the same
// `merge` the workflow's last job runs, so a night can be reproduced (or run
// on a CI that has no matrix) with one command. A zx script: each job is the
// npm script a user would type, its output streamed and kept in logs/.
//
// Jobs, in order, each started only if its estimate fits what the budget
// leaves (what does not fit is skipped and said):
//   1. one proof per variant: `npm run soak -- prove <v> --junit <out>/junit/<v>.xml --out <out>/prove-<v>`
//   2. --soak: the fixed relay, `mixed`, --accounts 5000, for the time left (half of it with --calibrate)
//   3. --calibrate: a chunk of the calibration resumed from its ledger (kept between nights)
//   4. `npm run soak -- merge <job folders> --out <out>/merged`: one index over every job
//
// Exit codes: 0 every job that ran held, 1 one did not (a proof failed or was
// inconclusive, the soak found a LEAK or could not complete, the calibration
// bench failed, or no index could be written), 2 usage error (nothing
// started), 3 nothing could be judged (every job skipped by the budget or none
// produced a verdict), 129/130/143 interrupted (the running job is stopped
// first, as Ctrl-C stops it: its folder is kept).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join, resolve } from 'node:path';
import { $, type ProcessPromise } from 'zx';
import { HELP_FLAG, type FlagSpecs, type FlagValues } from '../shared/cli/flags.ts';
import { durationFromText, durationText } from '../shared/duration.ts';
import { resolveVariants } from '../harness/prove/options.ts';
import { interruptOf, runCommand, runMain, throwIfInterrupted, type Command, type CommandIo } from '../harness/cli/command.ts';
import { exitForSignal, interruptSignalOf, usageError } from '../harness/errors.ts';

/**
 * Wall-time estimates a job must fit in before it starts (measured, 2 shared
 * cores, Node 24.21, README "Proving fixes" and "Calibration"): one proof 3 min
 * 40 s – 4 min 33 s; a calibration run 10 min of load. A soak's wall is its
 * load time plus its checkpoints (a drain and two GCs each) and its report.
 */
export const ESTIMATE = {
  proofMs: 5 * 60_000,
  soakWallFactor: 1.15,
  soakSetupMs: 60_000,
  /** `mixed` at its default: shorter soaks cannot judge 50 000 requests after warm-up. */
  soakMinLoadMs: 5 * 60_000,
  calibrationRunMs: 11 * 60_000,
  /** Kept back for the merge and index at the end. */
  mergeMs: 60_000,
} as const;

/** After SIGINT is forwarded, how long the job may take to stop its children and write its folder. */
const STOP_GRACE_MS = 120_000;

const state = (): string => process.env.SOAK_NIGHTLY_STATE ?? 'reports/nightly';

export const NIGHTLY_FLAGS = {
  only: { type: 'string', nonEmpty: true, arg: 'a,b', help: 'catalog variants to prove, comma-separated (default: all)' },
  budget: { type: 'duration', min: 60_000, max: 7 * 24 * 3_600_000, default: 5 * 3_600_000, arg: 'time', help: 'total wall time; a job starts only if its estimate fits what is left' },
  soak: { type: 'boolean', help: 'after the proofs, soak the fixed relay (mixed, --accounts) for the time left' },
  'soak-duration': { type: 'duration', min: ESTIMATE.soakMinLoadMs, max: 7 * 24 * 3_600_000, arg: 'time', help: "the soak's load time at most (default: what the budget leaves, half of it with --calibrate)" },
  accounts: { type: 'int', min: 1, max: 1_000_000, default: 5000, arg: 'N', help: "accounts in the soak's relay pool" },
  calibrate: { type: 'boolean', help: 'then a chunk of the calibration, resumed from --ledger, within the time left' },
  ledger: { type: 'string', nonEmpty: true, arg: 'dir', help: "the calibration's ledger folder, kept between nights (default $SOAK_NIGHTLY_STATE/calibration, reports/nightly/calibration)" },
  baseline: { type: 'string', nonEmpty: true, arg: 'dir', help: "a previous night's merged folder (or a run folder): each run is held to its newest run of the same scenario+variant there" },
  out: { type: 'string', nonEmpty: true, arg: 'dir', help: "this night's folder (default $SOAK_NIGHTLY_STATE/<stamp>, reports/nightly/<stamp>)" },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

type Values = FlagValues<typeof NIGHTLY_FLAGS>;

export type JobStatus = 'held' | 'failed' | 'not-judged' | 'skipped';
export interface JobResult {
  name: string;
  status: JobStatus;
  /** The job's exit code (null: skipped). */
  exit: number | null;
  wallMs: number;
  note: string;
}

export type JobKind = 'prove' | 'soak' | 'calibrate' | 'merge';

/** A job's exit code → what it says. prove: 0 held, 1 failed/inconclusive/incomplete; soak: 0 no LEAK, 1 LEAK, 3/4 no verdict. */
export function statusOf(kind: JobKind, exit: number): JobStatus {
  if (exit === 0) return 'held';
  if (kind === 'merge') return exit === 1 ? 'failed' : 'not-judged';
  if (kind === 'calibrate') return 'failed';
  if (exit === 1) return 'failed';
  return kind === 'soak' && (exit === 3 || exit === 4) ? 'failed' : 'not-judged';
}

/** What the merge said: an index with no regression, an index with one, no index, or nothing to merge. */
export type MergeOutcome = 'clean' | 'regressed' | 'failed' | 'none';

/** The night's exit code from its jobs (not the merge's own entry) and the merge. */
export function nightlyExit(jobs: readonly JobResult[], merge: MergeOutcome): 0 | 1 | 3 {
  const ran = jobs.filter((j) => j.status !== 'skipped' && j.name !== 'merge');
  if (!ran.some((j) => j.status === 'held' || j.status === 'failed')) return 3;
  if (ran.some((j) => j.status !== 'held') || merge !== 'clean') return 1;
  return 0;
}

/** The plan, checked before anything starts (unknown variant → usage error naming it). */
export function nightlyPlan(values: Values, now = new Date()) {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return {
    variants: resolveVariants(values.only ?? 'all', '--only'),
    out: resolve(values.out ?? join(state(), stamp)),
    ledger: resolve(values.ledger ?? join(state(), 'calibration')),
    calibrationCapMs: calibrationCap(process.env.SOAK_CALIBRATION_BUDGET),
    baseline: values.baseline !== undefined ? resolve(values.baseline) : null,
  };
}

/** SOAK_CALIBRATION_BUDGET (`4h`): the calibration chunk's cap; a malformed value is a usage error naming it. */
export function calibrationCap(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return Infinity;
  const ms = durationFromText(text);
  if (ms === null || ms <= 0) throw usageError(`SOAK_CALIBRATION_BUDGET: expected a duration like 90m or 4h, got ${JSON.stringify(text)}`);
  return ms;
}

/** Runs one npm command, streaming its output (stdout also kept in `log`); SIGINT/SIGTERM/SIGHUP are forwarded to it. */
async function runJob(args: readonly string[], log: string, signal: AbortSignal, io: CommandIo, env: NodeJS.ProcessEnv): Promise<{ exit: number; stdout: string }> {
  const p: ProcessPromise = $({ nothrow: true, quiet: true, verbose: false, stdio: ['ignore', 'pipe', 'inherit'], env })`npm run --silent ${args}`;
  const chunks: string[] = [];
  p.stdout.on('data', (d: Buffer) => {
    chunks.push(d.toString());
    io.stdout.write(d);
  });
  // zx runs the command through `bash -c`, which execs it: p.child is npm, which
  // forwards the signal to the harness (`exec node`); the harness stops its own
  // children (each in its own process group) in order. Only the direct child is
  // signalled, as a terminal's Ctrl-C would: a tree kill would stop the relay
  // under the harness before it could.
  let force: NodeJS.Timeout | undefined;
  const onAbort = () => {
    const sig = interruptSignalOf((signal.reason as Error | undefined)?.message);
    p.child?.kill(sig);
    // A job that does not stop within the grace is killed with everything under it (its folder is kept).
    force = setTimeout(() => void p.kill('SIGKILL'), STOP_GRACE_MS);
    force.unref();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const out = await p;
  signal.removeEventListener('abort', onAbort);
  clearTimeout(force);
  const stdout = chunks.join('');
  writeFileSync(log, stdout);
  // Killed by a signal (no exit code): 128 + its number, as a shell reports it.
  return { exit: out.exitCode ?? 128 + (out.signal !== null ? (osConstants.signals[out.signal] ?? 9) : 9), stdout };
}

/** A wall time as the README prints one: `48 s`, `4 min 33 s`, `1 h 05 min`. */
export function wallText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** `index: <file>` from merge's or index's stdout. */
export function indexFileOf(stdout: string): string | null {
  const m = /^index: (.+?)(?: \(\d+ runs?\))?$/m.exec(stdout);
  return m ? m[1]!.trim() : null;
}

async function runNightly(values: Values, signal: AbortSignal, io: CommandIo): Promise<number> {
  const plan = nightlyPlan(values);
  const started = Date.now();
  const deadline = started + values.budget;
  const left = () => deadline - Date.now() - ESTIMATE.mergeMs;
  const junitDir = join(plan.out, 'junit');
  const logs = join(plan.out, 'logs');
  mkdirSync(junitDir, { recursive: true });
  mkdirSync(logs, { recursive: true });
  const say = (line: string) => io.stdout.write(`nightly: ${line}\n`);
  // Every job's --junit also appends its Markdown verdict table to $GITHUB_STEP_SUMMARY (harness/output/step-summary.ts):
  // on GitHub the job summary, here the night's summary.md.
  const summaryFile = process.env.GITHUB_STEP_SUMMARY ?? join(plan.out, 'summary.md');
  const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_STEP_SUMMARY: summaryFile };
  say(`${plan.variants.length} proof(s)${values.soak ? ', a soak' : ''}${values.calibrate ? ', a calibration chunk' : ''} within ${wallText(values.budget)}; folder ${plan.out}`);

  const jobs: JobResult[] = [];
  const folders: string[] = [];
  const skip = (name: string, need: number) => {
    jobs.push({ name, status: 'skipped', exit: null, wallMs: 0, note: `needs ≈ ${wallText(need)}, ${wallText(Math.max(0, left()))} left` });
    say(`skipped ${name}: needs ≈ ${wallText(need)}, the budget leaves ${wallText(Math.max(0, left()))}`);
  };
  const run = async (name: string, kind: JobKind, args: string[]) => {
    throwIfInterrupted(signal);
    say(`${name}: npm run ${args.join(' ')}`);
    const t0 = Date.now();
    const r = await runJob(args, join(logs, `${name}.txt`), signal, io, env);
    const job: JobResult = { name, status: statusOf(kind, r.exit), exit: r.exit, wallMs: Date.now() - t0, note: '' };
    jobs.push(job);
    say(`${name}: exit ${r.exit} (${job.status}) in ${wallText(job.wallMs)}`);
    if (signal.aborted) throw interruptOf(signal);
    return { ...job, stdout: r.stdout };
  };

  let indexFile: string | null = null;
  const writeSummary = (exit: number) =>
    writeFileSync(join(plan.out, 'nightly.json'), JSON.stringify({ startedAt: new Date(started).toISOString(), wallMs: Date.now() - started, budgetMs: values.budget, exit, index: indexFile, jobs }, null, 2) + '\n');
  let merge: MergeOutcome = 'none';
  try {
    // 1. Proofs: the estimate grows to the longest proof seen this night.
    let proofEstimate: number = ESTIMATE.proofMs;
    for (const v of plan.variants) {
      const name = `prove-${v}`;
      if (left() < proofEstimate) {
        skip(name, proofEstimate);
        continue;
      }
      const dir = join(plan.out, name);
      const job = await run(name, 'prove', ['soak', '--', 'prove', v, '--junit', join(junitDir, `${v}.xml`), '--out', dir]);
      proofEstimate = Math.max(proofEstimate, job.wallMs);
      if (existsSync(dir)) folders.push(dir);
    }

    // 2. The long soak of the fixed relay: the time left (half of it when a calibration chunk follows).
    if (values.soak) {
      const share = values.calibrate ? 0.5 : 1;
      const fits = Math.floor(((left() * share - ESTIMATE.soakSetupMs) / ESTIMATE.soakWallFactor) / 1000) * 1000;
      const load = Math.min(values['soak-duration'] ?? Infinity, fits);
      if (load < ESTIMATE.soakMinLoadMs) skip('soak-mixed', ESTIMATE.soakMinLoadMs * ESTIMATE.soakWallFactor + ESTIMATE.soakSetupMs);
      else {
        const dir = join(plan.out, 'soak-mixed');
        await run('soak-mixed', 'soak', ['soak', '--', '--scenario', 'mixed', '--accounts', String(values.accounts), '--duration', durationText(load), '--junit', join(junitDir, 'soak-mixed.xml'), '--out', dir]);
        if (existsSync(dir)) folders.push(dir);
      }
    }

    // 3. A calibration chunk: the bench starts a run only if it ends inside its budget.
    if (values.calibrate) {
      const budget = Math.floor(Math.min(left(), plan.calibrationCapMs) / 1000) * 1000;
      if (budget < ESTIMATE.calibrationRunMs) skip('calibration', ESTIMATE.calibrationRunMs);
      else {
        const where = existsSync(join(plan.ledger, 'calibration.json')) ? ['--resume', plan.ledger] : ['--out', plan.ledger];
        await run('calibration', 'calibrate', ['bench:calibrate', '--', '--budget', durationText(budget), ...where]);
      }
    }

    // 4. One index over every job's folder, each run held to its baseline (merge: 0 clean, 1 a regression, 2 bad input).
    if (folders.length > 0) {
      const merged = join(plan.out, 'merged');
      const args = ['soak', '--', 'merge', ...folders, '--out', merged, '--junit', join(junitDir, 'merge.xml'), ...(plan.baseline !== null ? ['--baseline', plan.baseline] : [])];
      const r = await run('merge', 'merge', args);
      merge = r.exit === 0 ? 'clean' : r.exit === 1 ? 'regressed' : 'failed';
      if (merge !== 'failed') indexFile = indexFileOf(r.stdout) ?? join(merged, 'index.html');
      if (merge === 'regressed') say('merge: a run or proof regressed against its baseline (see the index)');
    }
  } catch (err) {
    // Interrupted: what ran so far is still recorded.
    if (signal.aborted) writeSummary(exitForSignal(interruptSignalOf((signal.reason as Error | undefined)?.message)));
    throw err;
  }

  const code = nightlyExit(jobs, merge);
  writeSummary(code);
  io.stdout.write('\n');
  for (const j of jobs) io.stdout.write(`  ${j.status.padEnd(10)} ${j.name}${j.exit !== null ? ` (exit ${j.exit}, ${wallText(j.wallMs)})` : ` (${j.note})`}\n`);
  say(`${jobs.filter((j) => j.status === 'held').length}/${jobs.length} held in ${wallText(Date.now() - started)}; junit in ${junitDir}`);
  if (existsSync(summaryFile)) say(`summary: ${summaryFile}`);
  say(indexFile !== null ? `index: ${indexFile}` : 'no index written');
  say(`exit ${code}`);
  return code;
}

export const nightlyCommand: Command<typeof NIGHTLY_FLAGS> = {
  name: 'nightly',
  usage: 'npm run nightly -- [--only a,b] [--budget 30m] [--soak] [--calibrate] [--out DIR]',
  about: [
    "The nightly workflow's jobs on this machine, one after another within --budget: a proof per",
    'variant (each with --junit), then with --soak a soak of the fixed relay for the time left, then',
    'with --calibrate a chunk of the calibration resumed from its ledger; then one merged index.',
    `A job starts only if its estimate fits (a proof ≈ ${durationText(ESTIMATE.proofMs)}, or the longest seen tonight); the rest is skipped and said.`,
    'Env: SOAK_NIGHTLY_STATE is the default parent of --out and --ledger (default reports/nightly);',
    "SOAK_CALIBRATION_BUDGET caps the calibration chunk (the old .ci/nightly's knob; default: what is left).",
  ],
  flags: NIGHTLY_FLAGS,
  examples: ['npm run nightly -- --only error-body,inflight-map --budget 20m', 'npm run nightly -- --budget 6h --soak --calibrate'],
  exitCodes: [
    '0 every job that ran held, 1 one did not (a proof failed or was inconclusive, the soak found',
    '  a LEAK or could not complete, the calibration failed, or no index was written), 2 usage error',
    '  (nothing started), 3 nothing could be judged (every job skipped by the budget, or none gave a',
    '  verdict), 129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM: the running job is stopped, its folder kept).',
  ],
  run({ values, io, signal }) {
    return runNightly(values, signal, io);
  },
};

if (import.meta.main) runMain(() => runCommand(nightlyCommand, process.argv.slice(2)), 'nightly');
