// What runSoak accepts, and the one declaration of its flags (shared/cli/flags.ts):
// the CLI parses argv with SOAK_FLAGS and --help prints their ranges, and
// validateSoakOptions checks a programmatic caller's numbers against the same
// declarations, so the CLI, the API and the help text cannot disagree.

import { checkFlagValues, type FlagSpecs } from '../../shared/cli/flags.ts';
import { flagUsageError, usageError } from '../errors.ts';
import type { RunOutcome } from '../records.ts';
import type { RunVerdict } from '../verdict/index.ts';
import type { AttributionRecord } from '../attribute/record.ts';
import { PROFILE_MODES } from '../profile/plan.ts';
import type { RunMeta } from '../run/meta.ts';
import type { Progress } from '../progress.ts';
import { isAlive } from '../run/pids.ts';
import { checkWritableFolder } from '../run/writable-folder.ts';
import { JUNIT_FLAG } from '../output/write.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { API_PROFILES, AUTH_SCHEMES, type ClientOptions } from '../load/index.ts';
import { checkVitalsUrl, parseJudgeMetrics } from '../sampler/target-metrics.ts';
import { parseBudget } from '../verdict/budget.ts';

/** The seed of accounts, fault plan and request mix: the relay and the fake upstream take 32 bits. */
export const SEED_FLAG = { type: 'int', min: 0, max: 2 ** 32 - 1, default: 42, arg: 'N', help: 'seed for accounts, fault plan and request mix' } as const;

export const SOAK_FLAGS = {
  scenario: { type: 'string', default: 'mixed', arg: 'name', help: 'scenario to run; `list` shows them' },
  accounts: { type: 'int', min: 1, max: 1_000_000, arg: 'N', help: 'accounts in the relay pool; the scenario sets it otherwise (5000)' },
  duration: { type: 'duration', min: 1_000, max: 7 * 24 * 3_600_000, arg: 'time', help: 'load time, e.g. 60s, 5m, 2h; the scenario sets it otherwise (5m)' },
  rate: { type: 'number', min: 0, exclusiveMin: true, max: 1_000_000, arg: 'req/s', help: 'open model: target requests per second (scales the scenario)' },
  connections: { type: 'int', min: 1, max: 10_000, arg: 'N', help: 'closed model: concurrent connections instead of a rate' },
  seed: SEED_FLAG,
  leak: { type: 'string', arg: 'a,b', help: 'comma-separated leak variants to switch on in the relay; `list` shows them' },
  'target-cmd': { type: 'string', nonEmpty: true, arg: 'cmd', help: "soak your own relay: 'node my-relay.js --port {port} --upstream {upstream}'" },
  'target-pid': { type: 'int', min: 1, max: 2 ** 22, arg: 'pid', help: 'attach to a running process (with --target-url); a Node process gets the probe through its inspector (SIGUSR1), others /proc sampling' },
  'target-url': { type: 'string', arg: 'url', help: 'URL of the process given by --target-pid (loopback only); a path (http://127.0.0.1:8080/gateway) prefixes every route; with --target-cmd: http://127.0.0.1:{port}/gateway' },
  'target-profile': { type: 'string', nonEmpty: true, arg: 'name|FILE', help: 'routes the target has: reference (the built-in relay\'s default: client API and management), openai-compatible (--target-cmd/--target-pid default: client API only), or a JSON FILE {"routes": [...]}; traffic for other routes is skipped' },
  'target-config': { type: 'string', multiple: true, nonEmpty: true, arg: 'in:out', help: 'render template `in` to `out` before starting --target-cmd ({upstream}, {port}, {key}, {management_key}, ${ENV} replaced); repeatable' },
  header: { type: 'string', multiple: true, nonEmpty: true, arg: 'K: V', help: "extra header on every client-API request, e.g. 'x-provider: mock'; {upstream}, {key} and ${ENV} are filled in" },
  auth: { type: 'string', default: 'bearer', choices: AUTH_SCHEMES, arg: 'scheme', help: 'how the client key is sent: Authorization: Bearer, x-api-key:, api-key:, or not at all' },
  'client-keys-file': { type: 'string', nonEmpty: true, arg: 'FILE', help: 'client keys, one per line (# comments): requests rotate over them round-robin; default SOAK_CLIENT_KEY or a generated key' },
  api: { type: 'string', default: 'chat', choices: API_PROFILES, arg: 'name', help: 'client API the load speaks: chat (/v1/chat/completions), responses (/v1/responses), messages (/v1/messages, Anthropic)' },
  model: { type: 'string', nonEmpty: true, arg: 'name', help: 'model name in every request (default: drawn from gpt-5, gpt-5-codex, gpt-5-mini, gpt-4.1)' },
  out: { type: 'string', nonEmpty: true, arg: 'dir', help: 'run folder (default reports/runs/<run-id>)' },
  'sample-interval': { type: 'duration', min: 250, max: 5_000, default: 2_000, arg: 'time', help: 'continuous sampling period' },
  'heap-sampling': { type: 'int', min: 0, max: 65_536, default: 512, arg: 'KiB', help: "the probe's sampling heap profiler: one sample per that many KiB allocated, live bytes by allocation site at every checkpoint (0: off). Its cost, measured amplified (bench:probe --heap-sampling 16 --sources none, scaled by 16/512): relay CPU/request +0.38 % [0.11, 0.61] at 512" },
  attribute: { type: 'boolean', help: 'after the judged run, say what leaks and where even without a LEAK: 3 heap snapshots around 2 short load windows (diffed out of process: class, count, B/request, retainer path, timer callbacks), libuv handles and TCP peers, an allocation profile by site (default: only after a LEAK; proofs: always; never inside the judged window)' },
  'no-attribute': { type: 'boolean', help: 'no attribution tail, not even after a LEAK' },
  'keep-snapshots': { type: 'boolean', help: "keep the attribution tail's .heapsnapshot files in <run>/attribution/ for DevTools (they hold the target's memory, keys included: never upload them)" },
  profile: { type: 'string', choices: PROFILE_MODES, arg: 'mode', help: "run the target under a profiler for the whole run, outputs in <run>/profile/ and linked from the report: cpu (node --cpu-prof: a .cpuprofile for DevTools), heap (node --heap-prof: a .heapprofile); doctor|flame run the relay under clinic (a devDependency; its HTML in profile/), else the Node flag that covers them, said so; heapprofiler uses node --heap-prof (clinic's wrote an empty profile here). The profiler's cost is in the run's figures (measured throughput: --cpu-prof --heap-prof 25.5 k vs 31.5 k requests unprofiled); written when the target exits" },
  'no-probe': { type: 'boolean', help: 'no probe in the target (/proc sampling only); with --target-pid: do not open its inspector' },
  'target-metrics': { type: 'string', nonEmpty: true, arg: 'url', help: "the target's Prometheus endpoint, loopback only (default <target>/metrics; {port}: the --target-cmd port); its go_goroutines, python_asyncio_tasks, process_open_fds, process_resident_memory_bytes are judged" },
  'target-pprof': { type: 'string', nonEmpty: true, arg: 'url', help: "a Go target's net/http/pprof base, e.g. http://127.0.0.1:{port}/debug/pprof (default: tried on --target-metrics' host): goroutines and heap per site at checkpoints" },
  'judge-metric': { type: 'string', multiple: true, nonEmpty: true, arg: 'NAME[:slope|level]', help: 'also judge this /metrics series (slope per request, or level like handles); repeatable or a comma list' },
  budget: { type: 'string', nonEmpty: true, arg: 'size/day', help: 'the growth you can live with, e.g. 50MB/day or 200MiB/h: the floors δ become budget ÷ (production rate × time), never below what the judged requests certify (harness/verdict/certify.ts; at least 2 B/request; rss keeps its own), and every memory line is also said per day at that rate' },
  'production-rate': { type: 'number', min: 0, exclusiveMin: true, max: 10_000_000, arg: 'req/s', help: "requests per second in production, for --budget and the per-day figures (default: the run's own judged rate)" },
  floor: { type: 'string', choices: ['fixed', 'adaptive'], arg: 'mode', help: "the heap floors δ: fixed (default: the scenario's, 32 B/request) or adaptive: as low as the judged requests certify and never lower (1.5 × the ≤ 611 kB a healthy relay grew by in calibration controls ÷ judged requests, at least 2 B/request; ≈ 3 B/request after 10 minutes at 800 req/s; never above the scenario's δ). Only scenarios with calibration controls of their own are lowered (so far: calibration; the fault scenarios' healthy drift is larger). The verdict prints the δ it used and why; with --budget the budget sets δ" },
  checkpoints: { type: 'int', min: 4, max: 1_000, arg: 'N', help: "at least N drained checkpoints over the load (the scenario's cadence otherwise: 12–16 per run, e.g. 37.5 s apart in a 10-minute calibration run). More points judge sooner under --until-verdict, whose looks need 7 judged points; each checkpoint drains the load first (≈ 0.5 s on the reference relay, up to the drain cap), at most one per second" },
  'until-verdict': { type: 'boolean', help: 'judge at every checkpoint and stop the load as soon as a LEAK is certain (sequential looks, harness/verdict/sequential.ts: α 0.005 spent over the planned checkpoints, ≥ 30 s and 20 000 requests judged); without a LEAK the run goes its full duration (NO-LEAK needs the whole window). run.json and the verdict say where it stopped' },
  junit: JUNIT_FLAG,
  quiet: { type: 'boolean', short: 'q', help: 'no progress output' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies FlagSpecs;

export type TargetSpec =
  | {
      kind: 'relay';
      extraArgs?: string[];
      /**
       * Extra environment for the relay process only (not the upstream). Not
       * recorded in run.json: bench:calibrate passes its test-only preload here
       * (NODE_OPTIONS), which must stay invisible to the verdict.
       */
      env?: Readonly<Record<string, string>>;
    }
  | {
      kind: 'cmd';
      command: string;
      /** `http://127.0.0.1:{port}/prefix`: the relay lives under a path prefix on the port the harness gives it. */
      url?: string;
    }
  | { kind: 'pid'; pid: number; url: string };

export interface SoakOptions {
  scenario?: string;
  accounts?: number;
  durationMs?: number;
  rate?: number;
  connections?: number;
  seed?: number;
  leaks?: string[];
  target?: TargetSpec;
  /** `--target-profile`: a built-in profile name or a JSON file (target-profile.ts). Default by target kind. */
  targetProfile?: string;
  /** `--target-config` values, `in.tmpl:out.json`: templates rendered before the target starts (target-config.ts); --target-cmd only. */
  targetConfigs?: string[];
  /** How the load talks to the target's client API (--header, --auth, --client-keys-file, --api, --model): harness/load/client-options.ts. */
  client?: ClientOptions;
  /** `--target-metrics`: the Prometheus URL scraped instead of `<target>/metrics` (loopback; `{port}` for --target-cmd). */
  targetMetrics?: string;
  /** `--target-pprof`: a Go target's net/http/pprof base; default: /debug/pprof on --target-metrics' host, when it answers. */
  targetPprof?: string;
  /** `--judge-metric` values (`NAME[:slope|level]`, each may be a comma list): series judged besides the well-known ones. */
  judgeMetrics?: string[];
  /** Run folder; default reports/runs/<run-id>. */
  out?: string;
  /** Continuous sampling period, 250–5000 ms (SOAK_FLAGS['sample-interval']). Default 2000. */
  sampleIntervalMs?: number;
  /** Turn the in-target probe off (proc-only sampling): used by bench:probe. */
  probe?: boolean;
  /** The probe's sampling heap profiler interval, KiB (SOAK_FLAGS['heap-sampling']); 0 turns it off. Default 512. */
  heapSamplingKiB?: number;
  /**
   * The attribution tail after the judged run (harness/soak/attribution-tail.ts): 'leak' (default) after a LEAK
   * verdict only, 'always' (--attribute, proofs), 'never' (--no-attribute).
   */
  attribute?: 'leak' | 'always' | 'never';
  /** What an 'always' tail is recorded as: 'proof' from prove (harness/prove/run.ts), else 'asked'. */
  attributionTrigger?: 'asked' | 'proof';
  /** Keep the tail's heap snapshots in the run folder (--keep-snapshots). Default false: removed once diffed. */
  keepSnapshots?: boolean;
  /** One attribution window's load time, ms; default from the run's rate (ATTRIBUTION_WINDOW_REQUESTS), 5–30 s. */
  attributeWindowMs?: number;
  /** --profile mode (harness/profile/plan.ts); absent: no profiler. */
  profile?: string;
  /** Turn all sampling off (bench:probe's baseline). Checkpoints still run. */
  sampling?: boolean;
  readyTimeoutMs?: number;
  /** Longest wait for in-flight work to end before a checkpoint (checkpoint.ts drain). Default 6000. */
  drainMaxMs?: number;
  /**
   * The fake upstream's keep-alive idle timeout (its --idle-timeout; default
   * there 5 min, like a real provider). Never shorter than the drain cap: an
   * upstream that closes idle sockets during a drain hides the ones a target
   * pinned (issue #20).
   */
  upstreamIdleTimeoutMs?: number;
  /** `--budget`: growth the user accepts, `50MB/day` (harness/verdict/budget.ts parseBudget). */
  budget?: string;
  /** `--production-rate`: requests/s in production for the budget; default the run's own judged rate. */
  productionRate?: number;
  /** `--floor`: fixed (the scenario's δ, default) or adaptive (harness/verdict/certify.ts: as low as the judged requests certify). */
  floor?: 'fixed' | 'adaptive';
  /** `--checkpoints`: minimum number of checkpoints, 4–1000, at most one per second of load. Default 8 (the scenario's cadence decides). */
  minCheckpoints?: number;
  /** `--until-verdict`: sequential looks after every checkpoint (harness/verdict/sequential.ts); the load stops at the first certain LEAK. */
  untilVerdict?: boolean;
  /** The looks' own warm-up fraction and x axis (prove passes its proof plan's, so the looks match how the proof judges). */
  untilVerdictLooks?: NonNullable<RunMeta['untilVerdict']>['looks'];
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Progress lines/line to this stream (CLI: stderr). Omit for silence. */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface SoakResult {
  runDir: string;
  outcome: RunOutcome;
  /** 0 no leak, 1 LEAK, 3 incomplete, 130/143 interrupted (see errors.ts EXIT). */
  exitCode: number;
  /** The run's verdict (null when interrupted or nothing was checkpointed). */
  verdict: RunVerdict | null;
  /** The verdict as the terminal summary an on-call engineer reads. */
  verdictText: string | null;
  checkpoints: number;
  samples: number;
  requestsCompleted: number;
  /** What the attribution tail found (attribution.json), when it ran. */
  attribution?: AttributionRecord;
  /** --profile: what was used and the files written (run.json's `profile`). */
  profile?: NonNullable<RunMeta['profile']>;
}

/** Loopback, with an optional path prefix (a relay mounted under /gateway: every route the load sends is under it); no query or fragment. */
const LOOPBACK_URL = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+(\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/;

/** A --target-cmd relay under a path prefix, on the port the harness picks. */
const CMD_URL = /^http:\/\/127\.0\.0\.1:\{port\}(\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/;

/** Throws a usage error (exit 2) naming the flag; nothing has been started yet. */
export function validateSoakOptions(options: SoakOptions): void {
  checkFlagValues(
    SOAK_FLAGS,
    {
      accounts: options.accounts,
      seed: options.seed,
      connections: options.connections,
      rate: options.rate,
      duration: options.durationMs,
      'sample-interval': options.sampleIntervalMs,
      'heap-sampling': options.heapSamplingKiB,
      'production-rate': options.productionRate,
      checkpoints: options.minCheckpoints,
      'target-pid': options.target?.kind === 'pid' ? options.target.pid : undefined,
    },
    flagUsageError,
  );
  if (options.target?.kind === 'pid') {
    if (!LOOPBACK_URL.test(options.target.url)) {
      throw usageError(`--target-url: expected http://127.0.0.1:PORT or http://127.0.0.1:PORT/path-prefix (loopback only, no query), got ${options.target.url}`);
    }
    if (!isAlive(options.target.pid)) throw usageError(`--target-pid: no live process ${options.target.pid} readable in /proc`);
  }
  if (options.target?.kind === 'cmd') {
    if (options.target.command.trim() === '') throw usageError('--target-cmd: empty command');
    if (options.target.url !== undefined && !CMD_URL.test(options.target.url)) {
      throw usageError(`--target-url: with --target-cmd, expected http://127.0.0.1:{port}/path-prefix (the harness picks the port), got ${options.target.url}`);
    }
    // The harness picks a free port, puts it where the command says {port},
    // and waits for the target to listen on it: a command without {port}
    // would listen elsewhere and be waited for until the readiness timeout.
    // A relay configured by file may take its port from a --target-config template instead (checked once the templates are read: run.ts).
    if (!options.target.command.includes('{port}') && (options.targetConfigs?.length ?? 0) === 0) {
      throw usageError("--target-cmd: no {port} in the command: the harness picks a free port and waits for the target to listen on it; write e.g. 'node my-relay.js --port {port}' (or 'PORT={port} node my-relay.js' for a relay that reads $PORT)");
    }
  }
  if ((options.targetConfigs?.length ?? 0) > 0 && options.target?.kind !== 'cmd') {
    throw usageError('--target-config: only with --target-cmd (the harness renders the file before it starts the target)');
  }
  if (options.targetMetrics !== undefined) checkVitalsUrl('--target-metrics', options.targetMetrics, options.target?.kind !== 'pid');
  if (options.targetPprof !== undefined) checkVitalsUrl('--target-pprof', options.targetPprof, options.target?.kind !== 'pid');
  if (options.judgeMetrics !== undefined) parseJudgeMetrics(options.judgeMetrics);
  if (options.upstreamIdleTimeoutMs !== undefined) {
    const idle = options.upstreamIdleTimeoutMs;
    const drain = options.drainMaxMs ?? 6_000;
    if (!Number.isInteger(idle) || idle < drain || idle > 3_600_000) {
      throw usageError(`upstreamIdleTimeoutMs: expected an integer in [${drain} (the drain cap), 3600000] ms, got ${idle}`);
    }
  }
  if (options.attribute !== undefined && !['leak', 'always', 'never'].includes(options.attribute)) {
    throw usageError(`attribute: expected leak, always or never, got ${String(options.attribute)}`);
  }
  if (options.attributeWindowMs !== undefined && (!Number.isInteger(options.attributeWindowMs) || options.attributeWindowMs < 500 || options.attributeWindowMs > 600_000)) {
    throw usageError(`attributeWindowMs: expected an integer in [500, 600000] ms, got ${options.attributeWindowMs}`);
  }
  if (options.floor !== undefined && options.floor !== 'fixed' && options.floor !== 'adaptive') {
    throw usageError(`--floor: expected fixed or adaptive, got ${JSON.stringify(options.floor)}`);
  }
  if (options.budget !== undefined) budgetOf(options);
  else if (options.productionRate !== undefined) throw usageError('--production-rate: only with --budget (it is the rate the budget is spread over)');
  if (options.out !== undefined) checkWritableFolder('--out', options.out);
}

/** The run's budget as run.json keeps it, or undefined; a bad --budget is a usage error naming the flag. */
export function budgetOf(options: Pick<SoakOptions, 'budget' | 'productionRate'>): RunMeta['budget'] {
  if (options.budget === undefined) return undefined;
  try {
    return { ...parseBudget(options.budget), ...(options.productionRate !== undefined ? { productionRate: options.productionRate } : {}) };
  } catch (err) {
    throw usageError((err as Error).message);
  }
}

/** `--leak` names, validated against the relay's catalog before anything starts (`--leak typo` lists the valid names, exit 2). */
export function validateLeakNames(names: readonly string[]): string[] {
  const valid = new Set(LEAK_CATALOG.map((l) => l.name));
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    if (!valid.has(name)) {
      const list = valid.size > 0 ? [...valid].join(', ') : '(the catalog is empty)';
      throw usageError(`--leak: unknown variant "${name}"; valid: ${list}`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
