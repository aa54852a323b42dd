// --profile: run the target under a profiler for the whole run and keep what
// it writes in <run>/profile/. Node's own --cpu-prof / --heap-prof need no
// dependency and are written when the target exits (the reference relay
// exits cleanly on the harness's SIGTERM); clinic doctor|flame|heapprofiler
// is optional (unmaintained upstream since 2024-09, ≈ 630 packages; a
// devDependency here, never needed for a soak) and used only when it is
// installed, else the Node flag that covers the mode, said so. clinic is
// stopped with SIGINT (targets.ts) so it writes its report.
//
// Measured throughput of one self-loading app (field notes): baseline 31.5 k
// requests, doctor 30.5 k, heapprofiler 25.0 k, flame 17.5 k,
// --cpu-prof --heap-prof 25.5 k: a profiled run's figures carry that cost.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../errors.ts';

export const PROFILE_MODES = ['cpu', 'heap', 'doctor', 'flame', 'heapprofiler'] as const;
export type ProfileMode = (typeof PROFILE_MODES)[number];

/** What a run's profiler is, decided before anything starts. */
export interface ProfilePlan {
  mode: ProfileMode;
  tool: 'node' | 'clinic';
  /** Node flags for the target's node (relay: its argv; --target-cmd: NODE_OPTIONS). */
  nodeFlags: string[];
  /** clinic: the command that wraps node (`clinic <mode> --open=false --dest DIR -- node …`) and how to run and stop it. */
  clinic: ClinicSpawn | null;
  /** Why the plan is not what was asked (clinic missing): printed and kept in run.json. */
  fallback: string | null;
  dir: string;
}

/** How the harness starts and stops a relay wrapped in clinic. */
export interface ClinicSpawn {
  bin: string;
  args: string[];
  /**
   * NO_INSIGHT: clinic asks no questions. SOAK_HARNESS_PID: exit-with-harness's
   * watch when clinic gives the relay no stdin pipe (heapprofiler).
   */
  env: Record<string, string>;
  /** clinic writes its report after the relay exits on Ctrl-C's SIGINT (a SIGTERM kills it before it writes). */
  stopSignal: 'SIGINT';
  /** clinic's analysis after the relay exits (doctor on a 10-s run: measured in test/harness/profile-e2e.test.ts). */
  stopGraceMs: number;
  /** The profile folder: clinic doctor writes node_trace.*.log files in its cwd, and refuses to start beside old ones. */
  cwd: string;
}

export const CLINIC_STOP_GRACE_MS = 120_000;

const CLINIC_MODES: ReadonlySet<ProfileMode> = new Set(['doctor', 'flame', 'heapprofiler']);

/**
 * clinic tools measured working around the reference relay (2026-12-03, clinic 13, Node 24.21: a 10-s
 * `calibration` run each): doctor and flame wrote their HTML after the relay's SIGINT exit. heapprofiler
 * left an empty profile: its preload writes on SIGINT inside the relay, which has exited by then.
 */
const CLINIC_BROKEN: Readonly<Partial<Record<ProfileMode, string>>> = {
  heapprofiler: "clinic heapprofiler writes an empty profile from the reference relay (its preload writes on SIGINT, after the relay's own graceful exit)",
};

/** The Node flag that stands in for each clinic tool: doctor and flame read CPU, heapprofiler the heap. */
const NODE_FALLBACK: Record<ProfileMode, 'cpu' | 'heap'> = { cpu: 'cpu', heap: 'heap', doctor: 'cpu', flame: 'cpu', heapprofiler: 'heap' };

export function nodeProfileFlags(kind: 'cpu' | 'heap', dir: string): string[] {
  return kind === 'cpu' ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : ['--heap-prof', `--heap-prof-dir=${dir}`];
}

/** clinic's bin in this project, or null. */
export function findClinic(projectRoot: string): string | null {
  const bin = join(projectRoot, 'node_modules', '.bin', 'clinic');
  return existsSync(bin) ? bin : null;
}

/**
 * The plan for `mode` on a target of `kind`. A --target-pid cannot be
 * profiled (its flags are set); clinic wraps only a node the harness starts
 * itself, so a --target-cmd gets the Node flags (through NODE_OPTIONS).
 */
export function profilePlan(mode: string, kind: 'relay' | 'cmd' | 'pid', runDir: string, clinicBin: string | null): ProfilePlan {
  if (!(PROFILE_MODES as readonly string[]).includes(mode)) throw usageError(`--profile: expected one of ${PROFILE_MODES.join(', ')}, got ${mode}`);
  const m = mode as ProfileMode;
  if (kind === 'pid') throw usageError('--profile needs a target the harness starts (--target-pid attaches to a running process whose flags are already set)');
  const dir = join(runDir, 'profile');
  const nodeFlags = nodeProfileFlags(NODE_FALLBACK[m], dir);
  const flagText = NODE_FALLBACK[m] === 'cpu' ? 'node --cpu-prof' : 'node --heap-prof';
  if (!CLINIC_MODES.has(m)) return { mode: m, tool: 'node', nodeFlags, clinic: null, fallback: null, dir };
  if (kind === 'cmd') return { mode: m, tool: 'node', nodeFlags, clinic: null, fallback: `clinic ${m} wraps only the reference relay's node: profiling the --target-cmd with ${flagText} instead`, dir };
  const broken = CLINIC_BROKEN[m];
  if (broken !== undefined) return { mode: m, tool: 'node', nodeFlags, clinic: null, fallback: `${broken}: profiling with ${flagText} instead`, dir };
  if (clinicBin === null) return { mode: m, tool: 'node', nodeFlags, clinic: null, fallback: `clinic is not installed (optional: npm install -D clinic): profiling with ${flagText} instead`, dir };
  const clinic: ClinicSpawn = {
    bin: clinicBin,
    args: [m, '--open=false', '--dest', dir, '--'],
    env: { NO_INSIGHT: '1', SOAK_HARNESS_PID: String(process.pid) },
    stopSignal: 'SIGINT',
    stopGraceMs: CLINIC_STOP_GRACE_MS,
    cwd: dir,
  };
  return { mode: m, tool: 'clinic', nodeFlags: [], clinic, fallback: null, dir };
}
