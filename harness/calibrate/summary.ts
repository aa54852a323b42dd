// The calibration's figures from its runs: a confusion matrix (truth × verdict),
// precision and recall, and per injected size the detection rate and the
// requests it took. Pure: the bench runs, this counts.

import type { Detection } from './detection.ts';

/** What was injected into one run. */
export type Truth = { kind: 'control' } | { kind: 'bytes'; bytesPerRequest: number } | { kind: 'handles'; every: number };

export interface CalibrationRun {
  truth: Truth;
  seed: number;
  runDir: string;
  /** How the run ended ('completed' unless the target crashed or the harness failed). */
  outcome: string;
  requests: number;
  wallMs: number;
  detection: Detection | null;
  /** run.json and the verdict's inputs did not mention the preload. */
  preloadInvisible: boolean;
}

export interface SizeRow {
  label: string;
  truth: Truth;
  runs: number;
  leak: number;
  noLeak: number;
  inconclusive: number;
  /** leak / runs. */
  recall: number;
  /** Median requests to the first LEAK over the runs that detected it (the fixed rule on growing prefixes). */
  medianRequestsToDetection: number | null;
  medianSecondsToDetection: number | null;
  /** Runs whose sequential looks called LEAK (where --until-verdict stops), of those that have them judged. */
  sequentialLeak: number;
  sequentialJudged: number;
  medianRequestsSequential: number | null;
  medianSecondsSequential: number | null;
  /** The runs' heapUsed slopes, smallest and largest, the outermost bounds of their 95 % intervals (B/request), and how many runs recorded one; null when none did. */
  heapSlope: { min: number; max: number; lower: number; upper: number; runs: number } | null;
}

export interface CalibrationSummary {
  /** Rows: truth classes; columns: verdicts. `leak-below-floor` = bytes/request under the heap floor δ (by design not a LEAK). */
  confusion: Record<'leak' | 'leak-below-floor' | 'control', Record<'LEAK' | 'NO-LEAK' | 'INCONCLUSIVE', number>>;
  /** Of runs called LEAK, the share that had a leak injected (any size). */
  precision: number | null;
  /** Of runs with a leak at or above the floor, the share called LEAK. */
  recall: number | null;
  /** Recall over bytes/request ≥ 64 (the issue's target: ≥ 95 %). */
  recallAtLeast64: number | null;
  /** Control runs called LEAK (the target: 0). */
  falseLeaks: number;
  /** Control runs the sequential looks would have stopped with a LEAK, of those judged by them. */
  falseStops: number;
  controlsWithLooks: number;
  controls: number;
  /** Exact (Clopper–Pearson) one-sided 95 % upper bound of the false-LEAK rate, falseLeaks of controls; null without controls. */
  falseLeakRateUpper95: number | null;
  /** The heap floors the runs were judged with, smallest and largest (B/request); null when no run recorded one. */
  heapFloors: { min: number; max: number } | null;
  /** Smallest bytes/request detected in every one of its runs, and in at least one. */
  smallestAlwaysDetected: number | null;
  smallestEverDetected: number | null;
  rows: SizeRow[];
}

/**
 * Clopper–Pearson one-sided upper bound: the largest rate p with
 * P(X ≤ x | n, p) ≥ 1 − level. For x = 0 it is 1 − (1 − level)^(1/n), the
 * "rule of three" (≈ 3/n): 0 false LEAKs in 20 controls bound the rate under 14 %.
 */
export function binomialUpper(x: number, n: number, level = 0.95): number | null {
  if (!(n > 0)) return null;
  if (x >= n) return 1;
  const cdf = (p: number): number => {
    let term = (1 - p) ** n; // P(X = 0)
    let sum = term;
    for (let k = 1; k <= x; k++) {
      term *= ((n - k + 1) / k) * (p / (1 - p));
      sum += term;
    }
    return sum;
  };
  let lo = x / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) >= 1 - level) lo = mid;
    else hi = mid;
  }
  return lo;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function truthLabel(t: Truth): string {
  if (t.kind === 'control') return 'control (none)';
  if (t.kind === 'bytes') return `${t.bytesPerRequest} B/request`;
  return `1 fd / ${t.every} requests`;
}

function key(t: Truth): string {
  return t.kind === 'control' ? 'c' : t.kind === 'bytes' ? `b${String(t.bytesPerRequest).padStart(8, '0')}` : `h${String(t.every).padStart(8, '0')}`;
}

export function summarise(runs: readonly CalibrationRun[], heapFloor: number): CalibrationSummary {
  const zero = () => ({ LEAK: 0, 'NO-LEAK': 0, INCONCLUSIVE: 0 });
  const confusion = { leak: zero(), 'leak-below-floor': zero(), control: zero() };
  // A run that did not complete has no verdict to count; it is listed in its row as inconclusive.
  const status = (r: CalibrationRun) => r.detection?.status ?? 'INCONCLUSIVE';
  for (const r of runs) {
    // Each run against the floor it was judged with (an adaptive floor differs per run), else the scenario's.
    const floor = r.detection?.heapFloor ?? heapFloor;
    const row = r.truth.kind === 'control' ? 'control' : r.truth.kind === 'bytes' && r.truth.bytesPerRequest < floor ? 'leak-below-floor' : 'leak';
    confusion[row][status(r)]++;
  }
  const calledLeak = runs.filter((r) => status(r) === 'LEAK');
  const precision = calledLeak.length === 0 ? null : calledLeak.filter((r) => r.truth.kind !== 'control').length / calledLeak.length;
  const positives = runs.filter((r) => r.truth.kind === 'handles' || (r.truth.kind === 'bytes' && r.truth.bytesPerRequest >= (r.detection?.heapFloor ?? heapFloor)));
  const recall = positives.length === 0 ? null : positives.filter((r) => status(r) === 'LEAK').length / positives.length;
  const big = runs.filter((r) => r.truth.kind === 'bytes' && r.truth.bytesPerRequest >= 64);
  const recallAtLeast64 = big.length === 0 ? null : big.filter((r) => status(r) === 'LEAK').length / big.length;
  const groups = new Map<string, CalibrationRun[]>();
  for (const r of runs) groups.set(key(r.truth), [...(groups.get(key(r.truth)) ?? []), r]);
  const rows: SizeRow[] = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, rs]) => {
    const detected = rs.filter((r) => r.detection?.requestsToDetection !== null && r.detection?.requestsToDetection !== undefined && status(r) === 'LEAK');
    const stops = rs.map((r) => r.detection?.sequential).filter((x): x is NonNullable<typeof x> => x !== null && x !== undefined);
    const slopes = rs.map((r) => r.detection?.heapSlope).filter((x): x is NonNullable<typeof x> => x !== null && x !== undefined);
    return {
      label: truthLabel(rs[0]!.truth),
      truth: rs[0]!.truth,
      runs: rs.length,
      leak: rs.filter((r) => status(r) === 'LEAK').length,
      noLeak: rs.filter((r) => status(r) === 'NO-LEAK').length,
      inconclusive: rs.filter((r) => status(r) === 'INCONCLUSIVE').length,
      recall: rs.filter((r) => status(r) === 'LEAK').length / rs.length,
      medianRequestsToDetection: median(detected.map((r) => r.detection!.requestsToDetection!)),
      medianSecondsToDetection: median(detected.map((r) => r.detection!.msToDetection! / 1000)),
      sequentialLeak: stops.length,
      sequentialJudged: rs.filter((r) => r.detection?.sequential !== undefined).length,
      medianRequestsSequential: median(stops.map((x) => x.requests)),
      medianSecondsSequential: median(stops.map((x) => x.ms / 1000)),
      heapSlope:
        slopes.length === 0
          ? null
          : { min: Math.min(...slopes.map((x) => x.slope)), max: Math.max(...slopes.map((x) => x.slope)), lower: Math.min(...slopes.map((x) => x.lower)), upper: Math.max(...slopes.map((x) => x.upper)), runs: slopes.length },
    };
  });
  const bytesRows = rows.filter((r) => r.truth.kind === 'bytes');
  const sizeOf = (r: SizeRow) => (r.truth.kind === 'bytes' ? r.truth.bytesPerRequest : 0);
  const always = bytesRows.filter((r) => r.recall === 1).map(sizeOf);
  const ever = bytesRows.filter((r) => r.leak > 0).map(sizeOf);
  const controls = runs.filter((r) => r.truth.kind === 'control');
  const falseLeaks = controls.filter((r) => status(r) === 'LEAK').length;
  const controlsWithLooks = controls.filter((r) => r.detection?.sequential !== undefined);
  const floors = runs.map((r) => r.detection?.heapFloor).filter((f): f is number => typeof f === 'number');
  return {
    confusion,
    precision,
    recall,
    recallAtLeast64,
    falseLeaks,
    falseStops: controlsWithLooks.filter((r) => r.detection!.sequential !== null).length,
    controlsWithLooks: controlsWithLooks.length,
    controls: controls.length,
    falseLeakRateUpper95: binomialUpper(falseLeaks, controls.length),
    heapFloors: floors.length > 0 ? { min: Math.min(...floors), max: Math.max(...floors) } : null,
    smallestAlwaysDetected: always.length > 0 ? Math.min(...always) : null,
    smallestEverDetected: ever.length > 0 ? Math.min(...ever) : null,
    rows,
  };
}

const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(0)} %`);

export function formatSummary(s: CalibrationSummary, heapFloor: number): string {
  const lines: string[] = [];
  lines.push('Confusion matrix (rows: what was injected; columns: the run verdict)');
  const cols = ['LEAK', 'NO-LEAK', 'INCONCLUSIVE'] as const;
  lines.push(`${''.padEnd(26)}${cols.map((c) => c.padStart(14)).join('')}`);
  // Runs judged with different floors (--floor adaptive): each against its own δ, the range named.
  const f = s.heapFloors;
  const delta = f !== null && f.min !== f.max ? `own δ ${f.min}–${f.max}` : `δ ${f?.min ?? heapFloor} B`;
  const rowName = { leak: `leak ≥ ${delta} or fds`, 'leak-below-floor': `leak < ${delta}`, control: 'control (no leak)' };
  for (const row of ['leak', 'leak-below-floor', 'control'] as const) {
    lines.push(`${rowName[row].padEnd(26)}${cols.map((c) => String(s.confusion[row][c]).padStart(14)).join('')}`);
  }
  lines.push('');
  lines.push(`precision ${pct(s.precision)}; recall ${pct(s.recall)} (leaks ≥ δ); recall at ≥ 64 B/request ${pct(s.recallAtLeast64)}; false LEAK in controls ${s.falseLeaks}/${s.controls}${s.falseLeakRateUpper95 !== null ? ` (rate < ${(s.falseLeakRateUpper95 * 100).toFixed(1)} % at 95 %)` : ''}`);
  lines.push(`smallest size detected in every run: ${s.smallestAlwaysDetected ?? 'none'} B/request; in at least one run: ${s.smallestEverDetected ?? 'none'} B/request`);
  lines.push('');
  if (s.controlsWithLooks > 0) {
    const upper = binomialUpper(s.falseStops, s.controlsWithLooks);
    lines.push(`sequential looks (where --until-verdict stops): false LEAK in controls ${s.falseStops}/${s.controlsWithLooks}${upper !== null ? ` (rate < ${(upper * 100).toFixed(1)} % at 95 %)` : ''}`);
  }
  lines.push('');
  lines.push(`${''.padEnd(56)}${'fixed rule, first prefix'.padStart(26)}${'sequential looks'.padStart(26)}`);
  lines.push(
    `${'injected'.padEnd(24)}${'runs'.padStart(6)}${'LEAK'.padStart(6)}${'NO'.padStart(6)}${'INC'.padStart(6)}${'recall'.padStart(8)}${'requests'.padStart(18)}${'s'.padStart(8)}${'LEAK'.padStart(8)}${'requests'.padStart(10)}${'s'.padStart(8)}`,
  );
  const n = (v: number | null, digits = 0) => (v === null ? '-' : v.toFixed(digits));
  for (const r of s.rows) {
    lines.push(
      `${r.label.padEnd(24)}${String(r.runs).padStart(6)}${String(r.leak).padStart(6)}${String(r.noLeak).padStart(6)}${String(r.inconclusive).padStart(6)}${pct(r.recall).padStart(8)}` +
        `${n(r.medianRequestsToDetection).padStart(18)}${n(r.medianSecondsToDetection).padStart(8)}` +
        `${(r.sequentialJudged > 0 ? `${r.sequentialLeak}/${r.sequentialJudged}` : '-').padStart(8)}${n(r.medianRequestsSequential).padStart(10)}${n(r.medianSecondsSequential).padStart(8)}`,
    );
  }
  lines.push('(requests and seconds: medians over the runs that were called LEAK, from the first checkpoint)');
  return lines.join('\n');
}

const thousands = (v: number): string => Math.round(v).toLocaleString('en-US').replace(/,/g, '\u202f');
const slopeNum = (v: number): string => (Math.abs(v) >= 1000 ? thousands(v) : v.toFixed(1));

/**
 * The summary as the README's Markdown tables (`calibrate --summary DIR
 * --markdown`): the confusion matrix, the false-LEAK rate with its exact 95 %
 * bound, and per injected class the verdicts, the measured heap slope, and the
 * requests (seconds) to the first LEAK under the fixed rule and under the
 * sequential looks. Generated, so the README's figures are the ledger's.
 */
export function formatSummaryMarkdown(s: CalibrationSummary, heapFloor: number): string {
  const f = s.heapFloors;
  const delta = f !== null && f.min !== f.max ? `its own δ (${f.min}–${f.max} B/request)` : `δ ${f?.min ?? heapFloor} B/request`;
  const out: string[] = [];
  out.push('| injected | LEAK | NO-LEAK | INCONCLUSIVE |', '| --- | --- | --- | --- |');
  const rowName = { leak: `leak ≥ ${delta}, or fds`, 'leak-below-floor': `leak < ${delta}`, control: 'control (nothing injected)' };
  for (const row of ['leak', 'leak-below-floor', 'control'] as const) {
    const c = s.confusion[row];
    out.push(`| ${rowName[row]} | ${c.LEAK} | ${c['NO-LEAK']} | ${c.INCONCLUSIVE} |`);
  }
  out.push('');
  const bound = (x: number, n: number) => {
    const u = binomialUpper(x, n);
    return u === null ? '' : ` (rate < ${(u * 100).toFixed(1)} % at 95 %, exact)`;
  };
  out.push(
    `Precision ${pct(s.precision)}, recall ${pct(s.recall)} (leaks ≥ δ and fds), recall at ≥ 64 B/request ${pct(s.recallAtLeast64)}; ` +
      `**false LEAK in controls ${s.falseLeaks}/${s.controls}**${bound(s.falseLeaks, s.controls)}` +
      (s.controlsWithLooks > 0 ? `; sequential looks stopped ${s.falseStops}/${s.controlsWithLooks} controls with a LEAK${bound(s.falseStops, s.controlsWithLooks)}` : '') +
      `. Smallest size called LEAK in every run: ${s.smallestAlwaysDetected ?? 'none'} B/request; in at least one: ${s.smallestEverDetected ?? 'none'} B/request.`,
  );
  out.push('');
  out.push(
    "| injected | runs | LEAK | NO-LEAK | INC | heap slope measured, B/request (runs' range; [ ] outermost 95 % bounds) | fixed rule: requests (s) to LEAK | sequential looks: LEAK, requests (s) |",
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  const at = (req: number | null, sec: number | null) => (req === null ? '—' : `${thousands(req)} (${Math.round(sec ?? 0)} s)`);
  for (const r of s.rows) {
    const h = r.heapSlope;
    // A run whose folder is gone has no slope to backfill: the cell says over how many runs it is.
    const over = h !== null && h.runs < r.runs ? ` (${h.runs} of ${r.runs} runs)` : '';
    const slope = h === null ? '—' : `${h.min === h.max ? slopeNum(h.min) : `${slopeNum(h.min)} – ${slopeNum(h.max)}`} [${slopeNum(h.lower)}, ${slopeNum(h.upper)}]${over}`;
    const seq = r.sequentialJudged === 0 ? '—' : `${r.sequentialLeak}/${r.sequentialJudged}${r.sequentialLeak > 0 ? `, ${at(r.medianRequestsSequential, r.medianSecondsSequential)}` : ''}`;
    out.push(`| ${r.label} | ${r.runs} | ${r.leak} | ${r.noLeak} | ${r.inconclusive} | ${slope} | ${at(r.medianRequestsToDetection, r.medianSecondsToDetection)} | ${seq} |`);
  }
  out.push(
    '',
    "Heap slope: the smallest and largest of the runs' slopes, and in brackets the lowest lower and the highest upper bound " +
      "of their 95 % intervals (not one interval). Requests and seconds: medians over the runs called LEAK, counted from the first checkpoint. Fixed rule: the first prefix of " +
      "the run's checkpoints whose verdict says LEAK (no error budget across those looks). Sequential looks: where `--until-verdict` " +
      "would have stopped the run, at the same checkpoints (α 0.005 per signal spent across the planned looks); controls never stopped count as 0/n.",
  );
  return out.join('\n');
}
