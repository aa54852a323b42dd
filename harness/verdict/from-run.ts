// From the run folder's records (harness/run/read-run.ts) to the verdict
// engine's inputs. Pure: reading the folder is the caller's job.

import type { RunMeta } from '../run/meta.ts';
import type { RunRecords } from './compare.ts';
import type { VerdictRunMeta } from './types.ts';

/**
 * The subset of run.json the verdicts read. The target's Node version and
 * flags are what must match between compared runs (not the harness's); the
 * fault plans of every phase are compared as one object. `heapSizeLimit` is
 * not in RunMeta yet: pass it when the probe reports v8's heap_size_limit,
 * otherwise projections use 4 GiB and say so.
 */
export function verdictMetaOf(meta: RunMeta, extra: { heapSizeLimit?: number } = {}): VerdictRunMeta {
  return {
    runId: meta.runId,
    scenario: meta.scenario,
    seed: meta.seed,
    faultPlan: meta.faultPlans,
    nodeVersion: meta.target.nodeVersion ?? 'unknown',
    nodeFlags: meta.target.execArgv ?? [],
    ...(extra.heapSizeLimit !== undefined ? { heapSizeLimit: extra.heapSizeLimit } : {}),
    ...(meta.outcome !== null ? { outcome: meta.outcome } : {}),
    target: meta.leaks.length > 0 ? `leaks: ${meta.leaks.join(', ')}` : meta.target.kind,
    ...(meta.vitals && meta.vitals.judge.length > 0 ? { vitals: { judge: meta.vitals.judge } } : {}),
  };
}

/** A read run folder (read-run.ts's RunData, structurally) as compareRuns' input. */
export function verdictRunOf(run: { meta: RunMeta; checkpoints: RunRecords['checkpoints']; samples: RunRecords['samples'] }, extra: { heapSizeLimit?: number } = {}): RunRecords {
  return { meta: verdictMetaOf(run.meta, extra), checkpoints: run.checkpoints, ...(run.samples ? { samples: run.samples } : {}) };
}
