// runSoak: one soak run, end to end. Starts the fake upstream and the target
// as children, drives the scenario's phases segment by segment, samples the
// target continuously and at drained post-GC checkpoints, writes everything to
// the run folder as it goes, and always cleans up: no orphan child, no bound
// port, whatever ends the run (completion, target crash, SIGINT, an exception).

import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'undici';
import { EXIT, SoakError, usageError } from './errors.ts';
import type { Checkpoint, ContinuousSample, Counts, ProbeSample, ProcSample, RunOutcome } from './records.ts';
import { RECORD_VERSION } from './records.ts';
import { spawnChild, type Child } from './run/child.ts';
import { gitSha, harnessInfo, machineInfo, type RunMeta } from './run/meta.ts';
import { createRunFolder, newRunId, RUN_FILES, uniqueRunDir, type RunFolder } from './run/run-folder.ts';
import { buildTimeline, checkpointTimes } from './run/timeline.ts';
import { freePort } from './run/free-port.ts';
import { descendants, isAlive } from './run/pids.ts';
import { readProc } from './sampler/proc.ts';
import { waitForProbe, type ProbeClient } from './sampler/probe-client.ts';
import { TargetSources } from './run/target-sources.ts';
import { judgeRunFolder } from './judge.ts';
import type { RunVerdict } from './verdict/index.ts';
import { createLoad } from './load/index.ts';
import { getScenario, resolveScenario, type ResolvedScenario } from '../scenarios/index.ts';
import { validateLeakNames } from './leaks.ts';
import { ProgressReporter, type Progress } from './progress.ts';
import { validateSoakOptions, type SoakOptions, type SoakResult, type TargetSpec } from './soak/options.ts';

export type { SoakOptions, SoakResult, TargetSpec } from './soak/options.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const PROBE_PATH = join(PROJECT_ROOT, 'harness/probe/probe.ts');
const EXIT_WITH_HARNESS = join(PROJECT_ROOT, 'harness/run/exit-with-harness.ts');
const RELAY_MAIN = join(PROJECT_ROOT, 'relay/main.ts');
const UPSTREAM_MAIN = join(PROJECT_ROOT, 'mocks/main.ts');
const READY_LINE = /^(?:relay|upstream): listening on (http:\/\/127\.0\.0\.1:\d+)$/;

interface Keys {
  client: string;
  management: string;
}

function devKey(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString('base64url')}`;
}

/**
 * Run one soak. Throws SoakError (exit 2) for bad input before anything is
 * started; every other ending is reported in the result's outcome.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakResult> {
  validateSoakOptions(options);
  const leaks = validateLeakNames(options.leaks ?? []);
  let resolved: ResolvedScenario;
  try {
    resolved = resolveScenario(getScenario(options.scenario ?? 'mixed'), {
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
  const target: TargetSpec = options.target ?? { kind: 'relay' };
  if (leaks.length > 0 && target.kind !== 'relay') {
    throw usageError('--leak: leak variants exist only in the reference relay; drop --target-cmd/--target-pid or --leak');
  }
  const runId = newRunId(resolved.name);
  const runDir = options.out ? resolve(options.out) : uniqueRunDir(join(PROJECT_ROOT, 'reports/runs'), runId);
  const folder = createRunFolder(runDir);
  return new SoakRun(options, resolved, leaks, target, runId, folder).run();
}

class SoakRun {
  private readonly keys: Keys = { client: devKey('sk-soak'), management: devKey('mk-soak') };
  private readonly internal = new AbortController();
  private readonly children: Child[] = [];
  private upstream: Child | null = null;
  private targetChild: Child | null = null;
  private targetPid = 0;
  private targetUrl = '';
  private probe: ProbeClient | null = null;
  /** A private directory for the probe's Unix socket (removed at the end, even if the target was killed). */
  private readonly probeDir: string;
  private readonly probeSocket: string;
  private sources: TargetSources | null = null;
  private probeOwnFds: number[] = [];
  private crash: RunOutcome | null = null;
  private stopping = false;
  private readonly t0 = performance.now();
  private phaseName = 'start';
  private samplesWritten = 0;
  private checkpointsWritten = 0;
  private readonly meta: RunMeta;
  private readonly progress: ProgressReporter | null;
  private load: ReturnType<typeof createLoad> | null = null;
  private nextCheckpointMs = 0;
  /** Load time done before the current segment, and when (performance.now()) the current one started. */
  private loadElapsedMs = 0;
  private segment: { startedAt: number; lengthMs: number } | null = null;

  private readonly options: SoakOptions;
  private readonly scenario: ResolvedScenario;
  private readonly leaks: string[];
  private readonly target: TargetSpec;
  private readonly folder: RunFolder;

  constructor(options: SoakOptions, scenario: ResolvedScenario, leaks: string[], target: TargetSpec, runId: string, folder: RunFolder) {
    this.options = options;
    this.scenario = scenario;
    this.leaks = leaks;
    this.target = target;
    this.folder = folder;
    this.probeDir = mkdtempSync(join(tmpdir(), 'soak-probe-'));
    this.probeSocket = join(this.probeDir, 'probe.sock');
    this.meta = {
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
    this.progress = options.progressStream ? new ProgressReporter(options.progressStream) : null;
    if (options.signal) {
      if (options.signal.aborted) this.internal.abort(options.signal.reason);
      else options.signal.addEventListener('abort', () => this.internal.abort(options.signal!.reason), { once: true });
    }
  }

  private now(): number {
    return Math.round(performance.now() - this.t0);
  }

  private event(type: 'phase' | 'warning' | 'checkpoint-skipped' | 'outcome' | 'info', message: string, data?: unknown): void {
    this.folder.event({ kind: 'event', t: this.now(), type, message, data });
    if (type === 'warning') this.progress?.note(`warning: ${message}`);
  }

  async run(): Promise<SoakResult> {
    this.folder.writeJson(RUN_FILES.meta, this.meta);
    let outcome: RunOutcome;
    let samplerDone: Promise<void> = Promise.resolve();
    try {
      await this.startChildren();
      samplerDone = this.samplerLoop();
      await this.drive();
      outcome = this.crash ?? { status: 'completed' };
    } catch (err) {
      // A target that died makes sampling fail (SOAK_ERR_TARGET_GONE, a dead probe)
      // possibly before its exit event has been seen: give the exit a moment,
      // so the outcome says "target crashed" rather than a sampling error.
      if (!this.crash && this.targetChild) await Promise.race([this.targetChild.exited, sleep(1_000)]);
      await sleep(0);
      outcome = this.outcomeFor(err);
    } finally {
      this.stopping = true;
      this.internal.abort(new Error('run ended'));
      await samplerDone.catch(() => {});
      await this.cleanup();
    }
    const result: SoakResult = {
      runDir: this.folder.dir,
      outcome,
      exitCode: exitCodeFor(outcome),
      verdict: null,
      verdictText: null,
      checkpoints: this.checkpointsWritten,
      samples: this.samplesWritten,
      requestsCompleted: this.load?.totals().requestsCompleted ?? 0,
    };
    this.meta.endedAt = new Date().toISOString();
    this.meta.outcome = outcome;
    this.folder.writeJson(RUN_FILES.meta, this.meta);
    this.event('outcome', outcome.status, outcome);
    if (outcome.status !== 'interrupted' && this.checkpointsWritten > 0) {
      try {
        const judged = judgeRunFolder(this.folder.dir);
        result.verdict = judged.verdict;
        result.verdictText = judged.text;
        if (outcome.status === 'completed' && judged.verdict.status === 'LEAK') result.exitCode = EXIT.leak;
      } catch (err) {
        this.event('warning', `no verdict: ${(err as Error).message}`);
      }
    }
    this.folder.writeJson(RUN_FILES.summary, {
      verdict: result.verdict,
      recordVersion: RECORD_VERSION,
      runId: this.meta.runId,
      scenario: this.meta.scenario,
      outcome,
      checkpoints: result.checkpoints,
      samples: result.samples,
      requestsCompleted: result.requestsCompleted,
      loadTotals: this.load?.totals() ?? null,
      wallMs: this.now(),
      nodeVersion: process.version,
    });
    this.folder.close();
    this.progress?.finish();
    return result;
  }

  private outcomeFor(err: unknown): RunOutcome {
    if (this.crash) return this.crash;
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

  // ---------------------------------------------------------------- children

  private async startChildren(): Promise<void> {
    const readyTimeoutMs = this.options.readyTimeoutMs ?? 20_000;
    const s = this.scenario;
    if (this.target.kind !== 'pid') {
      this.upstream = await spawnChild({
        name: 'upstream',
        command: process.execPath,
        args: ['--import', EXIT_WITH_HARNESS, UPSTREAM_MAIN, '--port', '0', '--seed', String(s.seed), '--accounts', String(s.accounts)],
        env: { ...process.env, SOAK_EXIT_WITH_HARNESS: '1' },
        stdinPipe: true,
        ready: { pattern: READY_LINE },
        readyTimeoutMs,
      });
      this.children.push(this.upstream);
      this.watchExit(this.upstream, 'upstream');
    }
    const probeEnv = { SOAK_EXIT_WITH_HARNESS: '1', ...(this.options.probe === false ? {} : { SOAK_PROBE_SOCKET: this.probeSocket }) };
    if (this.target.kind === 'relay') {
      const args = [
        '--expose-gc',
        // Checkpoints force two full GCs each, and V8 ages bytecode per full GC:
        // code used only in an early phase is flushed some checkpoints later, a
        // downward step in the post-GC heap that is not data (measured: −0.85 MiB
        // at the same checkpoint of a leaky and a fixed account-churn run, no
        // relay structure changing; with this flag both series are smooth and
        // the fixed run's slope went from [−18.0, 3.4] to [1.5, 4.0] B/event).
        // Kept code leaves the series data only. Recorded in run.json's execArgv.
        '--no-flush-bytecode',
        '--import', EXIT_WITH_HARNESS,
        ...(this.options.probe === false ? [] : ['--import', PROBE_PATH]),
        RELAY_MAIN,
        '--port', '0',
        '--upstream', this.upstream!.url,
        '--accounts', String(s.accounts),
        '--seed', String(s.seed),
        ...(this.leaks.length > 0 ? ['--leak', this.leaks.join(',')] : []),
        ...(this.target.extraArgs ?? []),
      ];
      this.meta.target.command = ['node', ...args.map((a) => (a.startsWith(PROJECT_ROOT) ? a.slice(PROJECT_ROOT.length + 1) : a))].join(' ');
      this.targetChild = await spawnChild({
        name: 'target',
        command: process.execPath,
        args,
        env: {
          ...process.env,
          ...probeEnv,
          ...this.target.env,
          RELAY_CLIENT_KEYS: this.keys.client,
          RELAY_MANAGEMENT_KEY: this.keys.management,
        },
        stdinPipe: true,
        ready: { pattern: READY_LINE },
        readyTimeoutMs,
      });
    } else if (this.target.kind === 'cmd') {
      const port = await freePort();
      const command = this.target.command.replaceAll('{port}', String(port)).replaceAll('{upstream}', this.upstream!.url);
      this.meta.target.command = command;
      const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import=${EXIT_WITH_HARNESS}`, this.options.probe === false ? '' : `--import=${PROBE_PATH}`].join(' ').trim();
      this.targetChild = await spawnChild({
        name: 'target',
        command,
        shell: true,
        env: {
          ...process.env,
          ...probeEnv,
          NODE_OPTIONS: nodeOptions,
          RELAY_CLIENT_KEYS: process.env.SOAK_CLIENT_KEY ?? this.keys.client,
          RELAY_MANAGEMENT_KEY: process.env.SOAK_MANAGEMENT_KEY ?? this.keys.management,
        },
        stdinPipe: true,
        ready: { port },
        readyTimeoutMs,
      });
    }
    if (this.targetChild) {
      this.children.push(this.targetChild);
      this.targetPid = await this.resolveTargetPid(this.targetChild);
      this.targetUrl = this.targetChild.url;
      this.watchExit(this.targetChild, 'target');
    } else if (this.target.kind === 'pid') {
      this.targetPid = this.target.pid;
      this.targetUrl = this.target.url.replace(/\/$/, '');
      if (process.env.SOAK_CLIENT_KEY) this.keys.client = process.env.SOAK_CLIENT_KEY;
      if (process.env.SOAK_MANAGEMENT_KEY) this.keys.management = process.env.SOAK_MANAGEMENT_KEY;
      this.event('warning', 'attached to a running process: no fault plan is applied and only /proc is sampled');
    }

    if (this.options.probe !== false && this.target.kind !== 'pid') {
      try {
        this.probe = await waitForProbe(this.probeSocket, Date.now() + 10_000, { timeoutMs: 30_000 });
        const info = await this.probe.info();
        this.meta.target.nodeVersion = info.nodeVersion;
        this.meta.target.execArgv = info.execArgv;
        this.meta.target.heapSizeLimit = info.heapSizeLimit;
        // The probe knows which process it is in: for a shell command that
        // beats guessing from the process tree.
        this.targetPid = info.pid;
        this.probeOwnFds = info.ownFds;
      } catch (err) {
        if (this.target.kind === 'relay') throw err;
        this.probe = null;
        this.event('warning', `no probe in the target (not a Node process, or NODE_OPTIONS ignored): sampling /proc only (${(err as Error).message})`);
      }
    }
    this.meta.target.pid = this.targetPid;
    this.meta.target.url = this.targetUrl;
    this.sources = new TargetSources({ pid: this.targetPid, targetUrl: this.targetUrl, upstreamUrl: this.upstream?.url ?? null, probe: this.probe });
    this.sources.excludeFds = this.probeOwnFds;
    this.sources.hasMetrics = (await this.sources.metrics()) !== null;
    this.folder.writeJson(RUN_FILES.meta, this.meta);
    this.event('info', 'children ready', {
      upstream: this.upstream ? { url: this.upstream.url, pid: this.upstream.pid } : null,
      target: { url: this.targetUrl, pid: this.targetPid },
    });
  }

  /** With a shell, the measured process is the shell's child; find the one listening. */
  private async resolveTargetPid(child: Child): Promise<number> {
    if (this.target.kind !== 'cmd') return child.pid;
    const pids = descendants(child.pid);
    // The deepest descendant that is a node (or the only) process is the server.
    return pids.at(-1) ?? child.pid;
  }

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

  private async cleanup(): Promise<void> {
    await this.load?.close().catch(() => {});
    this.probe?.close();
    // Target first (it holds connections to the upstream), then the upstream.
    for (const child of [...this.children].reverse()) await child.stop(5_000);
    rmSync(this.probeDir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- driving

  private async drive(): Promise<void> {
    const s = this.scenario;
    const load = createLoad({
      url: this.targetUrl,
      clientKey: this.keys.client,
      managementKey: this.keys.management,
      accounts: s.accounts,
      seed: s.seed,
    });
    this.load = load;
    const cps = checkpointTimes(s.durationMs, s.checkpoints.everyMs, Math.max(this.options.minCheckpoints ?? 8, s.checkpoints.min ?? 8));
    const segments = buildTimeline(s.phases, cps);
    this.nextCheckpointMs = cps[0] ?? s.durationMs;
    await this.checkpoint(0);
    for (const seg of segments) {
      this.throwIfAborted();
      const phase = s.phases[seg.phaseIndex]!;
      if (seg.phaseStart) {
        this.phaseName = phase.name;
        await this.applyFaultPlan(phase.name, phase.faults ?? { rules: [] });
        this.event('phase', phase.name, { startMs: phase.startMs, endMs: phase.endMs });
      }
      this.segment = { startedAt: performance.now(), lengthMs: seg.endMs - seg.startMs };
      await load.runSegment(phase, seg.endMs - seg.startMs, this.internal.signal);
      this.segment = null;
      this.loadElapsedMs = seg.endMs;
      this.throwIfAborted();
      if (seg.checkpointAfter !== null) {
        this.nextCheckpointMs = cps[seg.checkpointAfter] ?? s.durationMs;
        await this.checkpoint(seg.checkpointAfter);
      }
    }
  }

  private throwIfAborted(): void {
    if (this.internal.signal.aborted) throw this.internal.signal.reason ?? new Error('aborted');
  }

  private async applyFaultPlan(phase: string, plan: unknown): Promise<void> {
    if (!this.upstream) return;
    const res = await request(`${this.upstream.url}/__upstream/plan`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(plan),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200 && res.statusCode !== 204) {
      throw new SoakError('SOAK_ERR_USAGE', `scenario ${this.scenario.name}, phase ${phase}: the upstream refused the fault plan: ${text}`);
    }
  }

  // ---------------------------------------------------------------- sampling

  private async samplerLoop(): Promise<void> {
    if (this.options.sampling === false) return;
    const every = this.options.sampleIntervalMs ?? 2_000;
    const signal = this.internal.signal;
    while (!signal.aborted) {
      const started = performance.now();
      try {
        await this.takeSample();
      } catch (err) {
        if (signal.aborted) break;
        this.event('warning', `sample failed: ${(err as Error).message}`);
      }
      const wait = Math.max(0, every - (performance.now() - started));
      // The listener goes away with the wait: one left per sample would pile
      // up 43 200 listeners on the run's signal over a 24-h soak.
      await new Promise<void>((r) => {
        const done = () => {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          r();
        };
        const t = setTimeout(done, wait);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private async takeSample(): Promise<void> {
    const { proc, probe, relay, faults } = await this.sources!.readAll();
    const load = this.load ? this.load.window() : null;
    const requestsCompleted = this.load?.totals().requestsCompleted ?? 0;
    const record: ContinuousSample = { kind: 'sample', t: this.now(), phase: this.phaseName, proc, probe, relay, load, faults, requestsCompleted };
    this.folder.sample(record);
    this.samplesWritten++;
    this.progress?.update({
      elapsedMs: this.loadElapsedMs + (this.segment ? Math.min(this.segment.lengthMs, performance.now() - this.segment.startedAt) : 0),
      totalMs: this.scenario.durationMs,
      phase: this.phaseName,
      reqPerSec: load?.reqPerSec ?? 0,
      requests: requestsCompleted,
      errors: (load?.errors ?? 0) + (load?.mismatches ?? 0) + (load?.status['5xx'] ?? 0),
      rss: proc?.rss ?? probe?.memory.rss ?? 0,
      heapUsed: probe?.memory.heapUsed ?? null,
      handles: probe ? sumCounts(probe.resources) : null,
      fds: proc?.fds ?? null,
      faults: faults ? sumCounts(faults) : null,
      nextCheckpointMs: this.nextCheckpointMs,
      checkpoints: this.checkpointsWritten,
    });
    this.options.onProgress?.(this.progress?.last ?? ({} as Progress));
  }

  /**
   * A drained checkpoint: the load is idle (between segments). Wait for the
   * target's in-flight requests to reach 0 and its non-listening TCP sockets
   * to close (keep-alive timeouts; CLOSE_WAIT excepted, see stillClosingTcp),
   * then GC twice through the probe and record.
   */
  private async checkpoint(seq: number): Promise<void> {
    const t = this.now();
    const drainStart = performance.now();
    const drainMax = this.options.drainMaxMs ?? 6_000;
    let relay: Record<string, number> | null = null;
    let proc: ProcSample | null = null;
    for (;;) {
      [relay, proc] = await Promise.all([this.sources!.metrics(), this.sources!.proc()]);
      const inflight = relay ? (relay['relay_inflight_requests'] ?? 0) : 0;
      const open = proc ? stillClosingTcp(proc.tcp) : 0;
      if ((inflight === 0 && open === 0) || performance.now() - drainStart > drainMax) break;
      if (this.internal.signal.aborted) return;
      await sleep(200);
    }
    const drainMs = Math.round(performance.now() - drainStart);
    let cp: Awaited<ReturnType<ProbeClient['checkpoint']>> | null = null;
    if (this.probe) cp = await this.probe.checkpoint();
    [relay, proc] = await Promise.all([this.sources!.metrics(), readProc(this.targetPid, { excludeFds: this.probeOwnFds })]);
    const faults = await this.sources!.faults();
    const totals = this.load?.totals() ?? { requestsCompleted: 0, events: {} };
    const record: Checkpoint = {
      kind: 'checkpoint',
      seq,
      t,
      phase: this.phaseName,
      requestsCompleted: totals.requestsCompleted,
      // `requests` too, so costs the catalog states per request are checked like any other event.
      events: { ...(faults ?? {}), ...totals.events, requests: totals.requestsCompleted },
      drainMs,
      memory: cp?.memory ?? { rss: proc.rss, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
      preGcMemory: cp?.preGcMemory ?? { rss: proc.rss, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
      resourcesBeforeGc: cp?.resourcesBeforeGc ?? {},
      resourcesAfterGc: cp?.resourcesAfterGc ?? {},
      fds: proc.fds,
      tcp: proc.tcp,
      relay,
      gc: cp ? { count: cp.gc.count, timeMs: cp.gc.timeMs, majorCount: cp.gc.majorCount } : { count: 0, timeMs: 0 },
      ...(cp ? { forcedGcMs: cp.forcedGcMs } : {}),
      allocatedBytes: cp?.allocatedBytes ?? 0,
      procOnly: cp === null,
    };
    this.folder.checkpoint(record);
    this.checkpointsWritten++;
    this.progress?.note(
      `checkpoint ${seq}: ${(record.memory.heapUsed / 1048576).toFixed(1)} MiB heap, ${(record.memory.rss / 1048576).toFixed(1)} MiB rss, ${proc.fds} fds, ${openTcp(proc.tcp)} tcp open, ${totals.requestsCompleted} requests (drain ${drainMs} ms)`,
    );
  }
}

function openTcp(tcp: Counts): number {
  let n = 0;
  for (const [state, count] of Object.entries(tcp)) if (state !== 'LISTEN') n += count;
  return n;
}

/**
 * Sockets a drain waits for: open ones, except CLOSE_WAIT. A CLOSE_WAIT socket's
 * peer has already closed; a correct target closes its side within
 * milliseconds, one that leaks it never will, and waiting only burns the drain
 * cap at every checkpoint (measured: an error-body leaky run held ≈ 1 000
 * CLOSE_WAIT sockets and spent 2 s on each of its 17 drains). They still count
 * in the checkpoint's TCP states.
 */
function stillClosingTcp(tcp: Counts): number {
  let n = 0;
  for (const [state, count] of Object.entries(tcp)) if (state !== 'LISTEN' && state !== 'CLOSE_WAIT') n += count;
  return n;
}

function sumCounts(c: Counts): number {
  let n = 0;
  for (const v of Object.values(c)) n += v;
  return n;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function exitCodeFor(outcome: RunOutcome): number {
  switch (outcome.status) {
    case 'completed':
      return EXIT.ok;
    case 'interrupted':
      return outcome.signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
    case 'target-crashed':
    case 'failed':
      return EXIT.incomplete;
  }
}

/** The abort reason the CLI uses for SIGINT/SIGTERM. */
export function interruptReason(signal: NodeJS.Signals): Error {
  const e = new Error(signal);
  e.name = 'SoakInterrupt';
  return e;
}
