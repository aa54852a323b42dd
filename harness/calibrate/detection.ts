// Requests-to-detection: how long a run had to be before its verdict said LEAK.
// The run's checkpoint series is judged on growing prefixes (the first k
// checkpoints, k = 1…n) with the same options as the whole run; the first
// prefix that says LEAK gives the requests (and seconds) it took. This is what
// a verdict taken live, at each checkpoint, would have answered.

import type { Checkpoint, ContinuousSample } from '../records.ts';
import { judgeRun, type JudgeOptions, type Status, type VerdictRunMeta } from '../verdict/index.ts';

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
  /** The heap floor δ the whole run was judged with (B/request; --floor adaptive makes it per run). Absent in older ledgers. */
  heapFloor?: number;
}

function leakingOf(v: ReturnType<typeof judgeRun>): string[] {
  return [...v.memory.filter((m) => m.status === 'LEAK').map((m) => m.signal), ...v.handles.types.filter((t) => t.status === 'LEAK').map((t) => `handles ${t.type}`)];
}

export function detect(meta: VerdictRunMeta, checkpoints: readonly Checkpoint[], samples: readonly ContinuousSample[], options: JudgeOptions): Detection {
  const sorted = [...checkpoints].sort((a, b) => a.seq - b.seq);
  const whole = judgeRun(meta, sorted, samples, options);
  const heapFloor = whole.memory.find((m) => m.signal === 'heapUsed')?.floor;
  const detection: Detection = { status: whole.status, leaking: leakingOf(whole), requestsToDetection: null, msToDetection: null, checkpointsToDetection: null, ...(heapFloor !== undefined ? { heapFloor } : {}) };
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
