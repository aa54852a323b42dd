// buildProofReport: a proof (or a plain compare) of two run folders → one
// self-contained HTML page: the judgement in a banner, both runs overlaid on
// the variant's own signal with each run's fitted line, the evidence a level
// or churn proof rests on (the level under load from the samples, or at the
// drained checkpoints against the pre-load count; allocation and GC time per
// request with the ratio: proof/level.ts, proof/churn.ts), the comparison table
// (or, when the comparison was refused, every difference), links to both run
// reports and the command that re-derives the comparison.
//
// The caller (harness prove / compare) judges: it passes compareRuns' result
// and the proof's judgement; this file renders them. Like buildReport it reads
// run folders only (no relay/, mocks/, harness/load or harness/judge), reads
// everything before it writes, and writes to a temporary name then renames.

import { proofAttributionRows, readAttribution } from '../harness/attribute/proof-rows.ts';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Checkpoint } from '../harness/records.ts';
import type { RunComparison, RunVerdict } from '../harness/verdict/index.ts';
import { durationText } from '../shared/duration.ts';
import { ReportError } from './errors.ts';
import { encodeColumn } from './columns.ts';
import { pack } from './data.ts';
import { buildReport } from './index.ts';
import { readRunHead, readRunRecords, type RunHead } from './read-run-folder.ts';
import { redactDeep, redactText } from '../shared/redact.ts';
import { readUplot } from './uplot.ts';
import { describeOutcome, outcomeOf, partialReasons } from './verdict.ts';
import { handleColumn, handleKeysShown, handleLabel, handleValue, phaseNames, sideModel, signalInfo, signalValue, type ProofReportInput, type ProofSummary, type SideModel, type SignalInfo } from './proof/model.ts';
import { renderProofPage, type ChartSlot, type ShortFact, type SidePage } from './proof/page.ts';
import { bannerStatus } from './proof/words.ts';
import { writeFileAtomic } from './write-page.ts';
import { churnEmbedded, churnModel, churnSampleSink, type ChurnModel, type ChurnReading } from './proof/churn.ts';
import { churnCaption, churnTables } from './proof/churn-html.ts';
import { loadPhasesOf } from '../harness/verdict/level.ts';
import { levelEmbedded, levelModel, levelPlanOf, levelSampleSink, type LevelModel, type LevelPlan, type LevelSample } from './proof/level.ts';
import { levelCaption, levelTables } from './proof/level-html.ts';

export type { ProofReportInput, ProofSummary } from './proof/model.ts';

/** Version of the data embedded in the proof page (data-kind="proof"|"compare", data-format). */
export const PROOF_DATA_FORMAT = 1;

export interface ProofReportResult {
  file: string;
  bytes: number;
}

interface SideRead {
  role: 'leaky' | 'fixed';
  dir: string;
  head: RunHead | null;
  problem: string | null;
  checkpoints: Checkpoint[];
  samples: number;
  partial: string[];
  /** A level proof's signal in each sample (under load); empty otherwise. */
  levelSamples: LevelSample[];
  /** A churn proof's probe counters in each sample; empty otherwise. */
  churnReadings: ChurnReading[];
}

/** What the samples are read for: only a level-under-load or a churn proof keeps anything of them. */
interface SampleNeeds {
  level: LevelPlan | null;
  churn: boolean;
}

async function readSide(role: SideRead['role'], dirArg: string, tolerant: boolean, needs: SampleNeeds): Promise<SideRead> {
  const dir = resolve(dirArg);
  try {
    const head = readRunHead(dir);
    const level = needs.level?.where === 'under-load' ? levelSampleSink(needs.level.signal) : null;
    const churn = needs.churn ? churnSampleSink() : null;
    const records = await readRunRecords(head.dir, (s) => {
      level?.add(s);
      churn?.add(s);
    });
    const checkpoints = [...records.checkpoints].sort((a, b) => a.seq - b.seq);
    return {
      role,
      dir,
      head,
      problem: null,
      checkpoints,
      samples: records.samples,
      partial: partialReasons(head, records.torn, records.missing, null),
      levelSamples: level?.finish() ?? [],
      churnReadings: churn?.finish() ?? [],
    };
  } catch (err) {
    // With a comparison the caller has read both folders: one that cannot be read now is an error.
    // Without one (an incomplete proof) the page says which run is missing and why.
    if (!tolerant || !(err instanceof ReportError)) throw err;
    return { role, dir, head: null, problem: err.message, checkpoints: [], samples: 0, partial: [], levelSamples: [], churnReadings: [] };
  }
}

/** The deepest folder holding both runs (their parent, for two sibling run folders). */
export function commonParent(a: string, b: string): string {
  const pa = resolve(a).split(sep);
  const pb = resolve(b).split(sep);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  const common = pa.slice(0, i).join(sep) || sep;
  // The same folder twice, or one inside the other: the page goes next to it, not into a run folder.
  return common === resolve(a) || common === resolve(b) ? dirname(common) : common;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A relative href from the page's folder to a file, each segment URL-encoded. */
function hrefTo(fromDir: string, file: string): string {
  return relative(fromDir, file).split(sep).map(encodeURIComponent).join('/');
}

function shortFacts(s: SideRead, verdict: RunVerdict | null): ShortFact[] {
  const h = s.head;
  if (h === null) return [];
  const meta = redactDeep(h.meta);
  const last = s.checkpoints[s.checkpoints.length - 1];
  const requests = typeof h.summary?.requestsCompleted === 'number' ? h.summary.requestsCompleted : last?.requestsCompleted;
  const t = meta.target;
  const facts: ShortFact[] = [
    { label: 'run id', value: String(meta.runId ?? '—') },
    { label: 'leak variants', value: Array.isArray(meta.leaks) && meta.leaks.length > 0 ? meta.leaks.join(', ') : 'none (fixed / reference behaviour)' },
    { label: 'scenario', value: `${meta.scenario}, seed ${meta.seed}${typeof meta.accounts === 'number' ? `, ${meta.accounts} accounts` : ''}` },
    { label: 'load', value: `${typeof meta.durationMs === 'number' ? durationText(meta.durationMs) : '—'}; ${typeof requests === 'number' ? `${requests.toLocaleString('en-US')} requests completed` : 'requests unknown'}` },
    { label: 'records', value: `${s.checkpoints.length} checkpoints${verdict ? ` (${verdict.checkpoints.judged} judged in the comparison)` : ''}, ${s.samples} samples` },
    { label: 'wall time', value: typeof h.summary?.wallMs === 'number' ? durationText(Math.round(h.summary.wallMs / 1000) * 1000) : '—' },
    { label: 'outcome', value: describeOutcome(outcomeOf(h)) },
    { label: 'target', value: `${t?.kind ?? '?'}, Node ${t?.nodeVersion ?? 'unknown'}${t?.execArgv && t.execArgv.length > 0 ? ` ${t.execArgv.join(' ')}` : ''}`, code: true },
    { label: 'git sha', value: meta.gitSha ? meta.gitSha.slice(0, 12) : 'unknown', code: true },
    { label: 'started', value: meta.startedAt ?? '—' },
  ];
  return facts;
}

/** The verdicts without their per-window arrays: a long run's churn windows would dwarf the page. */
function slimVerdict(v: RunVerdict): RunVerdict {
  const e = v.churn.eventLoopDelay;
  return { ...v, churn: { ...v.churn, windows: [], eventLoopDelay: e === null ? null : { ...e, inPhaseP99: [] } } };
}

function slimComparison(c: RunComparison | null): RunComparison | null {
  return c === null ? null : { ...c, before: slimVerdict(c.before), after: slimVerdict(c.after) };
}

function fmt(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  return a >= 1000 ? Math.round(v).toLocaleString('en-US') : a !== 0 && a < 0.1 ? v.toPrecision(2) : v.toFixed(digits);
}

function fitWords(m: SideModel | null): string {
  const f = m?.fit;
  if (!f) return 'no fit';
  const d = f.unit.startsWith('per ') ? 2 : 1;
  return `${fmt(f.slope, d)}${f.lower !== null && f.upper !== null ? ` [${fmt(f.lower, d)}, ${fmt(f.upper, d)}]` : ''} ${f.unit}`;
}

/** The charts of the evidence a level-under-load or churn proof rests on, drawn before the checkpoint charts. */
function evidenceSlots(signal: SignalInfo, level: LevelModel | null, churn: ChurnModel | null): ChartSlot[] {
  const out: ChartSlot[] = [];
  if (level !== null && level.where === 'under-load') {
    const any = level.runs.some((r) => r.samples.some((x) => x.count !== null));
    out.push({
      id: 'level',
      title: `${level.key} under load: leaky vs fixed`,
      caption: levelCaption(level),
      skipped: any ? null : `no ${level.key} figures in the samples of either run (${signal.kind === 'handles' && level.key.startsWith('tcp:') ? 'no /proc readings' : 'no probe'})`,
      after: levelTables(level),
    });
  }
  if (churn !== null) {
    const any = churn.runs.some((r) => r.rows.length > 0);
    const skipped = any ? null : 'no allocation figures in either run (no probe readings)';
    out.push({ id: 'churn:alloc', title: 'Allocated bytes per request: leaky vs fixed', caption: churnCaption(churn, 'alloc'), skipped });
    out.push({ id: 'churn:gc', title: 'GC time per request: leaky vs fixed', caption: churnCaption(churn, 'gc'), skipped, after: churnTables(churn) });
  }
  return out;
}

function chartSlots(
  signal: SignalInfo,
  proof: ProofSummary | null,
  sides: SidePage[],
  comparison: RunComparison | null,
  handleKeys: string[],
  level: LevelModel | null,
  churn: ChurnModel | null,
): { charts: ChartSlot[]; handles: ChartSlot[] } {
  const leaky = sides[0]!.model;
  const fixed = sides[1]!.model;
  const anyRows = sides.some((s) => s.rows.length > 0);
  const hasSignal = sides.some((s) => s.rows.some((r) => r.value !== null));
  const cut = comparison === null ? '' : ` On the requests axis, the dashed vertical line is the request count both runs reached: checkpoints past it (hollow) are not judged.`;
  let fitText: string;
  if (level !== null) {
    // A level proof compares levels, not slopes: the caption says what the level is and where it shows.
    fitText =
      level.where === 'drained'
        ? ` ${levelCaption(level)}`
        : ` The level under load (the chart above) is over by the time a checkpoint has drained the load: what is left here is what stays. No fitted line: a level proof compares levels, not slopes.`;
  } else if (signal.kind === 'handles') {
    const rule = comparison?.before.handles.types.find((t) => t.type === signal.handle);
    fitText =
      leaky?.fit || fixed?.fit
        ? ` Dashed: each run's Theil–Sen fit over its judged window, the signature check's slope of ${signal.handle} per triggering event (leaky ${fitWords(leaky)}, fixed ${fitWords(fixed)}), shaded its 95 % interval; on a requests or time axis a line per event bends where the events came faster or slower.`
        : ' No fitted line: the signature check measured no slope for this signal.';
    fitText += ` The handle verdict judges Δ against the first judged checkpoint: a LEAK keeps Δ above the allowance (0 unless the scenario sets one), never decreasing, over the last ${rule?.tail.length ?? 3} checkpoints, and above the highest Δ of the first half of the judged checkpoints.`;
  } else {
    fitText =
      leaky?.fit || fixed?.fit
        ? ` Dashed: each run's Theil–Sen fit over its judged window, the verdict's slope (leaky ${fitWords(leaky)}, fixed ${fitWords(fixed)}), shaded its 95 % interval.${fixed?.floor ? ` Dotted grey: δ = ${fmt(fixed.floor.value, 0)} ${fixed.floor.unit}, the slope a LEAK's interval must clear, drawn through the fixed run's points: the fixed run is NO-LEAK when its interval stays under it.` : ''}`
        : ' No fitted line: the verdict has no slope for this signal in either run.';
  }
  const fallback = signal.fallback === null ? '' : ` (${signal.fallback}.)`;
  const charts: ChartSlot[] = [
    ...evidenceSlots(signal, level, churn),
    {
      id: 'signal',
      title: `${signal.label[0]!.toUpperCase()}${signal.label.slice(1)}: leaky vs fixed`,
      caption: `${signal.kind === 'handles' ? "The proof's handle type" : proof === null || signal.fallback !== null ? 'Post-GC heapUsed' : "The proof's signal"} at each drained checkpoint of both runs.${comparison === null ? ' No comparison was made: no fitted lines.' : fitText}${cut}${fallback}`,
      skipped: hasSignal ? null : anyRows ? `no ${signal.key} figures at the checkpoints (a /proc-only run has no probe)` : 'no checkpoints in either run',
      ...(level?.where === 'drained' ? { after: levelTables(level) } : {}),
    },
    {
      id: 'memory',
      title: 'Post-GC heapUsed and rss',
      caption: 'heapUsed (solid, left axis) and rss (dashed, right axis) after the forced GC, both runs: a proof on handles still shows whether memory followed.',
      skipped: sides.some((s) => s.rows.length > 0) ? null : 'no checkpoints in either run',
    },
  ];
  const handles: ChartSlot[] = handleKeys
    .filter((k) => k !== signal.handle)
    .map((k) => {
      const h = comparison?.handles.find((x) => x.type === k);
      return {
        id: `handle:${k}`,
        title: handleLabel(k),
        caption: h ? `Δ over the judged window: leaky ${h.before.delta > 0 ? '+' : ''}${h.before.delta} (${h.before.status}), fixed ${h.after.delta > 0 ? '+' : ''}${h.after.delta} (${h.after.status}).` : 'Counted at each drained checkpoint.',
        skipped: null,
        size: 'small' as const,
      };
    });
  return { charts, handles };
}

export async function buildProofReport(input: ProofReportInput): Promise<ProofReportResult> {
  const comparison = input.comparison === null ? null : redactDeep(input.comparison);
  const proof = input.proof === null ? null : redactDeep(input.proof);
  const differences = input.differences === null ? null : redactDeep(input.differences);
  const note = input.note === null ? null : redactText(input.note);
  const tolerant = comparison === null;
  const levelPlan = levelPlanOf(proof);
  const needs: SampleNeeds = { level: levelPlan, churn: proof?.kind === 'churn' };
  const reads = [await readSide('leaky', input.leakyDir, tolerant, needs), await readSide('fixed', input.fixedDir, tolerant, needs)] as const;

  const signal = signalInfo(proof, reads.map((r) => r.checkpoints));
  const phases = phaseNames();
  const alignedRequests = comparison?.alignment.requests ?? null;
  const verdictOf = (role: SideRead['role']): RunVerdict | null => (comparison === null ? null : role === 'leaky' ? comparison.before : comparison.after);
  const models = reads.map((r) => (r.head === null ? null : sideModel(r.checkpoints, verdictOf(r.role), alignedRequests, signal, proof, phases, r.role === 'fixed')));
  // The evidence a level or churn proof rests on, as the judge computed it (needs both runs).
  const both = reads[0].head !== null && reads[1].head !== null;
  const levelSide = (r: SideRead) => ({ role: r.role, checkpoints: r.checkpoints, samples: r.levelSamples, loadPhases: loadPhasesOf(r.head?.meta.resolved) });
  const level: LevelModel | null = levelPlan === null || !both ? null : levelModel(levelPlan, levelSide(reads[0]), levelSide(reads[1]), phases);
  const churnSide = (r: SideRead) => ({ role: r.role, checkpoints: r.checkpoints, samples: r.churnReadings, report: verdictOf(r.role)?.churn ?? null });
  const churn: ChurnModel | null = proof?.kind !== 'churn' || !both ? null : churnModel(churnSide(reads[0]), churnSide(reads[1]), comparison?.churn ?? null, phases);

  const file = resolve(input.out ?? join(commonParent(input.leakyDir, input.fixedDir), proof === null ? 'compare.html' : `${proof.variant.replace(/[^A-Za-z0-9._-]+/g, '_')}-proof.html`));
  const pageDir = dirname(file);

  // Both run reports, built when missing, so the links lead somewhere.
  const links: Array<{ href: string | null; problem: string | null }> = [];
  for (const r of reads) {
    if (r.head === null) {
      links.push({ href: null, problem: 'the run folder cannot be read' });
      continue;
    }
    const report = join(r.dir, 'report.html');
    try {
      if (!existsSync(report)) await buildReport(r.dir);
      links.push({ href: hrefTo(pageDir, report), problem: null });
    } catch (err) {
      links.push({ href: null, problem: `could not be built (${redactText((err as Error).message)})` });
    }
  }

  const titles = { leaky: 'Leaky run (before, A)', fixed: 'Fixed run (after, B)' };
  const sides = reads.map((r, i): SidePage => {
    const model = models[i]!;
    const verdict = verdictOf(r.role);
    return {
      role: r.role,
      title: titles[r.role],
      dir: redactText(r.dir),
      runId: String(r.head?.meta.runId ?? r.dir),
      reportHref: links[i]!.href,
      reportProblem: links[i]!.problem,
      problem: r.problem,
      partial: redactDeep(r.partial),
      verdict,
      line: proof === null ? null : r.role === 'leaky' ? proof.leakyLine : proof.fixedLine,
      facts: shortFacts(r, verdict),
      model,
      rows: r.checkpoints.map((c, k) => ({
        seq: c.seq,
        t: c.t,
        requests: c.requestsCompleted,
        value: signalValue(c, signal),
        judged: model?.judgedFlags[k] ?? false,
        fit: model?.fitByIndex[k] ?? null,
        ...(level?.where === 'drained' ? { extra: level.runs[i]!.extras[k] ?? null } : {}),
      })),
    };
  }) as [SidePage, SidePage];

  const handleKeys = handleKeysShown(signal, comparison, reads.map((r) => r.checkpoints));
  // A type one run never had is a column of zeros there, not a missing line.
  reads.forEach((r, i) => {
    const table = models[i]?.table;
    if (table) for (const k of handleKeys) table.cols[handleColumn(k)] = encodeColumn(r.checkpoints.map((c) => handleValue(c, k)));
  });
  const slots = chartSlots(signal, proof, sides, comparison, handleKeys, level, churn);
  const builder = { nodeVersion: process.version, builtAt: new Date().toISOString() };
  const kind = proof === null ? 'compare' : 'proof';
  const data = {
    format: PROOF_DATA_FORMAT,
    kind,
    builder,
    signal,
    axis: comparison?.before.axis ?? null,
    alignment: comparison === null ? null : comparison.alignment,
    phases: phases.names,
    runs: sides.flatMap((s) => (s.model === null ? [] : [{ role: s.role, runId: redactText(s.runId), table: s.model.table, fit: s.model.fit, floor: s.model.floor }])),
    handleKeys,
    level: level === null ? null : levelEmbedded(level),
    churn: churn === null ? null : churnEmbedded(churn),
    input: { proof, comparison: slimComparison(comparison), differences, note },
  };
  const packed = pack(data);

  const recompare = `npm run soak -- compare ${shellQuote(redactText(reads[0].dir))} ${shellQuote(redactText(reads[1].dir))}${comparison !== null && comparison.warnings.length > 0 ? ' --force' : ''}`;
  const title =
    proof !== null
      ? `Proof of the ${proof.variant} fix — scenario ${proof.scenario}`
      : `Comparison — ${redactText(sides[0].runId)} (before) vs ${redactText(sides[1].runId)} (after)`;
  const html = renderProofPage({
    title,
    status: bannerStatus(proof, comparison),
    proof,
    comparison,
    differences,
    note,
    signal,
    sides,
    recompare,
    charts: slots.charts,
    handleCharts: slots.handles,
    extraColumn: level?.where === 'drained' ? `${level.key} above pre-load` : null,
    attribution: redactDeep(proofAttributionRows(readAttribution(reads[0].dir), readAttribution(reads[1].dir))),
    data: { base64: packed.base64, format: PROOF_DATA_FORMAT, jsonBytes: packed.jsonBytes, gzipBytes: packed.gzipBytes },
    builder,
    uplot: readUplot(),
  });

  writeFileAtomic(file, html);
  return { file, bytes: Buffer.byteLength(html) };
}
