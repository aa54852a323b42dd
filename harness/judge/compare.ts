// Comparing two run folders: is the fix proven? A = before (leaky), B = after
// (fixed). Both are judged on the request range both reached (the verdict
// engine's compareRuns); a pair that `prove` wrote (A ran exactly one catalog
// variant, B none) is judged with that variant's proof options, so
// re-comparing kept folders gives the answer the proof printed.

import type { RunData } from '../run/read-run.ts';
import { readRunFolder } from '../run/read-run.ts';
import { compareRuns as compareRecords, type JudgeOptions, type RunComparison } from '../verdict/index.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { judgeOptionsFor, sequentialOptionsOf } from './run.ts';
import { proofPlanFor } from './proof-plan.ts';
import { verdictRecords } from './verdict-meta.ts';

/**
 * The verdict options for a pair of runs: the before run's own (floors and
 * warm-up phases of its scenario), plus, when the pair is a proof (before ran
 * exactly one catalog variant, after none), that variant's proof options.
 */
export function compareOptionsFor(before: RunData, after: RunData): { options: JudgeOptions; note: string | null } {
  // Meta only: one option set judges both runs, and a run's first unexpected responses are its own.
  // The before run's sequential looks (--until-verdict) are its own: the after run is never judged with them.
  const { sequential: _looks, ...base } = judgeOptionsFor({ meta: before.meta });
  const leaks = before.meta.leaks ?? [];
  const entry = leaks.length === 1 && (after.meta.leaks ?? []).length === 0 ? LEAK_CATALOG.find((e) => e.name === leaks[0]) : undefined;
  // 'allocated' (churn) signatures are not a post-GC series the verdict can regress.
  if (!entry) return { options: { ...base, signatures: (base.signatures ?? []).filter((s) => (s.signal as string) !== 'allocated') }, note: null };
  const plan = proofPlanFor(entry, before.meta.accounts);
  const axis = plan.judge.axis?.kind === 'event' ? `event '${plan.judge.axis.event}'` : 'requests';
  return {
    // The run's warm-up phases stay; the proof raises the fraction rule.
    options: { ...base, ...plan.judge, warmup: { ...base.warmup, ...plan.judge.warmup } },
    note: `judged as a proof of ${entry.name}: x axis ${axis}, warm-up ≥ ${Math.round((plan.judge.warmup?.fraction ?? 0.2) * 100)} % of checkpoints, minimum judged window ${plan.judge.minJudgedSeconds} s / ${plan.judge.minJudgedRequests} requests`,
  };
}

export interface ComparedRuns {
  before: RunData;
  after: RunData;
  comparison: RunComparison;
  /** How the pair was judged, when not with the before run's own options (a proof pair). */
  note: string | null;
}

/**
 * Compare two runs (folders, or runs already read). Throws SoakError
 * SOAK_ERR_USAGE naming `<runA>` / `<runB>` when a folder is not a run, and
 * VerdictError SOAK_ERR_RUN_MISMATCH (every difference listed) unless `force`.
 */
export function compareRuns(before: string | RunData, after: string | RunData, options: { force?: boolean } = {}): ComparedRuns {
  const a = typeof before === 'string' ? readRunFolder('<runA>', before) : before;
  const b = typeof after === 'string' ? readRunFolder('<runB>', after) : after;
  const { options: judge, note } = compareOptionsFor(a, b);
  // A before run stopped early (--until-verdict) is judged with its looks, the after run whole (verdict/compare.ts).
  const plan = a.meta.untilVerdict;
  const early = plan?.stoppedEarly ? { stoppedEarlyBefore: sequentialOptionsOf(plan) } : {};
  const comparison = compareRecords(verdictRecords(a), verdictRecords(b), { ...judge, force: options.force === true, ...early });
  return { before: a, after: b, comparison, note };
}
