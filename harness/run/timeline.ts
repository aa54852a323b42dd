// Cutting a resolved scenario's load time into segments: each segment lies in
// one phase and ends either at a phase boundary or at a checkpoint. The load
// is idle between segments, which is where checkpoints happen, so checkpoint
// windows never enter latency statistics.

export interface PhaseSpan {
  name: string;
  startMs: number;
  endMs: number;
}

export interface Segment {
  phaseIndex: number;
  startMs: number;
  endMs: number;
  /** A phase starts with this segment: apply its fault plan first. */
  phaseStart: boolean;
  /** Take checkpoint number `checkpointAfter` when this segment ends. */
  checkpointAfter: number | null;
}

/**
 * Checkpoint times over [0, durationMs]: at least `minCount`, at most one per
 * `everyMs`, evenly spaced, the last one at the end of the load.
 */
export function checkpointTimes(durationMs: number, everyMs: number, minCount: number): number[] {
  const count = Math.max(minCount, Math.floor(durationMs / Math.max(1, everyMs)));
  const step = durationMs / count;
  const out: number[] = [];
  for (let k = 1; k <= count; k++) out.push(Math.round(k * step));
  out[out.length - 1] = durationMs;
  return out;
}

/** A phase's planned request rate (requests/s, from → to linearly over the phase); null in the closed model. */
export interface PlannedRate {
  startMs: number;
  endMs: number;
  rate: { from: number; to: number } | null;
}

/**
 * Load times at which the planned requests reach every multiple of
 * `everyRequests` (open model: a phase's rate ramps linearly, so its request
 * count is quadratic in time and solved exactly). A closed model has no
 * planned rate: nothing can be placed (resolve.ts refuses the combination).
 */
export function requestCheckpointTimes(phases: readonly PlannedRate[], everyRequests: number): number[] {
  const out: number[] = [];
  let before = 0; // planned requests before the current phase
  let next = everyRequests;
  for (const p of phases) {
    if (p.rate === null) return [];
    const seconds = (p.endMs - p.startMs) / 1000;
    const { from, to } = p.rate;
    const a = (to - from) / (2 * Math.max(seconds, 1e-9)); // requests(t) = from·t + a·t², t in s from the phase start
    const total = from * seconds + a * seconds * seconds;
    while (next <= before + total + 1e-9) {
      const want = next - before;
      const t = Math.abs(a) < 1e-12 ? want / from : (-from + Math.sqrt(from * from + 4 * a * want)) / (2 * a);
      out.push(Math.round(p.startMs + t * 1000));
      next += everyRequests;
    }
    before += total;
  }
  return out;
}

/**
 * The time marks and the request marks together, in order; a mark closer
 * than `minGapMs` to the one before it is dropped (two drains a moment apart
 * measure the same state twice), and the load's end is always the last.
 */
export function mergeCheckpointTimes(timeMarks: readonly number[], requestMarks: readonly number[], durationMs: number, minGapMs: number): number[] {
  const all = [...new Set([...timeMarks, ...requestMarks].filter((t) => t > 0 && t < durationMs))].sort((a, b) => a - b);
  const out: number[] = [];
  for (const t of all) if (t - (out.at(-1) ?? 0) >= minGapMs && durationMs - t >= minGapMs) out.push(t);
  out.push(durationMs);
  return out;
}

export function buildTimeline(phases: readonly PhaseSpan[], checkpoints: readonly number[]): Segment[] {
  const bounds = new Set<number>();
  for (const p of phases) {
    bounds.add(p.startMs);
    bounds.add(p.endMs);
  }
  for (const c of checkpoints) bounds.add(c);
  const sorted = [...bounds].sort((a, b) => a - b);
  const cpIndex = new Map(checkpoints.map((t, i) => [t, i + 1] as const));
  const segments: Segment[] = [];
  let lastPhase = -1;
  for (let i = 0; i + 1 < sorted.length; i++) {
    const startMs = sorted[i]!;
    const endMs = sorted[i + 1]!;
    if (endMs <= startMs) continue;
    const phaseIndex = phases.findIndex((p) => p.startMs <= startMs && startMs < p.endMs);
    if (phaseIndex < 0) continue;
    segments.push({
      phaseIndex,
      startMs,
      endMs,
      phaseStart: phaseIndex !== lastPhase,
      checkpointAfter: cpIndex.get(endMs) ?? null,
    });
    lastPhase = phaseIndex;
  }
  return segments;
}
