// Level evidence: for bugs that hold resources for a while rather than keep
// them forever (seed 001's fire-and-forget timers, seed 002's abandoned
// streams, an oversized idle pool, an unbounded fan-out). Their cost is a level
// set by a rate times a lifetime, or by peak concurrency: a slope over
// checkpoints understates or misses it, so a proof compares levels instead.
//
// Two places a level shows:
//  - `drained`: at a drained checkpoint nothing is in flight, so every handle
//    the relay still holds beyond its pre-load count (checkpoint 0) is owed to
//    work that already ended. A correct relay holds nothing extra there.
//  - `under-load`: some levels only exist while the trigger runs (a scan's
//    sockets close with the keep-alive timeout, before any drain ends; an
//    abandoned stream ends with the upstream's). Then the continuous samples
//    are compared phase by phase between the leaky and the fixed run: the same
//    seeded schedule runs the same phases for the same time in both, and only
//    some phases run the trigger (a stream-abort scenario's fast-upstream phase
//    leaves nothing to abandon, its slow-upstream phase does).
//    A trigger that comes and goes inside a phase (a relay scan: seconds of
//    probes, then the pause and the checkpoint's drain) can be read only in
//    the samples taken while it runs (`whileRunning`: the harness marks them,
//    LoadWindow.running), else the phase median weighs the gaps between scans.

import type { Checkpoint, ContinuousSample } from '../records.ts';
import { handleCounts } from './series.ts';
import { quantileSorted } from './stats.ts';
import { UNREAD_SOCKETS_KEY } from './unread.ts';

export type LevelWhere = 'drained' | 'under-load';

/** Where a level proof reads its level: the proof plan's, the proof record's and the proof page's one shape. */
export interface LevelRead {
  where: LevelWhere;
  signal: string;
  /** under-load: only the samples taken while this harness trigger ran (LoadWindow.running). */
  whileRunning?: string;
}

export interface LevelEvidence {
  /** `handles:<key>`: a resource type, `fds`, or `tcp:<STATE>`. */
  signal: string;
  where: LevelWhere;
  /** drained: the count at the pre-load checkpoint; under-load: 0. */
  baseline: number;
  /** drained: count − baseline at each checkpoint after load started; under-load: the count in each sample of the trigger's phases. */
  values: number[];
  /** drained: checkpoints holding more than the baseline; under-load: samples with a non-zero count. */
  held: number;
  median: number;
  p90: number;
  max: number;
  /** under-load: the same figures per phase, in run order. */
  phases: PhaseLevel[];
  /** under-load: only the samples taken while this harness trigger ran were read (LoadWindow.running). */
  whileRunning?: string;
}

export interface PhaseLevel {
  phase: string;
  values: number[];
  median: number;
  p90: number;
  max: number;
}

/**
 * Post-GC memory signals a drained level can be read on: a store that holds
 * rate × lifetime records (seed 001 P1-8) shows as bytes above the pre-load
 * checkpoint, not as handles.
 */
export type MemoryLevelSignal = 'heapUsed' | 'external' | 'arrayBuffers' | 'rss';

export function isMemoryLevelSignal(signal: string): signal is MemoryLevelSignal {
  return signal === 'heapUsed' || signal === 'external' || signal === 'arrayBuffers' || signal === 'rss';
}

/** The handle key of a `handles:<key>` signal, or null. */
export function handleKeyOf(signal: string): string | null {
  return signal.startsWith('handles:') ? signal.slice('handles:'.length) : null;
}

function figures(values: number[]): { median: number; p90: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : quantileSorted(sorted, q));
  return { median: at(0.5), p90: at(0.9), max: sorted.at(-1) ?? 0 };
}

function summarise(signal: string, where: LevelWhere, baseline: number, values: number[], phases: PhaseLevel[] = [], whileRunning?: string): LevelEvidence {
  return { signal, where, baseline, values, held: values.filter((v) => v > 0).length, ...figures(values), phases, ...(whileRunning !== undefined ? { whileRunning } : {}) };
}

/** The one group levelUnderLoad puts the samples of a `whileRunning` read in (in place of their phases). */
export function runningGroup(name: string): string {
  return `while ${name} runs`;
}

/** Whether a sample was taken while the harness trigger `name` ran (LoadWindow.running). */
export function sampledWhileRunning(sample: ContinuousSample, name: string): boolean {
  return (sample.load?.running?.[name] ?? 0) > 0;
}

/**
 * Handles held at drained checkpoints beyond the pre-load count. Checkpoint 0
 * (taken before any load) is the baseline; a run without one uses its first
 * checkpoint. `checkpoints` in seq order.
 */
export function levelAtDrainedCheckpoints(checkpoints: readonly Checkpoint[], signal: string): LevelEvidence {
  const key = handleKeyOf(signal);
  const memory = isMemoryLevelSignal(signal) ? signal : null;
  if ((key === null && memory === null) || checkpoints.length === 0) return summarise(signal, 'drained', 0, []);
  const count = (c: Checkpoint) => (memory !== null ? c.memory[memory] : (handleCounts(c).get(key!) ?? 0));
  const baseline = count(checkpoints[0]!);
  const loaded = checkpoints.slice(1).filter((c) => c.requestsCompleted > 0);
  return summarise(signal, 'drained', baseline, loaded.map((c) => count(c) - baseline));
}

/** The count of a handle key in a continuous sample: probe resources, or /proc for fds and TCP states. */
export function sampleHandleCount(sample: ContinuousSample, key: string): number | null {
  if (key === 'fds') return sample.proc?.fds ?? null;
  // `relay:<series>`: a gauge of the target's own /metrics, sampled with the
  // rest (headers-timeout: the upstream pool's busy sockets; /proc's TCP count
  // mixes in the client sockets the load's checkpoint graces churn).
  if (key.startsWith('relay:')) return sample.relay?.[key.slice('relay:'.length)] ?? null;
  if (key === UNREAD_SOCKETS_KEY) return sample.proc?.unread?.sockets ?? null;
  if (key.startsWith('tcp:')) return sample.proc ? (sample.proc.tcp[key.slice(4)] ?? 0) : null;
  return sample.probe ? (sample.probe.resources[key] ?? 0) : null;
}

/**
 * Handle counts in the continuous samples taken during `phases` (the phases
 * that run the trigger); with `whileRunning`, only in those taken while that
 * harness trigger ran.
 */
export function levelUnderLoad(samples: readonly ContinuousSample[], signal: string, phases: ReadonlySet<string>, whileRunning?: string): LevelEvidence {
  const key = handleKeyOf(signal);
  const values: number[] = [];
  const byPhase = new Map<string, number[]>();
  if (key !== null) {
    for (const s of samples) {
      if (!phases.has(s.phase)) continue;
      if (whileRunning !== undefined && !sampledWhileRunning(s, whileRunning)) continue;
      const v = sampleHandleCount(s, key);
      if (v === null) continue;
      values.push(v);
      // While a trigger runs, its samples are one group whatever the phase:
      // a scan's few seconds leave too few samples in any one phase.
      const group = whileRunning !== undefined ? runningGroup(whileRunning) : s.phase;
      const list = byPhase.get(group) ?? [];
      list.push(v);
      byPhase.set(group, list);
    }
  }
  const perPhase = [...byPhase].map(([phase, v]) => ({ phase, values: v, ...figures(v) }));
  return summarise(signal, 'under-load', 0, values, perPhase, whileRunning);
}

export interface LevelComparison {
  /** The leaky run shows the level and the fixed run does not. */
  holds: boolean;
  /** The leaky run shows the level (the scenario triggered the bug), whatever the fixed run does. */
  triggered: boolean;
  /** A run had too little data to compare (too few checkpoints after load, or no phase with enough samples). */
  tooLittleData: boolean;
  /** Why not, one line each (empty when it holds). */
  failures: string[];
  /** One line per side for reports. */
  leakyLine: string;
  fixedLine: string;
  /** A plateau proof's leaky run kept growing: a leak, not the plateau it is about (harness/judge/proof.ts). */
  leakyGrows?: boolean;
}

/** Checkpoints that must show the level in the leaky run (the handle verdict's persistence). */
export const MIN_HELD_CHECKPOINTS = 3;

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

const mib = (v: number): string => `${(v / 1024 ** 2).toFixed(2)} MiB`;

function describe(e: LevelEvidence): string {
  if (isMemoryLevelSignal(e.signal)) {
    return `${e.signal} above its pre-load ${mib(e.baseline)} at drained checkpoints: median +${mib(e.median)}, p90 +${mib(e.p90)}, max +${mib(e.max)} over ${e.values.length}`;
  }
  const what = e.signal.slice('handles:'.length);
  if (e.where === 'drained') {
    return `${what} above its pre-load ${e.baseline} at ${e.held}/${e.values.length} drained checkpoints (median +${fmt(e.median)}, max +${e.max})`;
  }
  const during = e.whileRunning !== undefined ? ` while ${e.whileRunning} runs` : '';
  return `${what} under load${during}: median ${fmt(e.median)}, p90 ${fmt(e.p90)}, max ${e.max} over ${e.values.length} samples`;
}

/** Samples a phase needs in both runs before its levels are compared. */
export const MIN_PHASE_SAMPLES = 5;

/**
 * The rule, per place:
 *  - drained: the leaky run holds extra handles at ≥ 3 drained checkpoints;
 *    the fixed run at fewer than 3, and its extra handles summed are under a
 *    tenth of the leaky run's (a stray socket still closing is not a level);
 *  - under-load: in at least one phase (≥ 5 samples in both runs) the leaky
 *    run's median exceeds the fixed run's 90th percentile: the leaky relay's
 *    typical level there is above nearly every level the fixed relay reached
 *    in the same phase of the same seeded schedule. (For two samples of one
 *    distribution, half of one above 90 % of the other is a rare event even
 *    over a handful of phases.)
 * Both runs need data (≥ 3 checkpoints after load, or one phase with ≥ 5 samples).
 */
export function compareLevels(leaky: LevelEvidence, fixed: LevelEvidence): LevelComparison {
  const failures: string[] = [];
  let triggered = false;
  let tooLittleData = false;
  let leakyLine = describe(leaky);
  let fixedLine = describe(fixed);
  if (leaky.where === 'drained' && isMemoryLevelSignal(leaky.signal)) {
    // Memory: a correct relay holds some bytes above its pre-load level too
    // (caches and pools filled by the load), so "holds nothing extra" cannot be
    // the rule. The under-load rule instead: the leaky run's typical level
    // above nearly every level of the fixed run's (median above its p90).
    for (const [side, e] of [['leaky', leaky], ['fixed', fixed]] as const) {
      if (e.values.length < MIN_HELD_CHECKPOINTS) failures.push(`the ${side} run has ${e.values.length} checkpoints to read ${e.signal} at, needs ${MIN_HELD_CHECKPOINTS}`);
    }
    tooLittleData = failures.length > 0;
    if (!tooLittleData) {
      triggered = leaky.median > fixed.p90;
      if (!triggered) failures.push(`the leaky run's ${leaky.signal} level is not above the fixed run's: median +${mib(leaky.median)} vs the fixed run's p90 +${mib(fixed.p90)}`);
    }
  } else if (leaky.where === 'drained') {
    for (const [side, e] of [['leaky', leaky], ['fixed', fixed]] as const) {
      if (e.values.length < MIN_HELD_CHECKPOINTS) failures.push(`the ${side} run has ${e.values.length} checkpoints after load of ${e.signal}, needs ${MIN_HELD_CHECKPOINTS}`);
    }
    tooLittleData = failures.length > 0;
    if (!tooLittleData) {
      triggered = leaky.held >= MIN_HELD_CHECKPOINTS;
      const sum = (e: LevelEvidence) => e.values.reduce((a, v) => a + Math.max(0, v), 0);
      if (!triggered) failures.push(`the leaky run holds extra ${leaky.signal} at ${leaky.held} drained checkpoints, needs ${MIN_HELD_CHECKPOINTS}: the scenario may not have triggered the bug`);
      if (fixed.held >= MIN_HELD_CHECKPOINTS || sum(fixed) * 10 > sum(leaky)) failures.push(`the fixed run still holds extra ${fixed.signal} at ${fixed.held} drained checkpoints (+${sum(fixed)} in all against the leaky run's +${sum(leaky)})`);
    }
  } else {
    const pairs = leaky.phases
      .map((l) => ({ l, f: fixed.phases.find((p) => p.phase === l.phase) }))
      .filter((x): x is { l: PhaseLevel; f: PhaseLevel } => x.f !== undefined && x.l.values.length >= MIN_PHASE_SAMPLES && x.f.values.length >= MIN_PHASE_SAMPLES);
    if (pairs.length === 0) {
      tooLittleData = true;
      failures.push(`the leaky run has no phase with ${MIN_PHASE_SAMPLES} samples of ${leaky.signal} in both runs`);
    } else {
      // The phase where the leaky run stands furthest above the fixed one.
      const best = pairs.reduce((a, b) => (b.l.median - b.f.p90 > a.l.median - a.f.p90 ? b : a));
      leakyLine = `${leakyLine}; phase ${best.l.phase}: median ${fmt(best.l.median)}`;
      fixedLine = `${fixedLine}; phase ${best.f.phase}: median ${fmt(best.f.median)}, p90 ${fmt(best.f.p90)}`;
      triggered = best.l.median > best.f.p90;
      if (!triggered) {
        failures.push(`the leaky run is not above the fixed run under load: in no phase is its median ${leaky.signal} above the fixed run's 90th percentile (closest: ${best.l.phase}, ${fmt(best.l.median)} vs ${fmt(best.f.p90)})`);
      }
    }
  }
  return { holds: failures.length === 0, triggered, tooLittleData, failures, leakyLine, fixedLine };
}

/**
 * The phases that run a level proof's trigger: every phase of the resolved
 * scenario (run.json `resolved`) but warm-up and cool-down. One rule for the
 * proof judge and the proof page.
 */
export function loadPhasesOf(resolved: unknown): Set<string> {
  const phases = (resolved as { phases?: Array<{ name?: unknown; kind?: unknown }> } | null)?.phases;
  return new Set((Array.isArray(phases) ? phases : []).filter((p) => p.kind !== 'warm-up' && p.kind !== 'cool-down').map((p) => String(p.name)));
}
