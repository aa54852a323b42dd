// The churn a churn proof rests on: allocated bytes and GC time per request in
// both runs, window by window, as the verdict measured them
// (harness/verdict/churn.ts measureChurn: differences of the probe's cumulative
// counters between consecutive readings; the samples' when a run has ≥ 3
// sample windows, else the checkpoints'). The windows are rebuilt here from
// the run folders with where they sit (time, requests completed), then matched
// to the comparison's own windows (ChurnReport.windows: the same differences
// of the same readings, bit for bit), so the page marks exactly the windows the
// ratio was computed over (past warm-up, no forced-GC checkpoint inside) and
// states the comparison's figures rather than a look-alike.

import type { Checkpoint, ContinuousSample } from '../../harness/records.ts';
import type { ChurnComparison, ChurnReport } from '../../harness/verdict/index.ts';
import { encodeColumn, type EncodedColumn } from '../columns.ts';
import type { PhaseNames } from '../data.ts';

/** One reading of the cumulative counters; null figures: no probe then. */
export interface ChurnReading {
  t: number;
  requests: number;
  phase: string;
  allocated: number | null;
  gcMs: number | null;
}

export interface ChurnWindowRow {
  /** End of the window: time (ms) and cumulative requests. */
  t: number;
  requests: number;
  phase: string;
  /** Requests completed within the window. */
  windowRequests: number;
  allocatedBytes: number;
  gcMs: number;
  bytesPerRequest: number;
  gcMicrosPerRequest: number;
  /** One of the windows the comparison's ratio was computed over. */
  used: boolean;
}

/** The probe's counters of each sample, collected while the run folder streams; in time order. */
export function churnSampleSink(): { add(s: ContinuousSample): void; finish(): ChurnReading[] } {
  const out: ChurnReading[] = [];
  return {
    add(s) {
      const p = s.probe;
      out.push({ t: s.t, requests: s.requestsCompleted, phase: s.phase, allocated: p ? p.allocatedBytes : null, gcMs: p ? p.gc.timeMs : null });
    },
    finish: () => out.sort((a, b) => a.t - b.t),
  };
}

function checkpointReadings(sorted: readonly Checkpoint[]): ChurnReading[] {
  return sorted.map((c) => ({ t: c.t, requests: c.requestsCompleted, phase: c.phase, allocated: c.procOnly ? null : c.allocatedBytes, gcMs: c.procOnly ? null : c.gc.timeMs }));
}

/**
 * Windows between consecutive readings that advanced the request count.
 * Samples: consecutive among those with a probe (as measureChurn pairs them);
 * checkpoints: consecutive checkpoints, a pair with a /proc-only one skipped.
 */
function windowsOf(readings: readonly ChurnReading[], source: 'samples' | 'checkpoints'): ChurnWindowRow[] {
  const list = source === 'samples' ? readings.filter((r) => r.allocated !== null && r.gcMs !== null) : readings;
  const out: ChurnWindowRow[] = [];
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1]!;
    const b = list[i]!;
    if (a.allocated === null || b.allocated === null || a.gcMs === null || b.gcMs === null) continue;
    const windowRequests = b.requests - a.requests;
    if (windowRequests <= 0) continue;
    const allocatedBytes = b.allocated - a.allocated;
    const gcMs = b.gcMs - a.gcMs;
    out.push({ t: b.t, requests: b.requests, phase: b.phase, windowRequests, allocatedBytes, gcMs, bytesPerRequest: allocatedBytes / windowRequests, gcMicrosPerRequest: (gcMs * 1000) / windowRequests, used: false });
  }
  return out;
}

/** Flags the rows that are the verdict's windows, in order (they are a subsequence of the rows). Returns how many matched. */
function markUsed(rows: ChurnWindowRow[], used: readonly ChurnReport['windows'][number][]): number {
  let k = 0;
  for (const r of rows) {
    const w = used[k];
    if (w === undefined) break;
    if (w.requests === r.windowRequests && w.allocatedBytes === r.allocatedBytes && w.gcMs === r.gcMs) {
      r.used = true;
      k++;
    }
  }
  return k;
}

export interface ChurnRun {
  role: 'leaky' | 'fixed';
  /** Where the windows came from (the verdict's choice; the same rule when there was no comparison). */
  source: 'samples' | 'checkpoints' | 'none';
  /** The verdict's figures: Σ allocated / Σ requests and Σ GC time / Σ requests over its windows. */
  bytesPerRequest: number | null;
  gcMicrosPerRequest: number | null;
  /** Median [p10, p90] of the per-window figures. */
  bytesSpread: { median: number; p10: number; p90: number } | null;
  gcSpread: { median: number; p10: number; p90: number } | null;
  /** The verdict's window count, and how many of them were found in the run folder. */
  windows: number;
  matched: number;
  /** Σ over the used windows, for the table. */
  requestsSum: number;
  allocatedSum: number;
  gcMsSum: number;
  rows: ChurnWindowRow[];
  table: { n: number; t: EncodedColumn; phase: EncodedColumn; cols: Record<string, EncodedColumn> };
}

export interface ChurnModel {
  runs: ChurnRun[];
  /** The comparison's ratios (after / before, 95 % interval); null without a comparison. */
  ratio: ChurnComparison['allocatedBytesPerRequest'];
  gcRatio: ChurnComparison['gcMicrosPerRequest'];
}

export interface ChurnSide {
  role: 'leaky' | 'fixed';
  checkpoints: readonly Checkpoint[];
  samples: readonly ChurnReading[];
  /** The comparison's churn of this run (before / after); null without one. */
  report: ChurnReport | null;
}

function run(s: ChurnSide, phases: PhaseNames): ChurnRun {
  const fromSamples = windowsOf(s.samples, 'samples');
  // measureChurn's rule when the verdict did not say: samples when they give 3 windows.
  const source = s.report?.source ?? (fromSamples.length >= 3 ? 'samples' : 'checkpoints');
  const rows = source === 'samples' ? fromSamples : source === 'checkpoints' ? windowsOf(checkpointReadings(s.checkpoints), 'checkpoints') : [];
  const verdictWindows = s.report?.windows ?? [];
  const matched = markUsed(rows, verdictWindows);
  const used = rows.filter((r) => r.used);
  const sum = (pick: (r: ChurnWindowRow) => number) => used.reduce((a, r) => a + pick(r), 0);
  const spread = (x: ChurnReport['allocatedSpread']) => (x === null ? null : { median: x.median, p10: x.p10, p90: x.p90 });
  return {
    role: s.role,
    source: rows.length === 0 ? 'none' : source,
    bytesPerRequest: s.report?.allocatedBytesPerRequest ?? null,
    gcMicrosPerRequest: s.report?.gcMicrosPerRequest ?? null,
    bytesSpread: s.report ? spread(s.report.allocatedSpread) : null,
    gcSpread: s.report ? spread(s.report.gcSpread) : null,
    windows: verdictWindows.length,
    matched,
    requestsSum: sum((r) => r.windowRequests),
    allocatedSum: sum((r) => r.allocatedBytes),
    gcMsSum: sum((r) => r.gcMs),
    rows,
    table: {
      n: rows.length,
      t: encodeColumn(rows.map((r) => r.t)),
      phase: encodeColumn(rows.map((r) => phases.index(r.phase))),
      cols: {
        requests: encodeColumn(rows.map((r) => r.requests)),
        windowRequests: encodeColumn(rows.map((r) => r.windowRequests)),
        bytesPerRequest: encodeColumn(rows.map((r) => r.bytesPerRequest)),
        gcMicrosPerRequest: encodeColumn(rows.map((r) => r.gcMicrosPerRequest)),
        used: encodeColumn(rows.map((r) => (r.used ? 1 : 0))),
      },
    },
  };
}

/** Both runs' windows and the comparison's ratios. */
export function churnModel(leaky: ChurnSide, fixed: ChurnSide, churn: ChurnComparison | null, phases: PhaseNames): ChurnModel {
  return { runs: [run(leaky, phases), run(fixed, phases)], ratio: churn?.allocatedBytesPerRequest ?? null, gcRatio: churn?.gcMicrosPerRequest ?? null };
}

/** The churn as embedded in the page's data (and its download JSON): the ratios, each run's figures, the windows as columns. */
export function churnEmbedded(m: ChurnModel) {
  return { ratio: m.ratio, gcRatio: m.gcRatio, runs: m.runs.map(({ rows: _, ...r }) => r) };
}
