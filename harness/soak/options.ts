// What runSoak accepts, and the one declaration of its flags (shared/cli/flags.ts):
// the CLI parses argv with SOAK_FLAGS and --help prints their ranges, and
// validateSoakOptions checks a programmatic caller's numbers against the same
// declarations, so the CLI, the API and the help text cannot disagree.

import { checkFlagValues, type FlagSpecs } from '../../shared/cli/flags.ts';
import { flagUsageError, usageError } from '../errors.ts';
import type { RunOutcome } from '../records.ts';
import type { RunVerdict } from '../verdict/index.ts';
import type { Progress } from '../progress.ts';
import { isAlive } from '../run/pids.ts';
import { checkWritableFolder } from '../run/writable-folder.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';

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
  'target-pid': { type: 'int', min: 1, max: 2 ** 22, arg: 'pid', help: 'attach to a running process (with --target-url): /proc sampling only' },
  'target-url': { type: 'string', arg: 'url', help: 'URL of the process given by --target-pid (loopback only)' },
  out: { type: 'string', nonEmpty: true, arg: 'dir', help: 'run folder (default reports/runs/<run-id>)' },
  'sample-interval': { type: 'duration', min: 250, max: 5_000, default: 2_000, arg: 'time', help: 'continuous sampling period' },
  'no-probe': { type: 'boolean', help: 'do not preload the probe into the target (/proc sampling only)' },
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
  | { kind: 'cmd'; command: string }
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
  /** Run folder; default reports/runs/<run-id>. */
  out?: string;
  /** Continuous sampling period, 250–5000 ms (SOAK_FLAGS['sample-interval']). Default 2000. */
  sampleIntervalMs?: number;
  /** Turn the in-target probe off (proc-only sampling): used by bench:probe. */
  probe?: boolean;
  /** Turn all sampling off (bench:probe's baseline). Checkpoints still run. */
  sampling?: boolean;
  readyTimeoutMs?: number;
  /** Longest wait for in-flight 0 and keep-alive sockets to close before a checkpoint. */
  drainMaxMs?: number;
  /** Minimum number of checkpoints. Default 8. */
  minCheckpoints?: number;
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
}

const LOOPBACK_URL = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+\/?$/;

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
      'target-pid': options.target?.kind === 'pid' ? options.target.pid : undefined,
    },
    flagUsageError,
  );
  if (options.target?.kind === 'pid') {
    if (!LOOPBACK_URL.test(options.target.url)) {
      throw usageError(`--target-url: expected http://127.0.0.1:PORT (loopback only), got ${options.target.url}`);
    }
    if (!isAlive(options.target.pid)) throw usageError(`--target-pid: no live process ${options.target.pid} readable in /proc`);
  }
  if (options.target?.kind === 'cmd') {
    if (options.target.command.trim() === '') throw usageError('--target-cmd: empty command');
    // The harness picks a free port, puts it where the command says {port},
    // and waits for the target to listen on it: a command without {port}
    // would listen elsewhere and be waited for until the readiness timeout.
    if (!options.target.command.includes('{port}')) {
      throw usageError("--target-cmd: no {port} in the command: the harness picks a free port and waits for the target to listen on it; write e.g. 'node my-relay.js --port {port}' (or 'PORT={port} node my-relay.js' for a relay that reads $PORT)");
    }
  }
  if (options.out !== undefined) checkWritableFolder('--out', options.out);
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
