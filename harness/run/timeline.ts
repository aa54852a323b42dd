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
