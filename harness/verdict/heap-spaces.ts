// Which part of the heap moved: the probe records each V8 heap space's used
// bytes after the forced GCs at every drained checkpoint (records.ts
// Checkpoint.heapSpaces), and each space's series is regressed on the run's
// axis like heapUsed itself (Theil–Sen with its interval, trend.ts). Objects a
// leak keeps land in old_space (large ones in large_object_space); code_space
// is JIT machine code and trusted_space holds bytecode on Node 24, which grow
// as a healthy process warms up more functions. Attribution, not a verdict: it
// never changes the run's status. Why: a fixed relay's heap rose 23–33
// B/request in 90-s account-churn runs with nothing it keeps growing
// (2026-12-07), and without the split nobody could say whether that was
// objects or code.

import type { Checkpoint } from '../records.ts';
import { estimateTrend, hasSpread, partOfHeap, type HeapPart } from './trend.ts';

/** A space: its slope per x (B/request, or per event on an event axis). */
export interface HeapSpaceTrend extends HeapPart {
  /** V8's name: old_space, code_space, trusted_space, large_object_space, new_space, … */
  space: string;
}

export interface HeapSpacesVerdict {
  /** Judged checkpoints that carried the split. */
  n: number;
  /** Every space seen, largest slope first. */
  spaces: HeapSpaceTrend[];
}

/** A space needs this many judged checkpoints with figures to get a slope (as allocation sites do). */
export const MIN_SPACE_CHECKPOINTS = 5;

/** What a space holds, in words, for the verdict line. */
export const SPACE_MEANING: Readonly<Record<string, string>> = {
  old_space: 'objects that survived',
  large_object_space: 'objects over ≈ 128 KiB',
  code_space: 'JIT machine code',
  trusted_space: 'bytecode and code metadata',
  new_space: 'young objects',
};

/**
 * `judged`: the post-warm-up checkpoints in seq order; `x`: their axis values
 * (requests, or the event count on an event axis), the same the heapUsed
 * verdict regressed on; `heapSlope`: that verdict's slope, for the share.
 */
export function judgeHeapSpaces(judged: readonly Checkpoint[], x: readonly number[], heapSlope: number | null): HeapSpacesVerdict | null {
  const idx = judged.map((c, i) => (c.heapSpaces !== undefined && !c.procOnly ? i : -1)).filter((i) => i >= 0);
  if (idx.length < MIN_SPACE_CHECKPOINTS) return null;
  const xs = idx.map((i) => x[i]!);
  if (!hasSpread(xs)) return null;
  const names = new Set<string>();
  for (const i of idx) for (const name of Object.keys(judged[i]!.heapSpaces!)) names.add(name);
  const spaces: HeapSpaceTrend[] = [];
  for (const space of names) {
    const y = idx.map((i) => judged[i]!.heapSpaces![space] ?? 0);
    // Sen's interval alone: attribution, judged whenever the heap is, where the
    // bootstrap (2 000 replicates under 10 points) cost 7 ms per judgement for 5 spaces.
    const t = estimateTrend(xs, y, { senMinPoints: 0 });
    spaces.push({ space, ...partOfHeap(t, y, heapSlope) });
  }
  spaces.sort((a, b) => b.slope - a.slope);
  return { n: idx.length, spaces };
}
