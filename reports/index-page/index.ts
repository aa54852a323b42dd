// buildIndex: a folder of run folders → one self-contained index.html.
//
// Scans the folder (bounded depth, scan.ts) for run folders and `prove`'s
// `<variant>-proof.json` records, lists the runs newest first from their
// run.json and summary.json (rows.ts), builds the report.html of any run that
// has none or a stale one (buildReport; reportIsCurrent), and draws per scenario+variant group the heapUsed
// slope across runs with the runs that regressed against the group's baseline
// (trend.ts, sparkline.ts), or, when the caller gives one (`merge`), against
// the baseline it judged each run and proof by (held-to.ts). Like buildReport it reads run folders only (no
// relay/, mocks/, harness/load or harness/judge), and writes to a temporary
// name then renames: no half-written page.

import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { buildReport, DATA_FORMAT } from '../index.ts';
import { RUN_FILES } from '../read-run-folder.ts';
import { ReportError } from '../errors.ts';
import { renderIndexPage, type IndexGroup } from './page.ts';
import { regressionText, type HeldToRow, type IndexBaseline } from './held-to.ts';
import { proofRow, runRow, type ProofRow, type RunRow } from './rows.ts';
import { DEFAULT_MAX_DEPTH, scanFolder } from './scan.ts';
import { sparklineSvg } from './sparkline.ts';
import { envelopeSeries, groupTrend, MAX_SPARK_BUCKETS, type TrendPoint } from './trend.ts';
import { writeFileAtomic } from '../write-page.ts';

export { DEFAULT_MAX_DEPTH, scanFolder, type ScanResult } from './scan.ts';
export { envelopeSeries, groupTrend, regressionOf, MAX_SPARK_BUCKETS, type EnvelopeBucket, type GroupTrend, type TrendPoint } from './trend.ts';
export type { ProofRow, RunRow } from './rows.ts';
export type { HeldToCheck, HeldToResult, IndexBaseline } from './held-to.ts';

/** Version of the JSON embedded as #index-data (and of the page's data-format). */
export const INDEX_DATA_FORMAT = 1;

export interface BuildIndexOptions {
  /** Where to write the page; default <folder>/index.html. Links are relative to it. */
  out?: string;
  /** How many folder levels to search for run folders; default 3. */
  maxDepth?: number;
  /**
   * Hold each run and proof to this baseline (judged by the caller, e.g. `merge`)
   * instead of its group's first NO-LEAK run: the regressions, the banner, the
   * sparkline's marks and an "Against the baseline" table come from it.
   */
  baseline?: IndexBaseline;
}

export interface BuildIndexResult {
  file: string;
  bytes: number;
  /** Run folders listed. */
  runs: number;
  /** Proof records listed. */
  proofs: number;
  /** report.html files this call built (runs that had none, or one older than their records). */
  reportsBuilt: number;
  /** Runs that regressed against their group's baseline. */
  regressed: number;
  /** Proofs that held before and fail now (only with options.baseline). */
  proofsRegressed: number;
}

/** How far into report.html the <body> tag (with its data-format) lies: after the inlined CSS. */
const HEAD_BYTES = 64 * 1024;

/**
 * An existing report.html is linked as it is only when it is newer than every
 * record of its run and was built for this data format: a run re-judged, or
 * resumed records, or a report from an older builder would otherwise be shown
 * as if it said what the folder says now.
 */
export function reportIsCurrent(dir: string, report: string): boolean {
  let built: number;
  try {
    built = statSync(report).mtimeMs;
  } catch {
    return false;
  }
  for (const f of [RUN_FILES.meta, RUN_FILES.summary, RUN_FILES.samples, RUN_FILES.checkpoints, RUN_FILES.events]) {
    try {
      if (statSync(join(dir, f)).mtimeMs > built) return false;
    } catch {
      // a record file the run never wrote: nothing newer than the report
    }
  }
  let head = '';
  try {
    const fd = openSync(report, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      head = buf.subarray(0, readSync(fd, buf, 0, HEAD_BYTES, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  return new RegExp(`<body[^>]*\\bdata-format="${DATA_FORMAT}"`).test(head);
}

/** A path as an href from `fromDir`: relative, each segment percent-encoded. */
function hrefFrom(fromDir: string, path: string): string {
  const rel = relative(fromDir, path);
  return rel.split(sep).map(encodeURIComponent).join('/') || '.';
}

function mostCommon(values: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, c] of counts) if (best === null || c > counts.get(best)!) best = v;
  return best;
}

function groupsOf(rows: readonly RunRow[], held: IndexBaseline | undefined): IndexGroup[] {
  const byKey = new Map<string, RunRow[]>();
  for (const r of rows) {
    if (r.status === 'UNREADABLE') continue;
    const key = `${r.scenario}\u0000${r.variant}`;
    const list = byKey.get(key) ?? [];
    list.push(r);
    byKey.set(key, list);
  }
  const groups: IndexGroup[] = [];
  for (const list of byKey.values()) {
    const runs = [...list].sort((a, b) => a.time - b.time || (a.dir < b.dir ? -1 : 1));
    const points: TrendPoint[] = runs.map((r) => ({
      time: r.time,
      label: r.runId ?? r.dir,
      status: r.status,
      slope: r.key?.slope ?? null,
      lower: r.key?.lower ?? null,
      upper: r.key?.upper ?? null,
      unit: r.key?.unit ?? null,
    }));
    // A baseline given by the caller replaces the group's own (no baseline ring: each run has its own).
    const trend = held === undefined ? groupTrend(points) : { baseline: null, regressed: runs.map((r) => regressionText(held.runs.get(r.dir))) };
    runs.forEach((r, i) => {
      r.baseline = i === trend.baseline;
      r.regressed = trend.regressed[i] ?? null;
    });
    const baseline = trend.baseline === null ? null : runs[trend.baseline]!;
    // One unit per line: the baseline's, else the group's most common (a scenario judged per event has another).
    const unit = baseline?.key?.unit ?? mostCommon(runs.flatMap((r) => (r.key?.slope != null ? [r.key.unit] : [])));
    const values = runs.map((r) => (r.key !== null && r.key.unit === unit ? r.key.slope : null));
    const buckets = envelopeSeries(values, MAX_SPARK_BUCKETS);
    const regressed = runs.flatMap((r, i) => (r.regressed === null ? [] : [{ index: i, slope: r.key?.unit === unit ? (r.key?.slope ?? null) : null, why: `${r.runId ?? r.dir}: ${r.regressed}` }]));
    const plotted = values.filter((v) => v !== null).length;
    const scenario = runs[0]!.scenario;
    const variant = runs[0]!.variant;
    const svg = sparklineSvg(
      {
        buckets,
        baseline: baseline === null ? null : { index: trend.baseline!, upper: baseline.key?.unit === unit ? (baseline.key?.upper ?? null) : null },
        regressed,
        unit: unit ?? '',
        label: `${scenario} · ${variant}: heapUsed slope of ${plotted} of ${runs.length} runs${unit ? ` (${unit})` : ''}, oldest to newest; ${regressed.length} regressed`,
      },
      runs.length,
    );
    groups.push({ scenario, variant, runs, unit, baseline, regressed: runs.filter((r) => r.regressed !== null), svg });
  }
  return groups.sort((a, b) => (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : a.variant === 'none' ? -1 : b.variant === 'none' ? 1 : a.variant < b.variant ? -1 : 1));
}

/** The rows of the "Against the baseline" table: every run and proof the caller compared, newest first. */
function heldToRows(rows: readonly RunRow[], proofs: readonly ProofRow[], held: IndexBaseline | undefined): { rule: string; runs: HeldToRow[]; proofs: HeldToRow[] } | null {
  if (held === undefined) return null;
  const runs = rows.flatMap((r) => {
    const result = held.runs.get(r.dir);
    return result === undefined ? [] : [{ id: r.id, label: r.runId ?? r.dir, group: `${r.scenario} · ${r.variant}`, result }];
  });
  const proofRows = proofs.flatMap((p) => {
    const result = held.proofs.get(p.file);
    return result === undefined ? [] : [{ id: p.id, label: `proof ${p.variant}`, group: `${p.scenario} · ${p.variant}`, result }];
  });
  return { rule: held.rule, runs, proofs: proofRows };
}

/** JSON inside a <script> element: `<` escaped so no `</script>` or `<!--` can end it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export async function buildIndex(folder: string, options: BuildIndexOptions = {}): Promise<BuildIndexResult> {
  const root = resolve(folder);
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const scan = scanFolder(root, maxDepth);
  if (scan.runs.length === 0) {
    const proofs = scan.proofs.length > 0 ? ` (${scan.proofs.length} proof record${scan.proofs.length === 1 ? '' : 's'} found, but not their run folders)` : '';
    throw new ReportError(root, null, `no run folders (a folder holding run.json) found here or up to ${maxDepth} levels down${proofs}: nothing to index`);
  }
  const file = resolve(options.out ?? join(root, 'index.html'));
  const pageDir = dirname(file);

  const rows: RunRow[] = scan.runs.map((dir) => runRow(dir, 0)).sort((a, b) => b.time - a.time || (a.dir < b.dir ? -1 : 1));
  rows.forEach((r, i) => (r.id = `run-${i + 1}`));
  let reportsBuilt = 0;
  for (const r of rows) {
    const report = join(r.dir, 'report.html');
    if (reportIsCurrent(r.dir, report)) {
      r.report = { file: report, built: false, problem: null };
      continue;
    }
    if (r.status === 'UNREADABLE') {
      r.report = { file: null, built: false, problem: r.note };
      continue;
    }
    try {
      const built = await buildReport(r.dir);
      r.report = { file: built.file, built: true, problem: null };
      reportsBuilt++;
    } catch (err) {
      // A run whose records cannot be read is listed without a report: the index is still useful.
      r.report = { file: null, built: false, problem: (err as Error).message };
    }
  }

  const proofs: ProofRow[] = scan.proofs.map((f) => proofRow(f, 0)).sort((a, b) => b.time - a.time || (a.file < b.file ? -1 : 1));
  proofs.forEach((p, i) => (p.id = `proof-${i + 1}`));
  const byDir = new Map(rows.map((r) => [r.dir, r]));
  for (const p of [...proofs].reverse()) {
    // Oldest first, so the newest proof naming a run is the one shown on its row.
    for (const [dir, role] of [[p.leakyDir, 'leaky'], [p.fixedDir, 'fixed']] as const) {
      const r = dir === null ? undefined : byDir.get(dir);
      if (r === undefined) continue;
      // A fixed run shared by the proofs of one scenario (harness/prove/plan-runs.ts) names them all.
      const before = r.proof !== null && r.proof.role === role ? r.proof.variant.split(', ').filter((v) => v !== p.variant) : [];
      const status = before.length > 0 && r.proof!.status !== p.status ? 'mixed' : p.status;
      r.proof = { variant: [p.variant, ...before].join(', '), role, status };
    }
  }

  if (options.baseline !== undefined) for (const p of proofs) p.regressed = regressionText(options.baseline.proofs.get(p.file));
  const groups = groupsOf(rows, options.baseline);
  const heldTo = heldToRows(rows, proofs, options.baseline);
  const builder = { nodeVersion: process.version, builtAt: new Date().toISOString() };
  const rel = (p: string | null): string | null => (p === null ? null : hrefFrom(pageDir, p));
  const data = {
    format: INDEX_DATA_FORMAT,
    builder,
    maxDepth,
    runs: rows.map(({ dir, report, ...r }) => ({ ...r, dir: rel(dir), report: { ...report, file: rel(report.file) } })),
    proofs: proofs.map(({ file: f, leakyDir, fixedDir, page, ...p }) => ({ ...p, file: rel(f), leakyDir: rel(leakyDir), fixedDir: rel(fixedDir), page: rel(page) })),
    groups: groups.map((g) => ({ scenario: g.scenario, variant: g.variant, unit: g.unit, baseline: g.baseline?.id ?? null, runs: g.runs.map((r) => r.id), regressed: g.regressed.map((r) => r.id) })),
    heldTo:
      heldTo === null
        ? null
        : { rule: heldTo.rule, runs: heldTo.runs.map((h) => ({ id: h.id, ...h.result })), proofs: heldTo.proofs.map((h) => ({ id: h.id, ...h.result })) },
  };
  const html = renderIndexPage({
    folder: root,
    rows,
    proofs,
    groups,
    href: (p) => hrefFrom(pageDir, p),
    format: INDEX_DATA_FORMAT,
    builder,
    maxDepth,
    dataJson: scriptJson(data),
    heldTo,
  });

  writeFileAtomic(file, html);
  return { file, bytes: Buffer.byteLength(html), runs: rows.length, proofs: proofs.length, reportsBuilt, regressed: rows.filter((r) => r.regressed !== null).length, proofsRegressed: proofs.filter((p) => p.regressed !== null).length };
}
