// From the two run folders and the caller's judgement to what the proof page
// shows: which signal is drawn, each run's checkpoints as columns, which of
// them the comparison judged (inside the aligned request range, past the
// warm-up), and each run's fitted Theil–Sen line over its judged window.
//
// The judgement itself (compareRuns, the proof rules) is the caller's: this
// file only reads what the comparison says and lines it up with the records.

import type { Checkpoint } from '../../harness/records.ts';
import type { RunComparison, RunDifference, RunVerdict } from '../../harness/verdict/index.ts';
import { checkpointTable, phaseNames, type PhaseNames, type Table } from '../data.ts';
import { encodeColumn } from '../columns.ts';
import { axisX, fitLine, fitOver, type FitLine } from '../fit.ts';
import type { LevelRead } from '../../harness/verdict/level.ts';
import { levelPlanOf } from './level.ts';

export type ProofStatus = 'holds' | 'failed' | 'inconclusive' | 'incomplete';

/** The proof's judgement as harness/judge/proof.ts decides it, plus the plan's words. */
export interface ProofSummary {
  variant: string;
  scenario: string;
  status: ProofStatus;
  /** Why it does not hold, deciding reason first; empty when it holds. */
  failures: string[];
  /** What the leaky run must show (the proof plan's `expects`). */
  expects: string;
  /** The variant's own verdict signal ('heapUsed', 'handles:fds', …); null when the verdict cannot measure it (churn). */
  signal: string | null;
  /** The proof kind: retained, handles, churn, level. */
  kind: string;
  /**
   * `level` proofs: where the level shows and on which signal (the proof plan's
   * `level`). Absent: read from `expects` (reports/proof/level.ts levelPlanOf).
   */
  level?: LevelRead | null;
  leakyLine: string;
  fixedLine: string;
  signatureLine: string;
  /** The fixed run's service against the leaky run's (harness/verdict/service.ts); absent in older proofs. */
  serviceLine?: string;
  /**
   * The fixed run's own verdict on all of its checkpoints (what the proof
   * requires clean); the comparison's after side covers only the aligned part.
   * Absent in older proofs: the card then shows the run's verdict file's status.
   */
  fixedStatus?: string | null;
  wallMs: number;
}

export interface ProofReportInput {
  /** The before run (A): the leaky relay, or the build before the fix. */
  leakyDir: string;
  /** The after run (B): the fixed relay. */
  fixedDir: string;
  /** compareRuns' result; null when the comparison was refused (see differences) or never made. */
  comparison: RunComparison | null;
  /** Null for a plain `compare`. */
  proof: ProofSummary | null;
  /** What differs between the runs when compareRuns refused them (VerdictError.differences). */
  differences: RunDifference[] | null;
  /** How the pair was judged, when not with the before run's own options (harness/judge compareRuns' note). */
  note: string | null;
  /** Where to write the page; default <common parent>/<variant>-proof.html, or compare.html. */
  out?: string;
}

export const MEMORY_KEYS = ['heapUsed', 'external', 'arrayBuffers', 'rss'] as const;
type MemoryKey = (typeof MEMORY_KEYS)[number];

export interface SignalInfo {
  /** As the verdict spells it: 'heapUsed' or 'handles:<key>'. */
  key: string;
  kind: 'memory' | 'handles';
  /** The handle key ('fds', 'tcp:CLOSE_WAIT', 'Timeout') of a handles signal, else null. */
  handle: string | null;
  /** In words, for titles. */
  label: string;
  unit: 'bytes' | 'count';
  /** Why the chart is not on the proof's own signal, when it is not. */
  fallback: string | null;
}

function handleLabel(handle: string): string {
  if (handle === 'fds') return 'open fds (/proc)';
  if (handle.startsWith('tcp:')) return `TCP sockets in ${handle.slice(4)} (/proc)`;
  if (handle.startsWith('relay:')) return `${handle.slice('relay:'.length)} (the target's /metrics)`;
  return `${handle} handles after GC (probe)`;
}

/**
 * The signal the page is about: the proof's own, else post-GC heapUsed.
 * `runs`: both runs' checkpoints, when the caller has them (the page does), so
 * what is said about a gauge at drained checkpoints is what they read.
 */
export function signalInfo(proof: ProofSummary | null, runs?: readonly (readonly Checkpoint[])[]): SignalInfo {
  const s = proof?.signal ?? null;
  // A `relay:` gauge whose level is read under load (headers-timeout,
  // unbounded-fanout: the pool's sockets while requests or a scan run) read
  // 0 at every drained checkpoint in both runs on the 2026-12-07 runs: charted
  // there it is a flat line that says nothing about the level. When the
  // checkpoints at hand hold anything else, it is charted after all.
  // The handle key as checkpoints hold it (`relay:<series>`), for handleValue.
  const gauge = s !== null && s.startsWith('handles:relay:') ? s.slice('handles:'.length) : null;
  const underLoad = gauge !== null && levelPlanOf(proof)?.where !== 'drained';
  const drainedValues = underLoad && runs ? runs.flatMap((cps) => cps.filter((c) => c.seq > 0).map((c) => handleValue(c, gauge!))).filter((v): v is number => v !== null) : null;
  const allZero = drainedValues !== null && drainedValues.every((v) => v === 0);
  const relayGauge = underLoad && (drainedValues === null || allZero);
  if (s !== null && !relayGauge && s.startsWith('handles:') && s.length > 'handles:'.length) {
    const handle = s.slice('handles:'.length);
    return { key: s, kind: 'handles', handle, label: handleLabel(handle), unit: 'count', fallback: null };
  }
  if (s !== null && (MEMORY_KEYS as readonly string[]).includes(s)) {
    return { key: s, kind: 'memory', handle: null, label: `post-GC ${s}`, unit: 'bytes', fallback: null };
  }
  const where =
    drainedValues === null
      ? 'drained checkpoints read it after the load has stopped'
      : drainedValues.length === 0
        ? 'no drained checkpoint of either run scraped it'
        : `drained checkpoints read it after the load has stopped, where it is 0 in both runs (${drainedValues.length} scrapes)`;
  const fallback =
    proof === null
      ? null
      : s === null
        ? `this ${proof.kind} proof has no post-GC series of its own (${proof.kind === 'churn' ? 'it rests on the allocation ratio, charted above' : proof.kind === 'level' ? 'its level is charted above' : 'see the comparison below'}): post-GC heapUsed is shown`
        : relayGauge
          ? `the proof's signal, the target's gauge ${gauge}, is a level under load (charted above); ${where}: post-GC heapUsed is shown`
          : `the proof's signal ${s} is not a checkpoint series: post-GC heapUsed is shown`;
  return { key: 'heapUsed', kind: 'memory', handle: null, label: 'post-GC heapUsed', unit: 'bytes', fallback };
}

/** A handle count of one checkpoint, keyed as harness/verdict/series.ts handleCounts does. */
export function handleValue(c: Checkpoint, handle: string): number | null {
  if (handle === 'fds') return typeof c.fds === 'number' ? c.fds : null;
  if (handle.startsWith('tcp:')) return c.tcp?.[handle.slice(4)] ?? 0;
  // A target gauge, scraped at the checkpoint with the rest.
  if (handle.startsWith('relay:')) return c.relay?.[handle.slice('relay:'.length)] ?? null;
  if (c.procOnly) return null;
  return c.resourcesAfterGc?.[handle] ?? 0;
}

/** The embedded table's column of a handle key (checkpointTable's names: fds, tcp:<STATE>, res:<type>). */
export function handleColumn(key: string): string {
  return key === 'fds' || key.startsWith('tcp:') ? key : `res:${key}`;
}

export function signalValue(c: Checkpoint, s: SignalInfo): number | null {
  if (s.handle !== null) return handleValue(c, s.handle);
  const key = s.key as MemoryKey;
  if (c.procOnly && key !== 'rss') return null;
  const v = c.memory?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export interface SideFit {
  slope: number;
  lower: number | null;
  upper: number | null;
  unit: string;
  /** The verdict (or signature check) status the slope belongs to. */
  status: string;
  /** Where the slope comes from, in words. */
  source: string;
}

export interface SideModel {
  table: Table;
  fit: SideFit | null;
  /** δ on this run's axis (memory signals: the floor a LEAK's interval must clear). */
  floor: { value: number; unit: string } | null;
  /** Checkpoints the comparison judged (aligned and past warm-up). */
  judged: number;
  /** Index range of the judged checkpoints in seq order, inclusive; null when none. */
  judgedRange: [number, number] | null;
  /** Checkpoints past the aligned request range. */
  pastAlignment: number;
  /** Per checkpoint (seq order): judged by the comparison, and the fitted value (null outside the fit). */
  judgedFlags: boolean[];
  fitByIndex: Array<number | null>;
}

/**
 * One run's checkpoints as columns, flagged as the comparison judged them.
 * `verdict` is the comparison's verdict of this run (judged on the checkpoints
 * at or below the aligned request count, its first warmup.dropped as warm-up).
 */
export function sideModel(
  sorted: readonly Checkpoint[],
  verdict: RunVerdict | null,
  alignedRequests: number | null,
  signal: SignalInfo,
  proof: ProofSummary | null,
  phases: PhaseNames,
  withDelta: boolean,
): SideModel {
  const alignedIdx = sorted.flatMap((c, i) => (alignedRequests === null || c.requestsCompleted <= alignedRequests ? [i] : []));
  const aligned = alignedIdx.map((i) => sorted[i]!);
  const dropped = verdict === null ? aligned.length : Math.max(0, Math.min(aligned.length, verdict.warmup?.dropped ?? 0));
  const judgedIdx = verdict === null ? [] : alignedIdx.slice(dropped);
  const judgedSet = new Set(judgedIdx);

  let fit: FitLine | null = null;
  let fitInfo: SideFit | null = null;
  let floor: SideModel['floor'] = null;
  let deltaY: Array<number | null> | null = null;
  if (verdict !== null) {
    if (signal.kind === 'memory') {
      const v = verdict.memory.find((m) => m.signal === signal.key);
      if (v !== undefined) {
        fit = fitLine(aligned, dropped, v, verdict.axis);
        if (fit !== null) fitInfo = { slope: fit.slope, lower: fit.lower, upper: fit.upper, unit: fit.unit, status: v.status, source: `the verdict's Theil–Sen slope of ${v.signal} per ${verdict.axis}` };
        if (Number.isFinite(v.floor)) {
          floor = { value: v.floor, unit: v.unit };
          if (withDelta) {
            const line = fitOver(aligned, dropped, { slope: v.floor, lower: null, upper: null, unit: v.unit }, axisX(verdict.axis), (c) => signalValue(c, signal) ?? 0);
            deltaY = line?.y ?? null;
          }
        }
      }
    } else {
      // A handle signal has no slope in the verdict (handles are judged on Δ): the
      // signature check's Theil–Sen slope per triggering event is the fitted line.
      const sig = verdict.signatures.find((s) => s.signal === signal.key && (proof === null || s.variant === null || s.variant === proof.variant));
      if (sig !== undefined && sig.measuredPerEvent !== null) {
        fit = fitOver(aligned, dropped, { slope: sig.measuredPerEvent, lower: sig.lower, upper: sig.upper, unit: `per '${sig.event}'` }, axisX(`event '${sig.event}'`), (c) => signalValue(c, signal) ?? 0, 2);
        if (fit !== null) fitInfo = { slope: fit.slope, lower: fit.lower, upper: fit.upper, unit: fit.unit, status: sig.outcome, source: `the signature check's Theil–Sen slope of ${signal.handle} per '${sig.event}' (expected ${sig.expectedPerEvent})` };
      }
    }
  }

  // Back from the aligned checkpoints to all of them: past the alignment there is no fit.
  const spread = (ys: ReadonlyArray<number | null> | null | undefined): Array<number | null> | null => {
    if (ys === null || ys === undefined) return null;
    const out: Array<number | null> = sorted.map(() => null);
    alignedIdx.forEach((i, k) => (out[i] = ys[k] ?? null));
    return out;
  };
  const full: FitLine | null = fit === null ? null : { ...fit, y: spread(fit.y)!, lo: spread(fit.lo)!, hi: spread(fit.hi)! };
  const table = checkpointTable(sorted, phases, 0, full);
  table.cols['judged'] = encodeColumn(sorted.map((_, i) => (judgedSet.has(i) ? 1 : 0)));
  table.cols['sig'] = encodeColumn(sorted.map((c) => signalValue(c, signal)));
  const d = spread(deltaY);
  if (d !== null) table.cols['delta'] = encodeColumn(d);
  return {
    table,
    fit: fitInfo,
    floor,
    judged: judgedIdx.length,
    judgedRange: judgedIdx.length === 0 ? null : [judgedIdx[0]!, judgedIdx[judgedIdx.length - 1]!],
    pastAlignment: sorted.length - alignedIdx.length,
    judgedFlags: sorted.map((_, i) => judgedSet.has(i)),
    fitByIndex: full?.y ?? sorted.map(() => null),
  };
}

/**
 * The handle keys drawn next to the signal: the signal's own, fds, then every
 * type either run changed (Δ ≠ 0 or not NO-LEAK), at most `max`.
 */
export function handleKeysShown(signal: SignalInfo, comparison: RunComparison | null, checkpoints: readonly Checkpoint[][], max = 6): string[] {
  const keys: string[] = [];
  const add = (k: string): void => {
    if (!keys.includes(k) && keys.length < max) keys.push(k);
  };
  if (signal.handle !== null) add(signal.handle);
  const changed = (comparison?.handles ?? []).filter((h) => h.before.delta !== 0 || h.after.delta !== 0 || h.before.status !== 'NO-LEAK' || h.after.status !== 'NO-LEAK');
  // Without any change, handles say nothing a memory proof needs.
  if (signal.handle === null && changed.length === 0) return [];
  if (checkpoints.some((cs) => cs.some((c) => typeof c.fds === 'number'))) add('fds');
  for (const h of changed.sort((a, b) => Math.max(Math.abs(b.before.delta), Math.abs(b.after.delta)) - Math.max(Math.abs(a.before.delta), Math.abs(a.after.delta)))) add(h.type);
  return keys;
}

export { phaseNames, handleLabel };
