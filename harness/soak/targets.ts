// The processes a soak run measures and talks to: the fake upstream, and one
// target of three kinds: the reference relay (default), a `--target-cmd`
// command (someone's own relay, run through a shell), or an already running
// process attached by `--target-pid`. Then the in-target probe, when there is
// one, and the target's description in run.json (pid, url, Node version,
// execArgv, heap limit).

import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createProbeDir } from '../run/probe-dir.ts';
import { join } from 'node:path';
import { spawnChild, type Child } from '../run/child.ts';
import { freePort } from '../run/free-port.ts';
import { descendants } from '../run/pids.ts';
import { RUN_FILES } from '../run/run-folder.ts';
import { TargetSources } from '../run/target-sources.ts';
import { attachVitals } from './vitals.ts';
import { waitForProbe, type ProbeClient } from '../sampler/probe-client.ts';
import { detachInspector, isNodeProcess, loadProbe, openInspector, type AttachedInspector } from '../sampler/inspector-attach.ts';
import type { ResolvedScenario } from '../../scenarios/index.ts';
import type { RunContext } from './context.ts';
import type { TargetSpec } from './options.ts';
import { writeTargetConfigs } from './target-config.ts';
import { EXIT_WITH_HARNESS, PROBE_PATH, PROJECT_ROOT, RELAY_MAIN, UPSTREAM_MAIN } from './paths.ts';

const READY_LINE = /^(?:relay|upstream): listening on (http:\/\/127\.0\.0\.1:\d+)$/;

type RelaySpec = Extract<TargetSpec, { kind: 'relay' }>;
type CommandSpec = Extract<TargetSpec, { kind: 'cmd' }>;
type PidSpec = Extract<TargetSpec, { kind: 'pid' }>;

/** Called once per started child, so the run can tell an exit during the run from one it caused. */
export type WatchExit = (child: Child, role: 'upstream' | 'target') => void;

export interface Keys {
  /** The first client key (what a single-key target gets). */
  client: string;
  management: string;
  /** Every client key the load sends, rotating (--client-keys-file), else [client]. */
  clients: string[];
}

function devKey(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString('base64url')}`;
}

/**
 * The run's targets. Filled in as each part starts rather than returned at the
 * end: when a start fails halfway, stop() still stops whatever did start, and
 * the run still sees the target child (to tell a crash from a startup error).
 */
export class Targets {
  readonly keys: Keys = (() => {
    const client = devKey('sk-soak');
    return { client, management: devKey('mk-soak'), clients: [client] };
  })();
  /** In start order; stop() goes in reverse. */
  readonly children: Child[] = [];
  upstream: Child | null = null;
  targetChild: Child | null = null;
  /** The measured process: for a shell command, the server below the shell. */
  pid = 0;
  url = '';
  probe: ProbeClient | null = null;
  /** The probe's own fds in the target (its Unix sockets), left out of fd counts. */
  probeOwnFds: number[] = [];
  /** What samples and checkpoints read; set once everything has started. */
  sources: TargetSources | null = null;
  /** A private directory for the probe's Unix socket (harness/run/probe-dir.ts: removed on every exit path). */
  readonly probeDir = createProbeDir();
  readonly probeSocket = join(this.probeDir, 'probe.sock');

  /** The inspector of an attached Node process, opened to load the probe: unloaded and closed first. */
  inspector: AttachedInspector | null = null;

  async stop(): Promise<void> {
    this.probe?.close();
    if (this.inspector) await detachInspector(this.inspector).catch(() => {});
    this.inspector = null;
    // Target first (it holds connections to the upstream), then the upstream.
    for (const child of [...this.children].reverse()) await child.stop();
    rmSync(this.probeDir, { recursive: true, force: true });
  }
}

/** Start (or attach to) everything the run needs, record the target in run.json. */
export async function startTargets(ctx: RunContext, t: Targets, watch: WatchExit): Promise<void> {
  const readyTimeoutMs = ctx.options.readyTimeoutMs ?? 20_000;
  const spec = ctx.target;
  if (spec.kind !== 'pid') {
    t.upstream = await startUpstream(ctx.scenario, readyTimeoutMs, ctx.options.upstreamIdleTimeoutMs);
    t.children.push(t.upstream);
    watch(t.upstream, 'upstream');
  }
  if (spec.kind === 'relay') t.targetChild = await startRelay(ctx, spec, t, readyTimeoutMs);
  else if (spec.kind === 'cmd') t.targetChild = await startCommand(ctx, spec, t, readyTimeoutMs);
  if (t.targetChild) {
    t.children.push(t.targetChild);
    t.pid = await resolveTargetPid(spec, t.targetChild);
    t.url = t.targetChild.url;
    // --target-cmd with --target-url http://127.0.0.1:{port}/prefix: every route goes under the prefix.
    if (spec.kind === 'cmd' && spec.url !== undefined) t.url += new URL(spec.url.replace('{port}', '1')).pathname.replace(/\/+$/, '');
    watch(t.targetChild, 'target');
  } else if (spec.kind === 'pid') {
    await attachPid(ctx, spec, t);
  }
  if (ctx.options.probe !== false && spec.kind !== 'pid') await attachProbe(ctx, t);
  if (t.probe) await startHeapSampling(ctx, t);
  ctx.meta.target.pid = t.pid;
  ctx.meta.target.url = t.url;
  t.sources = new TargetSources({ pid: t.pid, targetUrl: t.url, upstreamUrl: t.upstream?.url ?? null, probe: t.probe });
  t.sources.excludeFds = t.probeOwnFds;
  t.sources.hasMetrics = (await t.sources.metrics()) !== null;
  await attachVitals(ctx, t.sources);
  ctx.folder.writeJson(RUN_FILES.meta, ctx.meta);
  ctx.event('info', 'children ready', {
    upstream: t.upstream ? { url: t.upstream.url, pid: t.upstream.pid } : null,
    target: { url: t.url, pid: t.pid },
  });
}

/** `idleTimeoutMs`: the upstream's keep-alive idle timeout (mocks/idle.ts; minutes by default, like a real provider). */
function startUpstream(s: ResolvedScenario, readyTimeoutMs: number, idleTimeoutMs?: number): Promise<Child> {
  return spawnChild({
    name: 'upstream',
    command: process.execPath,
    args: ['--import', EXIT_WITH_HARNESS, UPSTREAM_MAIN, '--port', '0', '--seed', String(s.seed), '--accounts', String(s.accounts), ...(idleTimeoutMs !== undefined ? ['--idle-timeout', String(idleTimeoutMs)] : [])],
    env: { ...process.env, SOAK_EXIT_WITH_HARNESS: '1' },
    stdinPipe: true,
    ready: { pattern: READY_LINE },
    readyTimeoutMs,
  });
}

/** The environment that arms exit-with-harness and tells the probe where to listen. */
function probeEnv(ctx: RunContext, t: Targets): Record<string, string> {
  return { SOAK_EXIT_WITH_HARNESS: '1', ...(ctx.options.probe === false ? {} : { SOAK_PROBE_SOCKET: t.probeSocket }) };
}

function startRelay(ctx: RunContext, spec: RelaySpec, t: Targets, readyTimeoutMs: number): Promise<Child> {
  const s = ctx.scenario;
  // SOAK_CLIENT_KEY / --client-keys-file hold for the reference relay too: it is given the keys the load sends.
  adoptUserKeys(ctx, t);
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
    // --profile cpu|heap (harness/profile/plan.ts): written into <run>/profile/ when the relay exits.
    ...(ctx.profiler?.nodeFlags ?? []),
    '--import', EXIT_WITH_HARNESS,
    ...(ctx.options.probe === false ? [] : ['--import', PROBE_PATH]),
    RELAY_MAIN,
    '--port', '0',
    '--upstream', t.upstream!.url,
    '--accounts', String(s.accounts),
    '--seed', String(s.seed),
    ...(ctx.leaks.length > 0 ? ['--leak', ctx.leaks.join(',')] : []),
    // What the scenario's trigger needs switched on (e.g. sink-stall's --state-sync), then the caller's own.
    ...s.referenceRelayArgs,
    ...(spec.extraArgs ?? []),
  ];
  ctx.meta.target.command = ['node', ...args.map((a) => (a.startsWith(PROJECT_ROOT) ? a.slice(PROJECT_ROOT.length + 1) : a))].join(' ');
  if (ctx.profiler) mkdirSync(ctx.profiler.dir, { recursive: true });
  const clinic = ctx.profiler?.clinic ?? null;
  return spawnChild({
    name: 'target',
    command: clinic ? clinic.bin : process.execPath,
    args: clinic ? [...clinic.args, process.execPath, ...args] : args,
    env: {
      ...process.env,
      ...clinic?.env,
      ...probeEnv(ctx, t),
      ...spec.env,
      RELAY_CLIENT_KEYS: t.keys.clients.join(','),
      RELAY_MANAGEMENT_KEY: t.keys.management,
    },
    stdinPipe: true,
    // How clinic is stopped and where it writes: the profile plan's (harness/profile/plan.ts ClinicSpawn).
    ...(clinic ? { stopSignal: clinic.stopSignal, stopGraceMs: clinic.stopGraceMs, cwd: clinic.cwd } : {}),
    ready: { pattern: READY_LINE },
    readyTimeoutMs,
  });
}


/** A shell command: the probe and exit-with-harness reach its Node process through NODE_OPTIONS. */
async function startCommand(ctx: RunContext, spec: CommandSpec, t: Targets, readyTimeoutMs: number): Promise<Child> {
  const port = await freePort();
  const command = spec.command.replaceAll('{port}', String(port)).replaceAll('{upstream}', t.upstream!.url);
  ctx.meta.target.command = command;
  if (ctx.profiler) mkdirSync(ctx.profiler.dir, { recursive: true });
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import=${EXIT_WITH_HARNESS}`, ctx.options.probe === false ? '' : `--import=${PROBE_PATH}`, ...(ctx.profiler?.nodeFlags ?? [])].join(' ').trim();
  // The load must send the keys the target was given: the user's when set.
  adoptUserKeys(ctx, t);
  // Relays configured by file: templates rendered now that the port, the upstream and the keys are known (target-config.ts).
  writeTargetConfigs(ctx.targetConfig.files, ctx.targetConfig.templates, {
    upstream: t.upstream!.url,
    port,
    clientKey: t.keys.client,
    managementKey: t.keys.management,
    env: process.env,
  });
  return spawnChild({
    name: 'target',
    command,
    shell: true,
    env: {
      ...process.env,
      ...probeEnv(ctx, t),
      NODE_OPTIONS: nodeOptions,
      // {upstream} for a relay that reads its upstream from the environment.
      SOAK_UPSTREAM_URL: t.upstream!.url,
      RELAY_CLIENT_KEYS: t.keys.clients.join(','),
      RELAY_MANAGEMENT_KEY: t.keys.management,
    },
    stdinPipe: true,
    ready: { port },
    readyTimeoutMs,
  });
}

/**
 * A target the user wrote expects the user's keys (SOAK_CLIENT_KEY /
 * SOAK_MANAGEMENT_KEY) when set: both the target and the load use them.
 * Before, a --target-cmd run handed them to the target while the load kept
 * sending the generated keys, so every request of such a run was refused.
 */
function adoptUserKeys(ctx: RunContext, t: Targets): void {
  if (process.env.SOAK_CLIENT_KEY) t.keys.client = process.env.SOAK_CLIENT_KEY;
  if (process.env.SOAK_MANAGEMENT_KEY) t.keys.management = process.env.SOAK_MANAGEMENT_KEY;
  // --client-keys-file wins over SOAK_CLIENT_KEY: the load rotates over the file's keys and the target gets them all.
  const file = ctx.client.keys;
  if (file !== null) t.keys.client = file[0]!;
  t.keys.clients = file ?? [t.keys.client];
}

/**
 * A process the harness did not start: nothing to spawn, no upstream to plan
 * faults on; a Node process gets the probe loaded over its inspector, any
 * other is sampled from /proc only.
 */
async function attachPid(ctx: RunContext, spec: PidSpec, t: Targets): Promise<void> {
  t.pid = spec.pid;
  t.url = spec.url.replace(/\/$/, '');
  adoptUserKeys(ctx, t);
  const why = ctx.options.probe === false ? ' (--no-probe)' : !isNodeProcess(spec.pid) ? ' (not a Node process)' : null;
  if (why !== null) {
    ctx.event('warning', `attached to a running process: no fault plan is applied and only /proc is sampled${why}`);
    return;
  }
  // A Node process: load the probe through its inspector (harness/sampler/inspector-attach.ts).
  try {
    t.inspector = await openInspector(spec.pid);
    const { port, wasOpen } = t.inspector;
    ctx.event(
      'warning',
      wasOpen
        ? `process ${spec.pid}'s Node inspector was already open on 127.0.0.1:${port}: the probe is loaded through it, and the inspector is left open at the end`
        : `opened process ${spec.pid}'s Node inspector on 127.0.0.1:${port} (SIGUSR1) to load the probe; it is closed again at the end of the run`,
    );
    await loadProbe(t.inspector, t.probeSocket);
    await attachProbe(ctx, t);
  } catch (err) {
    t.probe = null;
    ctx.event('warning', `could not load the probe through the inspector (${(err as Error).message}): only /proc is sampled`);
  }
  ctx.event('warning', `attached to a running process: no fault plan is applied${t.probe ? '; heap, GC and resources come from the probe loaded over its inspector' : ' and only /proc is sampled'}`);
}

/** With a shell, the measured process is the shell's child; find the one listening. */
async function resolveTargetPid(spec: TargetSpec, child: Child): Promise<number> {
  if (spec.kind !== 'cmd') return child.pid;
  const pids = descendants(child.pid);
  // The deepest descendant that is a node (or the only) process is the server.
  return pids.at(-1) ?? child.pid;
}

/**
 * The probe's sampling heap profiler, started before the pre-load checkpoint
 * so every checkpoint carries live bytes by allocation site
 * (verdict/sites.ts). A probe that cannot start it (an inspector-less Node
 * build) says why; the run goes on without sites.
 */
async function startHeapSampling(ctx: RunContext, t: Targets): Promise<void> {
  const kib = ctx.options.heapSamplingKiB ?? DEFAULT_HEAP_SAMPLING_KIB;
  if (kib === 0 || !t.probe) return;
  try {
    const status = await t.probe.sites(kib * 1024);
    if (status.active) ctx.event('info', `sampling heap profiler on in the target (one sample per ${kib} KiB allocated): live bytes by allocation site at every checkpoint`);
    else ctx.event('warning', `the probe could not start the sampling heap profiler: ${status.error ?? 'unknown reason'}; no allocation sites in this run`);
  } catch (err) {
    ctx.event('warning', `the probe could not start the sampling heap profiler: ${(err as Error).message}; no allocation sites in this run`);
  }
}

/**
 * On by default at 512 KiB. Its cost is one stack capture per sample, so
 * bench:probe measures it amplified, where paired windows can see it: at
 * 16 KiB with the profiler alone in ON (--sources none, 8 pairs,
 * 2026-12-03) relay CPU per request +12.1 % [3.5, 19.6], i.e. +0.38 %
 * [0.11, 0.61] at 512 KiB (32× fewer samples), inside the probe's 2 %
 * budget. Measured directly at 512 KiB the effect is below what two shared
 * cores resolve: −0.26 % [−5.85, 5.38] together with the sampling sources.
 */
export const DEFAULT_HEAP_SAMPLING_KIB = 512;

/**
 * Connect to the probe the target preloaded. The reference relay always has
 * one, so a missing probe there is an error; a `--target-cmd` may not be a
 * Node process (or may ignore NODE_OPTIONS), and is then sampled from /proc only.
 */
async function attachProbe(ctx: RunContext, t: Targets): Promise<void> {
  try {
    t.probe = await waitForProbe(t.probeSocket, Date.now() + 10_000, { timeoutMs: 30_000 });
    const info = await t.probe.info();
    ctx.meta.target.nodeVersion = info.nodeVersion;
    ctx.meta.target.execArgv = info.execArgv;
    ctx.meta.target.heapSizeLimit = info.heapSizeLimit;
    // The probe knows which process it is in: for a shell command that
    // beats guessing from the process tree.
    t.pid = info.pid;
    t.probeOwnFds = info.ownFds;
  } catch (err) {
    if (ctx.target.kind === 'relay') throw err;
    t.probe = null;
    ctx.event('warning', `no probe in the target (not a Node process, or NODE_OPTIONS ignored): sampling /proc only (${(err as Error).message})`);
  }
}
