// Input and option types shared by the verdict modules. Output shapes live
// next to the code that produces them (memory.ts, handles.ts, ...).

import type { RunOutcome } from '../records.ts';

/**
 * What the verdict code needs from run.json. harness/records.ts does not define
 * RunMeta yet, so this is the minimal shape the verdicts read; the run writer's
 * RunMeta only has to be structurally compatible.
 */
export interface VerdictRunMeta {
  runId?: string;
  scenario: string;
  seed: number | string;
  /** The fault plan the upstream ran with; compared deep-equal between runs. */
  faultPlan?: unknown;
  /** process.version of the target, e.g. 'v24.21.0'. */
  nodeVersion: string;
  /** Node flags the target ran with (execArgv / NODE_OPTIONS), order-insensitive. */
  nodeFlags?: readonly string[];
  /** v8.getHeapStatistics().heap_size_limit of the target, bytes (from the probe). */
  heapSizeLimit?: number;
  /** How the run ended; a crashed target makes every verdict INCONCLUSIVE. */
  outcome?: RunOutcome;
  /** Free label for reports: 'leaky', 'fixed', a variant id. */
  target?: string;
  /** run.json's vitals: the series chosen with --judge-metric (vitals.ts). */
  vitals?: { judge: ReadonlyArray<{ key: string; kind: 'slope' | 'level' }> };
}

export const MEMORY_SIGNALS = ['heapUsed', 'external', 'arrayBuffers', 'rss'] as const;
export type MemorySignal = (typeof MEMORY_SIGNALS)[number];

/** The x axis of every slope: cumulative completed requests, or a named cumulative event count. */
export type Axis = { kind: 'requests' } | { kind: 'event'; event: string };

export interface WarmupOptions {
  /** Phase names that mark warm-up checkpoints; default ['warmup', 'warm-up']. */
  phases?: readonly string[];
  /** Fraction of checkpoints dropped when no phase marks warm-up; default 0.2. */
  fraction?: number;
  /** Minimum checkpoints dropped by the fraction rule; default 2. */
  minDrop?: number;
  /** Drop exactly this many leading checkpoints, overriding both rules. */
  dropFirst?: number;
}

export type Status = 'LEAK' | 'NO-LEAK' | 'INCONCLUSIVE';
