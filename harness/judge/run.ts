// From a run folder to its verdict: reads the records, derives the verdict
// options from the run's own resolved scenario (floors, warm-up phases) and
// from the relay's leak catalog (the expected cost per event of each enabled
// variant), and judges. Works on partial runs (a killed harness, a crash).

import { readRun, skippedLinesText, type RunData } from '../run/read-run.ts';
import { judgeRun as judgeRecords, formatVerdict, MEMORY_SIGNALS, type JudgeOptions, type MemorySignal, type RunVerdict, type SignatureExpectation, type FirstResponse } from '../verdict/index.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { proofPlanFor } from './proof-plan.ts';
import { verdictMeta } from './verdict-meta.ts';
import { levelThresholdsOf } from '../verdict/level-threshold.ts';

interface ResolvedLike {
  phases?: Array<{ name: string; kind?: string }>;
  thresholds?: Partial<Record<string, unknown>>;
}

/** Verdict options implied by the run itself. */
export function judgeOptionsFor(run: Pick<RunData, 'meta'> & Partial<Pick<RunData, 'events'>>): JudgeOptions {
  const resolved = (run.meta.resolved ?? {}) as ResolvedLike;
  const floors: Partial<Record<MemorySignal, number>> = {};
  for (const signal of MEMORY_SIGNALS) {
    const v = resolved.thresholds?.[signal];
    if (typeof v === 'number') floors[signal] = v;
  }
  // Checkpoint 0 is taken before any load ('start'); warm-up phases are the
  // scenario's own. Both are excluded from the regression.
  const warmupPhases = ['start', ...(resolved.phases ?? []).filter((p) => p.kind === 'warm-up').map((p) => p.name)];
  const firstResponses = firstResponsesOf(run.events ?? []);
  const levels = levelThresholdsOf(resolved);
  return {
    floors,
    warmup: { phases: warmupPhases },
    signatures: signaturesFor(run.meta.leaks, run.meta.accounts),
    ...(firstResponses.length > 0 ? { served: { firstResponses } } : {}),
    ...(run.meta.budget ? { budget: run.meta.budget } : {}),
    ...(run.meta.floor === 'adaptive' ? { floorMode: 'adaptive' as const } : {}),
    // --until-verdict: the sequential looks the run stopped on (or did not), re-derived the same way.
    ...(run.meta.untilVerdict ? { sequential: sequentialOptionsOf(run.meta.untilVerdict) } : {}),
    ...(levels.length > 0 ? { levels } : {}),
  };
}

/** run.json's --until-verdict plan as the looks' options (verdict/sequential.ts). */
export function sequentialOptionsOf(plan: NonNullable<RunData['meta']['untilVerdict']>): NonNullable<JudgeOptions['sequential']> {
  const looks = plan.looks ?? {};
  return {
    plannedLooks: plan.plannedCheckpoints,
    alpha: plan.alpha,
    spending: plan.spending,
    ...(looks.warmupFraction !== undefined ? { warmup: { fraction: looks.warmupFraction } } : {}),
    ...(looks.axis ? { axis: looks.axis } : {}),
    ...(looks.minSeconds !== undefined ? { minEarlySeconds: looks.minSeconds } : {}),
    ...(looks.minRequests !== undefined ? { minEarlyRequests: looks.minRequests } : {}),
  };
}

/** The first unexpected responses the run recorded (harness/soak/sampling.ts events), for the served-load reason. */
export function firstResponsesOf(events: RunData['events']): FirstResponse[] {
  const out: FirstResponse[] = [];
  for (const e of events) {
    const u = (e.data as { unexpectedResponse?: Partial<FirstResponse> } | undefined)?.unexpectedResponse;
    if (u && typeof u.status === 'number' && typeof u.body === 'string') out.push({ status: u.status, mismatch: u.mismatch === true, body: u.body });
  }
  return out;
}

/**
 * The expected signature of each enabled variant (its catalog cost as
 * signatures.ts judges it), as the verdict reads it (per-account costs
 * multiplied out); variants whose signal the
 * post-GC series cannot measure (churn: allocation) are left to the churn report.
 */
export function signaturesFor(leaks: readonly string[], accounts: number): SignatureExpectation[] {
  const out: SignatureExpectation[] = [];
  for (const name of leaks) {
    const entry = LEAK_CATALOG.find((e) => e.name === name);
    const signature = entry ? proofPlanFor(entry, accounts).signature : null;
    if (signature) out.push(signature);
  }
  return out;
}

export interface JudgedRun {
  run: RunData;
  verdict: RunVerdict;
  /** The verdict as the terminal summary an on-call engineer reads. */
  text: string;
}

/**
 * Judge one run folder (or a run already read) as `npm run soak` does at the
 * end of a run. `overrides` replace the options derived from the run.
 * Throws SoakError SOAK_ERR_RUN_FOLDER when the folder is not a run.
 */
export function judgeRun(run: string | RunData, overrides: JudgeOptions = {}): JudgedRun {
  const data = typeof run === 'string' ? readRun(run) : run;
  const options: JudgeOptions = { ...judgeOptionsFor(data), ...overrides };
  const verdict = judgeRecords(verdictMeta(data), data.checkpoints, data.samples, options);
  // The verdict was built without the lines that could not be read: it says so.
  const skipped = skippedLinesText(data.skipped ?? []).map((l) => `${l.level}: ${l.text}`);
  return { run: data, verdict, text: [formatVerdict(verdict), ...skipped].join('\n') };
}
