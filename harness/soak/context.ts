// What the parts of one soak run share. run.ts owns it; targets, drive,
// sampling and checkpoint each take it rather than reaching into the run, so
// every part's inputs and the state it writes are visible in one interface.

import type { SoakError } from '../errors.ts';
import type { LoadDriver, ResolvedClient } from '../load/index.ts';
import type { ProgressReporter } from '../progress.ts';
import type { RunMeta } from '../run/meta.ts';
import type { RunFolder } from '../run/run-folder.ts';
import type { ResolvedScenario } from '../../scenarios/index.ts';
import type { SoakOptions, TargetSpec } from './options.ts';
import type { TargetConfigFile } from './target-config.ts';
import type { TargetProfile } from './target-profile.ts';
import type { ProfilePlan } from '../profile/plan.ts';

export type RunEventType = 'phase' | 'warning' | 'checkpoint-skipped' | 'outcome' | 'info';

/**
 * Where the run is. The sampler runs concurrently with the driver and reads
 * this to label samples and report progress; drive.ts and checkpoint.ts write it.
 */
export interface RunState {
  /** The current phase's name ('start' until the first phase begins). */
  phaseName: string;
  /** The load generator, once drive.ts has created it. */
  load: LoadDriver | null;
  /** Load time (ms) of the next checkpoint, for the progress line. */
  nextCheckpointMs: number;
  /** Load time done before the current segment, and when (performance.now()) the current one started. */
  loadElapsedMs: number;
  segment: { startedAt: number; lengthMs: number } | null;
  samplesWritten: number;
  checkpointsWritten: number;
}

export interface RunContext {
  readonly options: SoakOptions;
  readonly scenario: ResolvedScenario;
  readonly target: TargetSpec;
  /** The routes the target has (target-profile.ts): traffic for the others is not sent. */
  readonly profile: TargetProfile;
  /** --target-config files, checked, with their templates' text (target-config.ts): rendered before the target starts. */
  readonly targetConfig: { files: readonly TargetConfigFile[]; templates: readonly string[] };
  /** --profile's plan (harness/profile/plan.ts): flags or a clinic wrapper for the target; null without --profile. */
  readonly profiler: ProfilePlan | null;
  /** How the load talks to the target's client API (harness/load/client-options.ts). */
  readonly client: ResolvedClient;
  /** Validated leak variant names to switch on in the reference relay. */
  readonly leaks: readonly string[];
  /** run.json as it stands; targets.ts fills in the target's description. */
  readonly meta: RunMeta;
  readonly folder: RunFolder;
  readonly progress: ProgressReporter | null;
  /** Aborted when the run must stop: caller's signal, a child exited, or the run ended. */
  readonly signal: AbortSignal;
  readonly state: RunState;
  /** Milliseconds since the run started: the `t` of every record. */
  now(): number;
  event(type: RunEventType, message: string, data?: unknown): void;
  /** End the run now with `error` as its failure (outcome `failed`, the error's exit code): children stopped, folder kept. */
  stopRun(error: SoakError): void;
  /** --until-verdict: after checkpoint `seq`, true when a LEAK is certain and the load stops (the run then completes). Absent: never. */
  untilVerdictStop?(seq: number): boolean;
}
