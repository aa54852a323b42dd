// Which verdict the report shows, and whether the run is partial.
//
// A finished run's verdict is the one in summary.json: the report shows what
// `npm run soak` decided, never a second opinion. A run without one (killed,
// still running, summary torn) is judged here from its records with the same
// options the harness derives (harness/judge/run.ts judgeOptionsFor, copied:
// judge/ imports the relay's leak catalog, and reports/ reads run folders only;
// the catalog's per-variant signatures are therefore not checked here).

import type { Checkpoint, ContinuousSample, RunOutcome } from '../harness/records.ts';
import type { RunMeta } from '../harness/run/meta.ts';
import { judgeRun, MEMORY_SIGNALS, verdictMetaOf, type JudgeOptions, type MemorySignal, type RunVerdict } from '../harness/verdict/index.ts';
import type { RunHead, TornLine } from './read-run-folder.ts';
import { levelThresholdsOf } from '../harness/verdict/level-threshold.ts';

interface ResolvedLike {
  phases?: Array<{ name: string; kind?: string }>;
  thresholds?: Partial<Record<string, unknown>>;
}

/** Floors from the scenario's thresholds; warm-up = 'start' (checkpoint 0, before load) + the scenario's warm-up phases. */
export function judgeOptionsFor(meta: RunMeta): JudgeOptions {
  const resolved = (meta.resolved ?? {}) as ResolvedLike;
  const floors: Partial<Record<MemorySignal, number>> = {};
  for (const signal of MEMORY_SIGNALS) {
    const v = resolved.thresholds?.[signal];
    if (typeof v === 'number') floors[signal] = v;
  }
  const phases = Array.isArray(resolved.phases) ? resolved.phases : [];
  const warmupPhases = ['start', ...phases.filter((p) => p?.kind === 'warm-up').map((p) => p.name)];
  const levels = levelThresholdsOf(resolved);
  return { floors, warmup: { phases: warmupPhases }, ...(levels.length > 0 ? { levels } : {}) };
}

function looksLikeVerdict(v: unknown): v is RunVerdict {
  const r = v as RunVerdict | null;
  return (
    typeof r === 'object' && r !== null && typeof r.status === 'string' && Array.isArray(r.reasons) && Array.isArray(r.memory) &&
    typeof r.warmup === 'object' && r.warmup !== null && typeof r.handles === 'object' && r.handles !== null
  );
}

export interface ShownVerdict {
  verdict: RunVerdict | null;
  source: 'summary.json' | 'judged from the records' | 'none';
  /** Why there is no verdict (the engine refused the records). */
  problem: string | null;
}

export function shownVerdict(head: RunHead, checkpoints: readonly Checkpoint[], samples: readonly ContinuousSample[]): ShownVerdict {
  const fromSummary = head.summary?.verdict;
  if (looksLikeVerdict(fromSummary)) return { verdict: fromSummary, source: 'summary.json', problem: null };
  try {
    const heapSizeLimit = head.meta.target?.heapSizeLimit ?? undefined;
    const meta = verdictMetaOf({ ...head.meta, leaks: head.meta.leaks ?? [], target: head.meta.target ?? ({} as RunMeta['target']), outcome: outcomeOf(head) }, heapSizeLimit ? { heapSizeLimit } : {});
    return { verdict: judgeRun(meta, checkpoints, samples, judgeOptionsFor(head.meta)), source: 'judged from the records', problem: null };
  } catch (err) {
    return { verdict: null, source: 'none', problem: `the verdict engine refused the records: ${(err as Error).message}` };
  }
}

/** summary.json's outcome (final), else run.json's (rewritten at the end), else null. */
export function outcomeOf(head: RunHead): RunOutcome | null {
  const o = head.summary?.outcome ?? head.meta.outcome ?? null;
  return o !== null && typeof o === 'object' && typeof o.status === 'string' ? o : null;
}

export function describeOutcome(o: RunOutcome | null): string {
  if (o === null) return 'no outcome recorded';
  switch (o.status) {
    case 'completed':
      return 'completed';
    case 'interrupted':
      return `interrupted (${o.signal})`;
    case 'target-crashed':
      return `target crashed (${o.signal !== null ? `signal ${o.signal}` : `exit code ${o.exitCode ?? 'unknown'}`})`;
    case 'failed':
      return `failed: ${o.error} (${o.code})`;
    default:
      return String((o as { status: unknown }).status);
  }
}

/** Why the report is partial, in words; empty when it is not. */
export function partialReasons(head: RunHead, torn: readonly TornLine[], missing: readonly string[], verdictProblem: string | null): string[] {
  const reasons: string[] = [];
  if (head.summaryProblem !== null) reasons.push(head.summaryProblem);
  const outcome = outcomeOf(head);
  // No summary and no outcome is one fact (the harness was killed or is still running), said once.
  if (outcome !== null && outcome.status !== 'completed') reasons.push(`run ${describeOutcome(outcome)}`);
  else if (outcome === null && head.summary !== null) reasons.push('no outcome recorded');
  for (const t of torn) reasons.push(`torn last line in ${t.file.split('/').pop()} (line ${t.line}, ${t.bytes} bytes) skipped`);
  if (head.summary === null && missing.length > 0) reasons.push(`missing ${missing.join(', ')}`);
  if (verdictProblem !== null) reasons.push(verdictProblem);
  return reasons;
}
