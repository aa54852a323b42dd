// runSoak: one soak run, end to end. Starts the fake upstream and the target
// as children (targets.ts), drives the scenario's phases segment by segment
// (drive.ts), samples the target continuously (sampling.ts) and at drained
// post-GC checkpoints (checkpoint.ts), writes everything to the run folder as
// it goes, and always cleans up: no orphan child, no bound port, whatever ends
// the run (completion, target crash, SIGINT, an exception).

import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT, exitForSignal, SoakError, usageError } from '../errors.ts';
import { judgeRun, judgeOptionsFor } from '../judge/index.ts';
import { readRun } from '../run/read-run.ts';
import { DEFAULT_SEQUENTIAL_ALPHA, judgeSequentialRun } from '../verdict/index.ts';
import { validateLeakNames } from './options.ts';
import { ProgressReporter } from '../progress.ts';
import type { RunOutcome } from '../records.ts';
import { RECORD_VERSION } from '../records.ts';
import type { Child } from '../run/child.ts';
import { gitSha, harnessInfo, machineInfo, type RunMeta } from '../run/meta.ts';
import { createRunFolder, newRunId, RUN_FILES, uniqueRunDir, type RunFolder } from '../run/run-folder.ts';
import { getScenario, resolveScenario, type ResolvedScenario } from '../../scenarios/index.ts';
import type { RunContext, RunEventType, RunState } from './context.ts';
import { drive, plannedCheckpointTimes } from './drive.ts';
import { budgetOf, validateSoakOptions, type SoakOptions, type SoakResult, type TargetSpec } from './options.ts';
import { PROJECT_ROOT } from './paths.ts';
import { runSampler } from './sampling.ts';
import { startTargets, Targets } from './targets.ts';
import { checkProfileFits, resolveTargetProfile, type TargetProfile } from './target-profile.ts';
import { checkTargetConfigs, parseTargetConfig, secretEnvValues, type TargetConfigFile } from './target-config.ts';
import { commandSecrets } from './run-secrets.ts';
import { resolveRunClient } from './run-client.ts';
import type { ResolvedClient } from '../load/index.ts';
import { redactText } from '../../shared/redact.ts';
import { finishAttribution, runAttributionTail, type TailDraft } from './attribution-tail.ts';
import type { AttributionTrigger } from '../attribute/record.ts';
import { attributionLines, attributionSummary } from '../attribute/format.ts';
import { findClinic, profilePlan, type ProfilePlan } from '../profile/plan.ts';
import { profileFiles, profiledLine } from '../profile/files.ts';

/**
 * Run one soak. Throws SoakError (exit 2) for bad input before anything is
 * started; every other ending is reported in the result's outcome.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakResult> {
  validateSoakOptions(options);
  const leaks = validateLeakNames(options.leaks ?? []);
  const resolved = resolveScenarioOption(options);
  checkCheckpointSpacing(resolved, options);
  const target: TargetSpec = options.target ?? { kind: 'relay' };
  if (leaks.length > 0 && target.kind !== 'relay') {
    throw usageError('--leak: leak variants exist only in the reference relay; drop --target-cmd/--target-pid or --leak');
  }
  const runId = newRunId(resolved.name);
  const runDir = options.out ? resolve(options.out) : uniqueRunDir(join(PROJECT_ROOT, 'reports/runs'), runId);
  // The target's routes and its config files: refused (exit 2) before anything starts.
  const profile = resolveTargetProfile(options.targetProfile, target.kind);
  checkProfileFits(resolved, profile);
  const configFiles = (options.targetConfigs ?? []).map(parseTargetConfig);
  const targetConfig = { files: configFiles, templates: checkTargetConfigs(configFiles, runDir) };
  if (target.kind === 'cmd' && !target.command.includes('{port}') && !targetConfig.templates.some((t) => t.includes('{port}'))) {
    throw usageError('--target-cmd: no {port} in the command nor in a --target-config template: the harness picks a free port and waits for the target to listen on it');
  }
  // How the load talks to the target (--header, --auth, --client-keys-file, --api, --model): refused (exit 2) before anything starts.
  const client = resolveRunClient(options, target);
  // --profile: refused (exit 2) for a target the harness does not start.
  const profilePlanned = options.profile === undefined ? null : profilePlan(options.profile, target.kind, runDir, findClinic(PROJECT_ROOT));
  // Everything written as text is redacted with the run's own keys, known once the targets start.
  let run: SoakRun | undefined;
  const folder = createRunFolder(runDir, { secrets: () => run?.secrets() ?? [] });
  run = new SoakRun(options, resolved, leaks, target, runId, folder, { profile, targetConfig, client, profiler: profilePlanned });
  return run.run();
}

/** Closer than this, a checkpoint's drain (≈ 0.5 s on the reference relay, up to the drain cap) is most of the load between two. */
const MIN_CHECKPOINT_SPACING_MS = 1_000;

/** --checkpoints: refused (exit 2) when it would put checkpoints less than a second apart. */
function checkCheckpointSpacing(resolved: ResolvedScenario, options: SoakOptions): void {
  if (options.minCheckpoints === undefined) return;
  const count = plannedCheckpointTimes(resolved, options).length;
  const spacing = resolved.durationMs / count;
  if (spacing < MIN_CHECKPOINT_SPACING_MS) {
    // Built-in scenarios refuse runs under 9 s already, so `most` is at least 9 there.
    const most = Math.max(4, Math.floor(resolved.durationMs / MIN_CHECKPOINT_SPACING_MS));
    throw usageError(
      `--checkpoints: ${options.minCheckpoints} over ${resolved.durationMs / 1000} s of load would be ${Math.round(spacing)} ms apart; at most ${most} (one per second: each checkpoint drains the load first), or a longer --duration`,
    );
  }
}

function resolveScenarioOption(options: SoakOptions): ResolvedScenario {
  try {
    return resolveScenario(getScenario(options.scenario ?? 'mixed'), {
      durationMs: options.durationMs,
      rate: options.rate,
      connections: options.connections,
      accounts: options.accounts,
      seed: options.seed,
    });
  } catch (err) {
    // ScenarioError messages already name the flag or field (`--scenario: unknown …`, `phases[1]: …`).
    const message = (err as Error).message;
    throw usageError(message.startsWith('--') ? message : `--scenario ${options.scenario ?? 'mixed'}: ${message}`);
  }
}

/** run.json as written at the start; the target's details and the outcome are filled in later. */
function initialMeta(scenario: ResolvedScenario, leaks: string[], target: TargetSpec, runId: string): RunMeta {
  return {
    recordVersion: RECORD_VERSION,
    runId,
    scenario: scenario.name,
    resolved: scenario,
    seed: scenario.seed,
    accounts: scenario.accounts,
    durationMs: scenario.durationMs,
    leaks,
    faultPlans: Object.fromEntries(scenario.phases.map((p) => [p.name, p.faults ?? { rules: [] }])),
    target: { kind: target.kind, command: null, pid: null, url: null, nodeVersion: null, execArgv: null, heapSizeLimit: null },
    harness: harnessInfo(),
    gitSha: gitSha(PROJECT_ROOT),
    machine: machineInfo(),
    startedAt: new Date().toISOString(),
    endedAt: null,
    outcome: null,
  };
}

/** One run: the context the parts share (RunContext), and what ends it. */
class SoakRun implements RunContext {
  readonly options: SoakOptions;
  readonly scenario: ResolvedScenario;
  readonly target: TargetSpec;
  readonly leaks: string[];
  readonly meta: RunMeta;
  readonly folder: RunFolder;
  readonly progress: ProgressReporter | null;
  readonly state: RunState = { phaseName: 'start', load: null, nextCheckpointMs: 0, loadElapsedMs: 0, segment: null, samplesWritten: 0, checkpointsWritten: 0 };
  private readonly internal = new AbortController();
  readonly signal = this.internal.signal;
  private readonly t0 = performance.now();
  private readonly targets: Targets;
  /** Set when a child exits during the run: it then decides the outcome, whatever error it caused. */
  private crash: RunOutcome | null = null;
  /** Set once the run is ending: children exiting from then on are being stopped, not crashing. */
  private stopping = false;
  /** Set by stopRun: the run was stopped on purpose with this failure. */
  private stopReason: SoakError | null = null;
  /** The attribution tail's findings while the target ran; finished (diffed) after it stopped. */
  private tail: TailDraft | null = null;

  readonly client: ResolvedClient;
  readonly profile: TargetProfile;
  readonly profiler: ProfilePlan | null;
  readonly targetConfig: { files: readonly TargetConfigFile[]; templates: readonly string[] };

  constructor(
    options: SoakOptions,
    scenario: ResolvedScenario,
    leaks: string[],
    target: TargetSpec,
    runId: string,
    folder: RunFolder,
    setup: { profile: TargetProfile; targetConfig: { files: readonly TargetConfigFile[]; templates: readonly string[] }; client: ResolvedClient; profiler: ProfilePlan | null },
  ) {
    this.options = options;
    this.profiler = setup.profiler;
    this.client = setup.client;
    this.profile = setup.profile;
    this.targetConfig = setup.targetConfig;
    this.scenario = scenario;
    this.leaks = leaks;
    this.target = target;
    this.folder = folder;
    this.targets = new Targets();
    this.meta = initialMeta(scenario, leaks, target, runId);
    const budget = budgetOf(options);
    // --until-verdict: the looks' plan is the planned checkpoints (K), recorded so a re-judge spends α the same way.
    if (options.untilVerdict) this.meta.untilVerdict = { plannedCheckpoints: plannedCheckpointTimes(scenario, options).length, alpha: DEFAULT_SEQUENTIAL_ALPHA, spending: 'pocock', ...(options.untilVerdictLooks ? { looks: options.untilVerdictLooks } : {}), stoppedEarly: null };
    if (budget) this.meta.budget = budget;
    if (options.floor === 'adaptive') this.meta.floor = 'adaptive';
    this.progress = options.progressStream ? new ProgressReporter(options.progressStream) : null;
    if (options.signal) {
      if (options.signal.aborted) this.internal.abort(options.signal.reason);
      else options.signal.addEventListener('abort', () => this.internal.abort(options.signal!.reason), { once: true });
    }
  }

  now(): number {
    return Math.round(performance.now() - this.t0);
  }

  event(type: RunEventType, message: string, data?: unknown): void {
    this.folder.event({ kind: 'event', t: this.now(), type, message, data });
    // The folder redacts what it writes; the progress line is redacted here (a target's body may echo a key).
    if (type === 'warning') this.progress?.note(redactText(message.startsWith('WARNING') ? message : `warning: ${message}`, this.secrets()));
  }

  async run(): Promise<SoakResult> {
    this.folder.writeJson(RUN_FILES.meta, this.meta);
    const p = this.profile;
    this.event('info', `target profile ${p.name}: routes ${p.routes.join(', ')}`, { targetProfile: p });
    if (this.targetConfig.files.length > 0) {
      // Paths only: the rendered files may hold keys and are never copied here.
      this.event('info', `target config: ${this.targetConfig.files.map((f) => `${f.template} → ${f.output}`).join(', ')}`, { targetConfig: this.targetConfig.files });
    }
    if (this.profiler) {
      const p = this.profiler;
      this.meta.profile = { mode: p.mode, tool: p.tool, fallback: p.fallback, files: [] };
      if (p.fallback) this.event('warning', `--profile ${p.mode}: ${p.fallback}`);
      this.event('info', `profiling the target with ${p.tool === 'clinic' ? `clinic ${p.mode}` : p.nodeFlags[0]}: outputs in profile/, written when it exits; the profiler's cost is in this run's figures`);
    }
    const outcome = await this.execute();
    if (this.meta.profile) this.meta.profile.files = profileFiles(this.folder.dir);
    // The snapshots are diffed now that the target has stopped (out of process: attribution-tail.ts).
    const attribution = this.tail ? await finishAttribution(this, this.tail) : null;
    const result: SoakResult = {
      runDir: this.folder.dir,
      outcome,
      exitCode: exitCodeFor(outcome),
      verdict: null,
      verdictText: null,
      checkpoints: this.state.checkpointsWritten,
      samples: this.state.samplesWritten,
      requestsCompleted: this.state.load?.totals().requestsCompleted ?? 0,
      ...(this.meta.profile ? { profile: this.meta.profile } : {}),
    };
    this.meta.endedAt = new Date().toISOString();
    this.meta.outcome = outcome;
    this.folder.writeJson(RUN_FILES.meta, this.meta);
    this.event('outcome', outcome.status, outcome);
    if (outcome.status !== 'interrupted' && this.state.checkpointsWritten > 0) this.judge(outcome, result);
    if (result.verdictText !== null && this.meta.profile) result.verdictText += `\n${profiledLine(this.meta.profile)}`;
    if (attribution) {
      result.attribution = attribution;
      const lines = attributionLines(attribution);
      if (result.verdictText !== null && lines.length > 0) result.verdictText += `\n${lines.join('\n')}`;
    }
    this.writeSummary(outcome, result);
    this.folder.close();
    this.progress?.finish();
    return result;
  }

  /** Start, sample and drive until the timeline ends or something stops it; always clean up. */
  private async execute(): Promise<RunOutcome> {
    let outcome: RunOutcome;
    let samplerDone: Promise<void> = Promise.resolve();
    // Ends sampling before the attribution tail: no figure the verdict reads may contain it.
    const samplerStop = new AbortController();
    try {
      await startTargets(this, this.targets, (child, role) => this.watchExit(child, role));
      samplerDone = runSampler(this, this.targets.sources!, AbortSignal.any([this.signal, samplerStop.signal]));
      await drive(this, this.targets);
      outcome = this.crash ?? { status: 'completed' };
      const trigger = outcome.status === 'completed' ? this.attributionTrigger() : null;
      if (trigger !== null) {
        samplerStop.abort();
        await samplerDone.catch(() => {});
        // From here the target may die (a snapshot's rss spike): that ends the tail, not the judged run.
        this.stopping = true;
        this.tail = await runAttributionTail(this, this.targets, trigger);
      }
    } catch (err) {
      // A target that died makes sampling fail (SOAK_ERR_TARGET_GONE, a dead probe)
      // possibly before its exit event has been seen: give the exit a moment,
      // so the outcome says "target crashed" rather than a sampling error.
      const targetChild = this.targets.targetChild;
      if (!this.crash && targetChild) await Promise.race([targetChild.exited, sleep(1_000)]);
      await sleep(0);
      outcome = this.outcomeFor(err);
    } finally {
      this.stopping = true;
      this.internal.abort(new Error('run ended'));
      await samplerDone.catch(() => {});
      await this.cleanup();
    }
    return outcome;
  }

  private outcomeFor(err: unknown): RunOutcome {
    if (this.crash) return this.crash;
    if (this.stopReason) return { status: 'failed', error: this.stopReason.message, code: this.stopReason.code };
    const reason = this.internal.signal.reason as unknown;
    if (this.internal.signal.aborted && reason instanceof Error && reason.name === 'SoakInterrupt') {
      return { status: 'interrupted', signal: reason.message };
    }
    if (err instanceof SoakError) {
      this.event('warning', err.message, err.details);
      return { status: 'failed', error: [err.message, ...err.details].join('\n'), code: err.code };
    }
    const e = err as Error;
    return { status: 'failed', error: e?.stack ?? String(err), code: 'SOAK_ERR_HARNESS' };
  }

  /**
   * Whether the attribution tail runs, and why: always in proofs and with
   * --attribute; by default only when the run as judged so far is a LEAK (the
   * folder is complete on disk: every record is written as it is taken).
   */
  private attributionTrigger(): AttributionTrigger | null {
    const mode = this.options.attribute ?? 'leak';
    if (mode === 'never') return null;
    if (mode === 'always') return this.options.attributionTrigger ?? 'asked';
    try {
      return judgeRun(this.folder.dir).verdict.status === 'LEAK' ? 'leak' : null;
    } catch {
      return null;
    }
  }

  /**
   * --until-verdict, after checkpoint `seq`: the sequential looks (harness/verdict/sequential.ts) over the folder as
   * written, with the options the final verdict will use (judge/run.ts judgeOptionsFor), so the run stops exactly
   * where its verdict says LEAK became certain. A look that cannot be judged does not stop the run (a warning).
   */
  untilVerdictStop(seq: number): boolean {
    const plan = this.meta.untilVerdict;
    if (!plan) return false;
    try {
      const data = readRun(this.folder.dir);
      const stop = judgeSequentialRun(data.checkpoints, judgeOptionsFor(data), this.scenario.name)?.stop ?? null;
      if (stop === null || stop.seq !== seq) return false;
      plan.stoppedEarly = {
        checkpoint: seq,
        requests: stop.requests,
        seconds: Math.round(stop.tMs / 100) / 10,
        loadSeconds: Math.round(this.state.loadElapsedMs / 100) / 10,
        alphaSpent: Number(stop.alphaSpent.toPrecision(3)),
        signals: [...stop.signals.filter((x) => x.certain).map((x) => x.signal), ...(stop.handles ?? []).map((t) => `handles ${t}`)],
      };
      this.folder.writeJson(RUN_FILES.meta, this.meta);
      const line = stoppedEarlyLine(plan);
      this.event('info', line, { untilVerdict: plan });
      this.progress?.note(line);
      return true;
    } catch (err) {
      this.event('warning', `--until-verdict: checkpoint ${seq} not judged: ${(err as Error).message}`);
      return false;
    }
  }

  stopRun(error: SoakError): void {
    if (this.internal.signal.aborted) return;
    this.stopReason = error;
    this.event('warning', error.message);
    this.internal.abort(error);
  }

  /** A child exiting on its own ends the run: the target's exit is a crash, the upstream's a harness failure. */
  private watchExit(child: Child, role: 'upstream' | 'target'): void {
    void child.exited.then((e) => {
      if (this.stopping) return;
      if (role === 'target') {
        this.crash = { status: 'target-crashed', exitCode: e.code, signal: e.signal, stderrTail: child.stderrTail() };
      } else {
        this.crash = { status: 'failed', code: 'SOAK_ERR_CHILD_EXITED', error: `the fake upstream exited (code ${e.code}, signal ${e.signal}): ${child.stderrTail().join(' | ')}` };
      }
      this.internal.abort(new Error(`${role} exited`));
    });
  }

  /** The secret values of this run: every key the target and the load use. */
  secrets(): string[] {
    const user = [process.env.SOAK_CLIENT_KEY, process.env.SOAK_MANAGEMENT_KEY].filter((k): k is string => typeof k === 'string' && k !== '');
    // Tokens on the command line and environment values a --target-config template pulled in (run-secrets.ts).
    const command = this.target.kind === 'cmd' ? commandSecrets(this.target.command) : [];
    // --header values and --client-keys-file keys (harness/load/client-options.ts): the argv in run.json holds the headers as typed.
    return [this.targets.keys.client, this.targets.keys.management, ...user, ...command, ...secretEnvValues(this.targetConfig.templates), ...this.client.secrets];
  }

  /** The load's connections first, then the probe and the children (Targets.stop). */
  private async cleanup(): Promise<void> {
    await this.state.load?.close().catch(() => {});
    await this.targets.stop();
  }

  /** Judge the run folder as written; a run that cannot be judged still ends, with a warning. */
  private judge(outcome: RunOutcome, result: SoakResult): void {
    try {
      const judged = judgeRun(this.folder.dir);
      result.verdict = judged.verdict;
      result.verdictText = judged.text;
      if (this.meta.untilVerdict) result.verdictText += `\n${stoppedEarlyLine(this.meta.untilVerdict, this.scenario.durationMs)}`;
      if (outcome.status === 'completed' && judged.verdict.status === 'LEAK') result.exitCode = EXIT.leak;
      if (outcome.status === 'completed' && judged.verdict.served?.status === 'not-served') result.exitCode = EXIT.unserved;
    } catch (err) {
      this.event('warning', `no verdict: ${(err as Error).message}`);
    }
  }

  private writeSummary(outcome: RunOutcome, result: SoakResult): void {
    this.folder.writeJson(RUN_FILES.summary, {
      verdict: result.verdict,
      recordVersion: RECORD_VERSION,
      runId: this.meta.runId,
      scenario: this.meta.scenario,
      outcome,
      checkpoints: result.checkpoints,
      samples: result.samples,
      requestsCompleted: result.requestsCompleted,
      loadTotals: this.state.load?.totals() ?? null,
      attribution: result.attribution ? attributionSummary(result.attribution) : null,
      wallMs: this.now(),
      nodeVersion: process.version,
    });
  }
}

/** `stopped early (--until-verdict): LEAK certain at checkpoint 8 of 16 (heapUsed), 32 400 requests, 51 s (45 s of load of 90 s); α spent 0.0031 of 0.005 (pocock)`. */
export function stoppedEarlyLine(plan: NonNullable<RunMeta['untilVerdict']>, durationMs?: number): string {
  const s = plan.stoppedEarly;
  if (s === null) return `--until-verdict: no LEAK certain before the end; the run went its full duration (${plan.plannedCheckpoints} checkpoints) and was judged by the fixed rule`;
  const of = durationMs !== undefined ? ` of ${durationMs / 1000} s` : '';
  return `stopped early (--until-verdict): LEAK certain at checkpoint ${s.checkpoint} of ${plan.plannedCheckpoints} (${s.signals.join(', ')}), ${s.requests} requests, ${s.seconds} s (${s.loadSeconds} s of load${of}); α spent ${s.alphaSpent} of ${plan.alpha} (${plan.spending})`;
}

export function exitCodeFor(outcome: RunOutcome): number {
  switch (outcome.status) {
    case 'completed':
      return EXIT.ok;
    case 'interrupted':
      return exitForSignal(outcome.signal);
    case 'target-crashed':
    case 'failed':
      return EXIT.incomplete;
  }
}

export { interruptReason } from '../errors.ts';
