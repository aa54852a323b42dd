// Turning checkpoint records into (x, y) series for the statistics.

import type { Checkpoint } from '../records.ts';
import type { Axis, MemorySignal } from './types.ts';
import { UNREAD_SOCKETS_KEY } from './unread.ts';

export function axisLabel(axis: Axis): string {
  return axis.kind === 'requests' ? 'request' : `event '${axis.event}'`;
}

/** The x value of a checkpoint on the axis: cumulative requests or a cumulative event count (0 when absent). */
export function xOf(checkpoint: Checkpoint, axis: Axis): number {
  return axis.kind === 'requests' ? checkpoint.requestsCompleted : (checkpoint.events[axis.event] ?? 0);
}

export function memoryOf(checkpoint: Checkpoint, signal: MemorySignal): number {
  return checkpoint.memory[signal];
}

/**
 * Handle counts of one checkpoint by key: resource types as reported by
 * getActiveResourcesInfo() (e.g. 'TCPSocketWrap'), 'fds', 'tcp:<STATE>', and
 * 'tcp:unread' (sockets with unread data).
 */
export function handleCounts(checkpoint: Checkpoint): Map<string, number> {
  const out = new Map<string, number>();
  for (const [type, count] of Object.entries(checkpoint.resourcesAfterGc)) out.set(type, count);
  out.set('fds', checkpoint.fds);
  for (const [state, count] of Object.entries(checkpoint.tcp)) out.set(`tcp:${state}`, count);
  // ESTABLISHED sockets holding bytes the target never read (unread.ts); absent in runs before it was sampled.
  if (checkpoint.unread) out.set(UNREAD_SOCKETS_KEY, checkpoint.unread.sockets);
  return out;
}

/** Every handle key seen in any checkpoint, sorted, so absent types read as 0 rather than vanish. */
export function handleKeys(checkpoints: readonly Checkpoint[]): string[] {
  const keys = new Set<string>();
  for (const c of checkpoints) for (const k of handleCounts(c).keys()) keys.add(k);
  return [...keys].sort();
}

export function handleSeries(checkpoints: readonly Checkpoint[], key: string): number[] {
  return checkpoints.map((c) => handleCounts(c).get(key) ?? 0);
}

/** Checkpoints ordered by seq (writers append in order, but a rewritten file may not be). */
export function sortCheckpoints(checkpoints: readonly Checkpoint[]): Checkpoint[] {
  return [...checkpoints].sort((a, b) => a.seq - b.seq);
}
