// Requests-to-detection: how long a run had to be before its verdict said LEAK.
// The run's checkpoint series is judged on growing prefixes (the first k
// checkpoints, k = 1…n) with the same options as the whole run; the first
// prefix that says LEAK gives the requests (and seconds) it took. This is what
// a verdict taken live, at each checkpoint, would have answered — with no
// error budget across those looks, which is why `--until-verdict` does not use
// it. The sequential looks (verdict/sequential.ts, α spent across looks) are
// judged on the same series too: where `--until-verdict` would have stopped the
// run. A run that went its full length gives both, so one calibration measures
// the two rules on the same runs.

import type { Checkpoint, ContinuousSample } from '../records.ts';
import { DEFAULT_SEQUENTIAL_ALPHA, judgeRun, judgeSequentialRun, type JudgeOptions, type Status, type VerdictRunMeta } from '../verdict/index.ts';

export interface Detection {
  /** Verdict of the whole run. */
  status: Status;
  /** Memory signals and handle types the whole run called LEAK. */
  leaking: string[];
  /** Completed requests at the first checkpoint whose prefix says LEAK; null if none does. */
  requestsToDetection: number | null;
  /** Milliseconds since the run's first checkpoint at that checkpoint. */
  msToDetection: number | null;
  /** Checkpoints in that prefix. */
  checkpointsToDetection: number | null;
  /**
   * Where the sequential looks first called LEAK (the run's own --until-verdict
   * plan, else one look per checkpoint taken after the baseline, α 0.005,
   * Pocock); null when no look did. Absent in older ledgers.
   */
  sequential?: { requests: number; ms: number; checkpoints: number } | null;
  /** The heap floor δ the whole run was judged with (B/request; --floor adaptive makes it per run). Absent in older ledgers. */
  heapFloor?: number;
  /** The whole run's heapUsed slope and its 95 % interval (B/request): what the leak measured as. Absent in older ledgers. */
  heapSlope?: { slope: number; lower: number; upper: number } | null;
}

function leakingOf(v: ReturnType<typeof judgeRun>): string[] {
  return [...v.memory.filter((m) => m.status === 'LEAK').map((m) => m.signal), ...v.handles.types.filter((t) => t.status === 'LEAK').map((t) => `handles ${t.type}`)];
}

export function detect(meta: VerdictRunMeta, checkpoints: readonly Checkpoint[], samples: readonly ContinuousSample[], options: JudgeOptions): Detection {
  const sorted = [...checkpoints].sort((a, b) => a.seq - b.seq);
  const whole = judgeRun(meta, sorted, samples, options);
  const heap = whole.memory.find((m) => m.signal === 'heapUsed');
  const heapFloor = heap?.floor;
  const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
  const detection: Detection = {
    status: whole.status,
    leaking: leakingOf(whole),
    requestsToDetection: null,
    msToDetection: null,
    checkpointsToDetection: null,
    sequential: sequentialDetection(meta, sorted, options),
    ...(heapFloor !== undefined ? { heapFloor } : {}),
    heapSlope: heap && finite(heap.slope) && finite(heap.lower) && finite(heap.upper) ? { slope: heap.slope, lower: heap.lower, upper: heap.upper } : null,
  };
  // Prefixes shorter than the verdict's minimum are INCONCLUSIVE by rule; judging them costs little.
  for (let k = 1; k <= sorted.length; k++) {
    const prefix = sorted.slice(0, k);
    const v = k === sorted.length ? whole : judgeRun(meta, prefix, samples.filter((s) => s.t <= prefix[k - 1]!.t), options);
    if (v.status === 'LEAK') {
      detection.requestsToDetection = prefix[k - 1]!.requestsCompleted;
      detection.msToDetection = prefix[k - 1]!.t - sorted[0]!.t;
      detection.checkpointsToDetection = k;
      break;
    }
  }
  return detection;
}

/** The first look of the sequential rule that says LEAK on the sorted series, as --until-verdict would have stopped there. */
function sequentialDetection(meta: VerdictRunMeta, sorted: readonly Checkpoint[], options: JudgeOptions): Detection['sequential'] {
  if (sorted.length === 0) return null;
  const sequential = options.sequential ?? { plannedLooks: sorted.filter((c) => c.seq > 0).length, alpha: DEFAULT_SEQUENTIAL_ALPHA, spending: 'pocock' as const };
  const stop = judgeSequentialRun(sorted, { ...options, sequential }, meta.scenario)?.stop ?? null;
  if (stop === null) return null;
  return { requests: stop.requests, ms: stop.tMs - sorted[0]!.t, checkpoints: sorted.findIndex((c) => c.seq === stop.seq) + 1 };
}
