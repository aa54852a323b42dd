// A read run folder as the verdict engine's input: the one place run.json is
// turned into VerdictRunMeta (with the target's heap limit when the probe
// reported it; otherwise projections use 4 GiB and say so).

import type { RunData } from '../run/read-run.ts';
import type { Checkpoint } from '../records.ts';
import { verdictMetaOf, type RunRecords, type VerdictRunMeta } from '../verdict/index.ts';

export function verdictMeta(run: Pick<RunData, 'meta'>): VerdictRunMeta {
  const heapSizeLimit = run.meta.target.heapSizeLimit ?? undefined;
  return verdictMetaOf(run.meta, heapSizeLimit ? { heapSizeLimit } : {});
}

/**
 * Checkpoints with a cumulative `requests` event: catalog entries whose cost is
 * per request name the event `requests`, which older run folders did not count
 * as an event (it is `requestsCompleted`). A view, the records are not changed.
 */
export function withRequestsEvent(checkpoints: readonly Checkpoint[]): Checkpoint[] {
  return checkpoints.map((c) => (c.events['requests'] !== undefined ? c : { ...c, events: { ...c.events, requests: c.requestsCompleted } }));
}

/** A run as compareRuns' input: its meta, checkpoints (with the `requests` event) and samples. */
export function verdictRecords(run: Pick<RunData, 'meta' | 'checkpoints' | 'samples'>): RunRecords {
  return { meta: verdictMeta(run), checkpoints: withRequestsEvent(run.checkpoints), ...(run.samples ? { samples: run.samples } : {}) };
}
