// The level a `level` proof rests on (harness/judge/proof.ts levelComparisonFor),
// recomputed for the page from the two run folders with the verdict engine's
// own functions (harness/verdict/level.ts), so every figure the page shows is
// the one the judge compared, not a look-alike:
//  - `under-load`: the signal's count in each continuous sample, the phases
//    that run the trigger (every phase but warm-up and cool-down) counted, the
//    per-phase median / p90 / max, and the phase where the leaky run's median
//    stands furthest above the fixed run's p90 (the rule's bar);
//  - `drained`: the count at each drained checkpoint against the pre-load one.
//
// Samples are streamed (reports/read-run-folder.ts): each one is reduced on
// arrival to the few fields the level reads, so an 8-hour run is not held whole.

import type { Checkpoint, ContinuousSample } from '../../harness/records.ts';
import {
  compareLevels,
  handleKeyOf,
  levelAtDrainedCheckpoints,
  levelUnderLoad,
  MIN_HELD_CHECKPOINTS,
  MIN_PHASE_SAMPLES,
  sampleHandleCount,
  sampledWhileRunning,
  type LevelComparison,
  type LevelEvidence,
  type LevelRead,
  type LevelWhere,
} from '../../harness/verdict/level.ts';
import { handleCounts } from '../../harness/verdict/series.ts';
import { encodeColumn, type EncodedColumn } from '../columns.ts';
import type { PhaseNames } from '../data.ts';
import type { ProofSummary } from './model.ts';

export type { LevelWhere };

/**
 * Where a level proof's level shows and on which `handles:<key>` signal, and
 * whether only the samples taken while a harness trigger ran count (the proof
 * plan's `level`).
 */
export type LevelPlan = LevelRead;

/**
 * The level plan of a proof: the caller's (ProofSummary.level), else read from
 * the plan's words (harness/judge/proof-plan.ts writes "higher under load" for
 * an under-load level and "held at drained checkpoints" for a drained one).
 */
export function levelPlanOf(proof: ProofSummary | null): LevelPlan | null {
  if (proof === null || proof.kind !== 'level') return null;
  if (proof.level) return proof.level;
  const signal = proof.signal;
  if (signal === null || handleKeyOf(signal) === null) return null;
  return { where: /under load/.test(proof.expects) ? 'under-load' : 'drained', signal };
}

interface PhaseLike {
  name?: unknown;
  kind?: unknown;
}


/** One sample as the level reads it: when, how far into the run, which phase, the signal's count. */
export interface LevelSample {
  t: number;
  requests: number;
  phase: string;
  count: number | null;
  /** The sample with every figure the level does not read dropped (relay gauges, load, faults, other counts). */
  slim: ContinuousSample;
}

/** The sample reduced to what sampleHandleCount reads for `key`: still a real ContinuousSample, a fraction of its size. */
function slimSample(s: ContinuousSample, key: string): ContinuousSample {
  const pick = (counts: Record<string, number> | undefined, k: string): Record<string, number> => (counts !== undefined && k in counts ? { [k]: counts[k]! } : {});
  return {
    ...s,
    proc: s.proc === null ? null : { ...s.proc, tcp: key.startsWith('tcp:') ? pick(s.proc.tcp, key.slice(4)) : {} },
    probe: s.probe === null ? null : { ...s.probe, resources: pick(s.probe.resources, key) },
    relay: key.startsWith('relay:') && s.relay !== null ? pick(s.relay, key.slice('relay:'.length)) : null,
    // Only the triggers in progress (a `whileRunning` level reads them).
    load: s.load?.running === undefined ? null : s.load,
    faults: null,
  };
}

/** Collects LevelSamples while the run folder streams; `finish` in time order. */
export function levelSampleSink(signal: string): { add(s: ContinuousSample): void; finish(): LevelSample[] } {
  const key = handleKeyOf(signal);
  const out: LevelSample[] = [];
  return {
    add(s) {
      if (key !== null) out.push({ t: s.t, requests: s.requestsCompleted, phase: s.phase, count: sampleHandleCount(s, key), slim: slimSample(s, key) });
    },
    finish: () => out.sort((a, b) => a.t - b.t),
  };
}

/** One phase both runs ran, as compareLevels weighs it. */
export interface LevelPhaseRow {
  phase: string;
  leaky: { n: number; median: number; p90: number; max: number } | null;
  fixed: { n: number; median: number; p90: number; max: number } | null;
  /** Both runs have ≥ MIN_PHASE_SAMPLES samples in it: the rule compares it. */
  compared: boolean;
  /** The leaky run's median is above the fixed run's p90 there. */
  above: boolean;
  /** The phase compareLevels reports (where the leaky run stands furthest above the fixed one). */
  deciding: boolean;
}

/** One run's evidence without its per-sample arrays (those are the chart's table). */
export interface LevelFigures {
  baseline: number;
  n: number;
  held: number;
  median: number;
  p90: number;
  max: number;
  /** drained: Σ of the extra handles over the checkpoints after load (the rule's tenth). */
  extraSum: number;
}

export interface LevelRun {
  role: 'leaky' | 'fixed';
  figures: LevelFigures;
  /** under-load: every sample of the run (the counted ones flagged) as columns; drained: null (the checkpoint table has them). */
  table: { n: number; t: EncodedColumn; phase: EncodedColumn; cols: Record<string, EncodedColumn> } | null;
  /** under-load: the samples, for the table behind the chart. */
  samples: Array<Omit<LevelSample, 'slim'> & { counted: boolean }>;
  /** drained: per checkpoint (seq order), the count above the pre-load one; null for the baseline and any before load. */
  extras: Array<number | null>;
}

export interface LevelModel {
  where: LevelWhere;
  signal: string;
  /** under-load: only the samples taken while this harness trigger ran were counted. */
  whileRunning: string | null;
  /** The handle key ('tcp:ESTABLISHED', 'Timeout'). */
  key: string;
  comparison: LevelComparison;
  runs: LevelRun[];
  /** under-load: the phases of either run, in run order. */
  phases: LevelPhaseRow[];
  /** under-load: the deciding phase's leaky median and fixed p90 (the bar it must clear); null when no phase was compared. */
  bar: { phase: string; leakyMedian: number; fixedP90: number } | null;
  /** The rule's constants, as the page states them. */
  minPhaseSamples: number;
  minHeldCheckpoints: number;
}

function figuresOf(e: LevelEvidence): LevelFigures {
  return { baseline: e.baseline, n: e.values.length, held: e.held, median: e.median, p90: e.p90, max: e.max, extraSum: e.values.reduce((a, v) => a + Math.max(0, v), 0) };
}

export interface LevelSide {
  role: 'leaky' | 'fixed';
  /** Sorted by seq. */
  checkpoints: readonly Checkpoint[];
  samples: LevelSample[];
  loadPhases: ReadonlySet<string>;
}

function omitSlim({ slim: _, ...x }: LevelSample): Omit<LevelSample, 'slim'> {
  return x;
}

/** The level evidence of both runs and their comparison, as the judge computed it. */
export function levelModel(plan: LevelPlan, leaky: LevelSide, fixed: LevelSide, phases: PhaseNames): LevelModel | null {
  const key = handleKeyOf(plan.signal);
  if (key === null) return null;
  const evidence = (s: LevelSide): LevelEvidence =>
    plan.where === 'drained'
      ? levelAtDrainedCheckpoints(s.checkpoints, plan.signal)
      : levelUnderLoad(s.samples.map((x) => x.slim), plan.signal, s.loadPhases, plan.whileRunning);
  const el = evidence(leaky);
  const ef = evidence(fixed);
  const comparison = compareLevels(el, ef);

  const rows: LevelPhaseRow[] = [];
  let bar: LevelModel['bar'] = null;
  if (plan.where === 'under-load') {
    const fig = (p: { values: number[]; median: number; p90: number; max: number } | undefined) => (p === undefined ? null : { n: p.values.length, median: p.median, p90: p.p90, max: p.max });
    const names = [...new Set([...el.phases.map((p) => p.phase), ...ef.phases.map((p) => p.phase)])];
    let best: { row: LevelPhaseRow; margin: number } | null = null;
    for (const name of names) {
      const l = fig(el.phases.find((p) => p.phase === name));
      const f = fig(ef.phases.find((p) => p.phase === name));
      const compared = l !== null && f !== null && l.n >= MIN_PHASE_SAMPLES && f.n >= MIN_PHASE_SAMPLES;
      const row: LevelPhaseRow = { phase: name, leaky: l, fixed: f, compared, above: compared && l!.median > f!.p90, deciding: false };
      rows.push(row);
      // compareLevels keeps the first phase of the largest margin (a strict > in its reduce).
      if (compared && (best === null || l!.median - f!.p90 > best.margin)) best = { row, margin: l!.median - f!.p90 };
    }
    if (best !== null) {
      best.row.deciding = true;
      bar = { phase: best.row.phase, leakyMedian: best.row.leaky!.median, fixedP90: best.row.fixed!.p90 };
    }
  }

  const run = (s: LevelSide, e: LevelEvidence): LevelRun => {
    if (plan.where === 'drained') {
      // As levelAtDrainedCheckpoints counts them: checkpoint 0 is the baseline, then every one after load started.
      const extras = s.checkpoints.map((c, i) => (i === 0 || c.requestsCompleted <= 0 ? null : (handleCounts(c).get(key) ?? 0) - e.baseline));
      return { role: s.role, figures: figuresOf(e), table: null, samples: [], extras };
    }
    const counts = (x: LevelSample) => x.count !== null && s.loadPhases.has(x.phase) && (plan.whileRunning === undefined || sampledWhileRunning(x.slim, plan.whileRunning));
    const samples = s.samples.map((x) => ({ ...omitSlim(x), counted: counts(x) }));
    return {
      role: s.role,
      figures: figuresOf(e),
      samples,
      extras: [],
      table: {
        n: samples.length,
        t: encodeColumn(samples.map((x) => x.t)),
        phase: encodeColumn(samples.map((x) => phases.index(x.phase))),
        cols: {
          requests: encodeColumn(samples.map((x) => x.requests)),
          count: encodeColumn(samples.map((x) => x.count)),
          counted: encodeColumn(samples.map((x) => (x.counted ? 1 : 0))),
        },
      },
    };
  };
  return {
    where: plan.where,
    signal: plan.signal,
    whileRunning: plan.whileRunning ?? null,
    key,
    comparison,
    runs: [run(leaky, el), run(fixed, ef)],
    phases: rows,
    bar,
    minPhaseSamples: MIN_PHASE_SAMPLES,
    minHeldCheckpoints: MIN_HELD_CHECKPOINTS,
  };
}

/** The level as embedded in the page's data (and its download JSON): the figures, the rule's bar, the samples as columns. */
export function levelEmbedded(m: LevelModel) {
  const c = m.comparison;
  return {
    where: m.where,
    signal: m.signal,
    whileRunning: m.whileRunning,
    key: m.key,
    holds: c.holds,
    triggered: c.triggered,
    failures: c.failures,
    leakyLine: c.leakyLine,
    fixedLine: c.fixedLine,
    bar: m.bar,
    phases: m.phases,
    minPhaseSamples: m.minPhaseSamples,
    minHeldCheckpoints: m.minHeldCheckpoints,
    runs: m.runs.map((r) => ({ role: r.role, figures: r.figures, table: r.table, ...(m.where === 'drained' ? { extras: r.extras } : {}) })),
  };
}
