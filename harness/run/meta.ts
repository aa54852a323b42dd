// Run metadata (run.json): everything needed to reproduce a run and to refuse
// comparing two runs that are not comparable.

import { execFileSync } from 'node:child_process';
import { cpus, totalmem, hostname, release } from 'node:os';
import type { RunOutcome } from '../records.ts';
import { RECORD_VERSION } from '../records.ts';

export interface TargetDescription {
  kind: 'relay' | 'cmd' | 'pid';
  /** The command line as run, with no secrets (keys are passed through the environment). */
  command: string | null;
  pid: number | null;
  url: string | null;
  /** Node version and flags of the target when the probe reported them. */
  nodeVersion: string | null;
  execArgv: string[] | null;
  /** v8's heap_size_limit in the target, when the probe reported it (projections to OOM use it). */
  heapSizeLimit: number | null;
}

export interface RunMeta {
  recordVersion: number;
  runId: string;
  scenario: string;
  /** The resolved scenario (phases with absolute times, mixes, fault plans, thresholds). */
  resolved: unknown;
  seed: number;
  accounts: number;
  durationMs: number;
  leaks: string[];
  /** The fault plan(s) applied, exactly as sent to the upstream, per phase. */
  faultPlans: Record<string, unknown>;
  target: TargetDescription;
  harness: { nodeVersion: string; execArgv: string[]; argv: string[] };
  gitSha: string | null;
  machine: { cores: number; cpuModel: string; memoryBytes: number; hostname: string; kernel: string };
  startedAt: string;
  endedAt: string | null;
  outcome: RunOutcome | null;
  /**
   * The target's own vitals (harness/sampler/target-metrics.ts VitalsMeta):
   * the Prometheus URL scraped (--target-metrics), the net/http/pprof base read
   * at checkpoints, and the series chosen with --judge-metric. Absent: none given.
   */
  vitals?: { metricsUrl: string | null; pprofUrl: string | null; judge: Array<{ key: string; kind: 'slope' | 'level' }> };
  /** --profile: the mode asked, the tool really used, why it differs, and the files in profile/ (relative to the run folder). */
  profile?: { mode: string; tool: 'node' | 'clinic'; fallback: string | null; files: string[] };
  /** --budget / --production-rate (harness/verdict/budget.ts): the floors δ come from it when the run is judged. Absent: none given. */
  budget?: { text: string; bytesPerDay: number; productionRate?: number };
  /** --floor adaptive (harness/verdict/certify.ts): the heap floors go down to what the judged requests certify. Absent: fixed. */
  floor?: 'adaptive';
  /**
   * --until-verdict (harness/verdict/sequential.ts): the looks' plan, and where the run stopped when a LEAK was
   * certain before its end (null: it ran its full duration). Absent: the run was judged once, at its end.
   */
  untilVerdict?: {
    plannedCheckpoints: number;
    alpha: number;
    spending: 'pocock' | 'obrien-fleming';
    /**
     * The looks' own warm-up fraction, x axis and shortest judged window (seconds, requests) when they are not the
     * run's (a proof's leaky run: its proof plan's, so a run stopped early is long enough for the proof to judge).
     */
    looks?: { warmupFraction?: number; axis?: { kind: 'requests' } | { kind: 'event'; event: string }; minSeconds?: number; minRequests?: number };
    stoppedEarly: null | { checkpoint: number; requests: number; seconds: number; loadSeconds: number; alphaSpent: number; signals: string[] };
  };
}

export function gitSha(cwd: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}

export function machineInfo(): RunMeta['machine'] {
  const c = cpus();
  return { cores: c.length, cpuModel: c[0]?.model ?? 'unknown', memoryBytes: totalmem(), hostname: hostname(), kernel: release() };
}

export function harnessInfo(): RunMeta['harness'] {
  return { nodeVersion: process.version, execArgv: process.execArgv, argv: process.argv.slice(2) };
}

export { RECORD_VERSION };
