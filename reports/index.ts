// buildReport: one run folder → one self-contained HTML report.
//
// reports/ reads run folders only: it imports the pure verdict engine and the
// record types, never relay/, mocks/ or harness/load (a report must build on a
// machine that only has the folder and this code). Everything is read and
// checked before anything is written: a bad folder throws ReportError and
// leaves no file; the report is written to a temporary name and renamed, so a
// crash mid-write does not leave half a page either.

import { profileFiles } from '../harness/profile/files.ts';
import { readAttribution } from '../harness/attribute/proof-rows.ts';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Checkpoint, ContinuousSample } from '../harness/records.ts';
import { formatVerdict, servedLoadAccumulator, type RunVerdict } from '../harness/verdict/index.ts';
import { decodeColumn } from './columns.ts';
import { checkpointTable, DATA_FORMAT, pack, phaseNames, phaseStarts, sampleTable, type Table } from './data.ts';
import { reproduceCommand, runFacts } from './facts.ts';
import { fitLine } from './fit.ts';
import { renderPage, type ChartSlot, type ShownEvent, type PageModel } from './page.ts';
import { readRunHead, readRunRecords } from './read-run-folder.ts';
import { redactDeep } from '../shared/redact.ts';
import { restartDetector } from './restarts.ts';
import { phaseLoadRows } from './phase-load.ts';
import { readUplot } from './uplot.ts';
import { outcomeOf, partialReasons, shownVerdict } from './verdict.ts';
import { writeFileAtomic } from './write-page.ts';

export { ReportError, type ReportErrorCode } from './errors.ts';
export { DATA_FORMAT } from './data.ts';
export { buildProofReport, PROOF_DATA_FORMAT, type ProofReportInput, type ProofReportResult, type ProofSummary } from './proof-report.ts';

export interface BuildReportOptions {
  /** Where to write the page; default <runDir>/report.html. */
  out?: string;
}

export interface BuildReportResult {
  file: string;
  bytes: number;
  /** True when the run did not finish cleanly (no summary.json, not completed, torn record). */
  partial: boolean;
  /** Why it is partial, in words; null when it is not. */
  reason: string | null;
}

/** Event types drawn as marks on the charts. */
const MARKED_EVENTS = new Set(['warning', 'checkpoint-skipped', 'outcome', 'restart']);

function hasColumn(table: Table, name: string): boolean {
  const c = table.cols[name];
  return c !== undefined && decodeColumn(c).some((v) => v !== null);
}

function hasPrefix(table: Table, prefix: string): boolean {
  return Object.keys(table.cols).some((k) => k.startsWith(prefix) && hasColumn(table, k));
}

/** Which charts have data, and the note for those that do not. */
function chartSlots(cp: Table, sm: Table, verdict: RunVerdict | null): ChartSlot[] {
  const gaugesAtCheckpoints = hasPrefix(cp, 'm:');
  const gaugeTable = gaugesAtCheckpoints ? cp : sm;
  const leftOut = gaugeTable.gaugesLeftOut ?? 0;
  const gaugeNote = leftOut > 0 ? ` ${leftOut} more moving series are left out (the download has none of them either; they are in samples.ndjson).` : '';
  const heap = verdict?.memory.find((m) => m.signal === 'heapUsed');
  const fitText = heap && heap.slope !== null ? ` The dashed line is the verdict's Theil–Sen fit over the judged checkpoints, the shaded band its 95 % interval.` : '';
  const envelope = sm.factor > 1 ? ` Samples merged ${sm.factor}× into min/max envelopes to bound the page's size.` : '';
  const probe = hasPrefix(sm, 'res:');
  const slot = (id: string, title: string, caption: string, drawn: boolean, why: string): ChartSlot => ({ id, title, caption, skipped: drawn ? null : why });
  return [
    slot(
      'memory',
      'Post-GC memory at checkpoints',
      `Drained, GC forced twice, then read: the figures the verdict judges (${hasColumn(cp, 'heapUsed') ? 'heapUsed left axis; external and rss right' : 'rss only: the target has no probe'}).${fitText} Hatched: warm-up, not judged.`,
      cp.n > 0 && (hasColumn(cp, 'heapUsed') || hasColumn(cp, 'rss')),
      'no checkpoints were written',
    ),
    slot('continuous', 'Memory, continuous samples', `Every sample, garbage included: the sawtooth is the GC at work; only the post-GC figures above are judged.${envelope}`, hasColumn(sm, 'rss') || hasColumn(sm, 'heapUsed'), 'no samples with memory figures'),
    slot('handles', 'Handles by type and fds', `${probe ? 'Live handles by type as process.getActiveResourcesInfo() counts them in the target (before GC; unref\'d handles are missed)' : 'No probe in the target: handle types are not measured'}; open fds from /proc.${envelope}`, probe || hasColumn(sm, 'fds'), 'no probe resources (a /proc-only run) and no /proc fd counts'),
    slot('tcp', 'TCP sockets by state', `The target's sockets from /proc by state: a CLOSE_WAIT count that only grows is a socket the target never closes.${envelope}`, hasPrefix(sm, 'tcp:'), 'no /proc TCP table for the target in the samples'),
    slot('load', 'Throughput and errors', `Requests per second of the load generator (left) and errors per sample window (right).${envelope}`, hasColumn(sm, 'reqPerSec'), 'the samples carry no load windows'),
    slot('latency', 'Latency (load generator)', `Per-window latency as the load generator saw it; max is hidden until its legend entry is clicked.${envelope}`, hasColumn(sm, 'p50') || hasColumn(sm, 'p99'), 'the samples carry no latency percentiles'),
    slot('eventloop', 'Event-loop delay in the target', `The probe's event-loop delay per sample window (perf_hooks histogram).${envelope}`, hasColumn(sm, 'elP99'), 'no probe in the target: event-loop delay not measured'),
    slot(
      'gauges',
      "The target's own structure sizes (/metrics)",
      `${gaugesAtCheckpoints ? 'Read at the drained checkpoints: with nothing in flight, a map, cache or pool that still grows from checkpoint to checkpoint is holding what it should have let go, and this chart names it.' : 'From the continuous samples (no checkpoint carried /metrics): in-flight work is included.'} Only gauges that moved are drawn, the ones that moved most first; hidden ones are in the legend.${gaugeNote}`,
      hasPrefix(cp, 'm:') || hasPrefix(sm, 'm:'),
      'the target exposes no /metrics gauge that moved during the run (or no /metrics at all)',
    ),
    slot(
      'gc',
      'GC time and allocation per request',
      `From the probe's cumulative counters, per sample window: the share of wall time spent in GC (left; windows holding a checkpoint's forced GCs are left out) and bytes allocated per completed request over five windows (right). Churn that does not stay on the heap shows here, not in the post-GC memory.${envelope}`,
      hasColumn(sm, 'gcMs') || hasColumn(sm, 'allocated'),
      'no probe in the target: GC time and allocation are not measured',
    ),
    slot('faults', 'Injected faults by kind (cumulative)', `What the fake upstream injected, counted by kind since the run began: storms show as steep steps.${envelope}`, hasPrefix(sm, 'fault:'), 'no injected-fault counts in the samples (no fake upstream, or no faults planned)'),
  ];
}

export async function buildReport(runDir: string, options: BuildReportOptions = {}): Promise<BuildReportResult> {
  const head = readRunHead(runDir);
  const phases = phaseNames();
  const samples = sampleTable(phases);
  // Samples are kept as records only when the verdict must be computed here (no summary.json);
  // the relay gauges, the bulk of each line, are dropped: the verdict does not read them.
  const keep = typeof head.summary?.verdict !== 'object' || head.summary.verdict === null;
  const kept: ContinuousSample[] = [];
  const firstInPhase: Array<{ t: number; phase: string }> = [];
  let lastSampleT = 0;
  const restarts = restartDetector();
  const served = servedLoadAccumulator();
  const records = await readRunRecords(head.dir, (s) => {
    samples.add(s);
    restarts.add(s);
    served.add(s);
    if (keep) kept.push({ ...s, relay: null });
    if (firstInPhase[firstInPhase.length - 1]?.phase !== s.phase) firstInPhase.push({ t: s.t, phase: s.phase });
    lastSampleT = Math.max(lastSampleT, s.t);
  });

  const sorted: Checkpoint[] = [...records.checkpoints].sort((a, b) => a.seq - b.seq);
  // The verdict's own rule (summary.json's when it has one: it was judged with the run's options).
  const servedLoad = (head.summary?.verdict as RunVerdict | undefined)?.served ?? served.finish();
  const shown = shownVerdict(head, sorted, kept);
  const verdict = shown.verdict === null ? null : redactDeep(shown.verdict);
  const dropped = verdict === null ? 0 : Math.max(0, Math.min(sorted.length, verdict.warmup?.dropped ?? 0));
  const fit = verdict === null ? null : fitLine(sorted, dropped, verdict.memory.find((m) => m.signal === 'heapUsed'), verdict.axis);
  const cpTable = checkpointTable(sorted, phases, dropped, fit);
  const smTable = samples.finish();

  const meta = redactDeep(head.meta);
  // Events go in without their free-form `data` (child URLs, stderr lines): the message says what happened.
  const events: ShownEvent[] = redactDeep(
    [
      ...records.events.map((e) => ({ t: e.t, type: String(e.type), message: String(e.message ?? '') })),
      ...restarts.marks.map((r) => ({ t: r.t, type: 'restart', message: r.message })),
    ].sort((a, b) => a.t - b.t),
  );
  // Marked on every chart: what a reader must see at its time (phases are shaded already).
  // A completed outcome is the end of the run: only an outcome that cut the run short is marked.
  const marks = events.filter((e) => MARKED_EVENTS.has(e.type) && !(e.type === 'outcome' && e.message === 'completed'));
  const partial = partialReasons(head, records.torn, records.missing, shown.problem);
  const starts = phaseStarts(records.events, [...firstInPhase, ...sorted.map((c) => ({ t: c.t, phase: c.phase }))]);
  const lastCheckpointT = sorted.length > 0 ? Math.max(...sorted.map((c) => c.t)) : 0;
  const tMax = Math.max(lastSampleT, lastCheckpointT, ...starts.map((p) => p.t), ...marks.map((e) => e.t), 1);
  // The warm-up band ends halfway between the last dropped and the first judged checkpoint.
  const lastDropped = dropped > 0 ? sorted[dropped - 1] : undefined;
  const warmUntil = lastDropped === undefined ? null : (lastDropped.t + (sorted[dropped]?.t ?? lastDropped.t)) / 2;
  const { verdict: _v, ...summaryRest } = head.summary ?? {};
  const builder = { nodeVersion: process.version, builtAt: new Date().toISOString() };

  const data = {
    format: DATA_FORMAT,
    builder,
    run: { runId: meta.runId ?? null, scenario: meta.scenario ?? null },
    tMax,
    phases: { names: phases.names, starts },
    warmup: { dropped, until: warmUntil, description: verdict?.warmup?.description ?? null },
    checkpoints: cpTable,
    samples: smTable,
    fit: fit === null ? null : { signal: 'heapUsed', unit: fit.unit, slope: fit.slope, lower: fit.lower, upper: fit.upper },
    verdict,
    verdictSource: shown.source,
    partial,
    meta,
    summary: head.summary === null ? null : redactDeep(summaryRest),
    events,
    marks,
  };
  const packed = pack(data);

  let terminalSummary: string | null = null;
  try {
    terminalSummary = verdict === null ? null : formatVerdict(verdict);
  } catch {
    terminalSummary = null; // an older summary.json may lack a field the formatter reads
  }
  const outcome = outcomeOf(head);
  const file = resolve(options.out ?? join(head.dir, 'report.html'));
  const html = renderPage({
    title: `${meta.scenario ?? 'run'} · ${meta.runId ?? head.dir}`,
    runId: String(meta.runId ?? 'run'),
    verdict,
    verdictSource: shown.source === 'summary.json' ? 'from summary.json' : shown.source === 'judged from the records' ? 'judged from the records (no summary.json)' : 'unavailable',
    verdictProblem: shown.problem,
    partial,
    facts: runFacts(meta, outcome === null ? null : redactDeep(outcome), {
      samples: records.samples,
      checkpoints: sorted.length,
      ...(typeof head.summary?.wallMs === 'number' ? { wallMs: head.summary.wallMs } : {}),
    }),
    reproduce: reproduceCommand(meta),
    phaseLoad: phaseLoadRows(meta.resolved, servedLoad),
    served: servedLoad,
    checkpoints: sorted,
    dropped,
    fitByIndex: fit?.y ?? null,
    events,
    charts: chartSlots(cpTable, smTable, verdict),
    terminalSummary,
    rawProfiles: rawProfileLinks(head.dir, dirname(file)),
    attribution: redactDeep(readAttribution(head.dir)),
    profile: profileLinks(head.dir, dirname(file), meta.profile),
    data: { base64: packed.base64, format: DATA_FORMAT, jsonBytes: packed.jsonBytes, gzipBytes: packed.gzipBytes },
    builder,
    uplot: readUplot(),
  });

  writeFileAtomic(file, html);
  return { file, bytes: Buffer.byteLength(html), partial: partial.length > 0, reason: partial.length > 0 ? partial.join('; ') : null };
}

/** The run folder's raw pprof files (harness/sampler/pprof.ts), as paths relative to the page's folder. */
/** --profile's outputs (run.json `profile`, harness/profile/), as links relative to the page's folder. */
function profileLinks(runDir: string, pageDir: string, profile: unknown): PageModel['profile'] {
  const p = profile as { mode?: unknown; tool?: unknown; fallback?: unknown } | undefined;
  if (!p || typeof p.mode !== 'string') return null;
  const files = profileFiles(runDir);
  return {
    tool: p.tool === 'clinic' ? `clinic ${p.mode}` : files.some((f) => f.endsWith('.heapprofile')) ? 'node --heap-prof' : 'node --cpu-prof',
    fallback: typeof p.fallback === 'string' ? p.fallback : null,
    links: files.map((f) => relative(pageDir, join(runDir, f)).split('\\').join('/')),
  };
}

function rawProfileLinks(runDir: string, pageDir: string): string[] {
  const dir = join(runDir, 'pprof');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^(heap-\d+\.pb\.gz|goroutine-\d+\.txt)$/.test(n));
  } catch {
    return [];
  }
  return names.map((n) => relative(pageDir, join(dir, n)).split('\\').join('/'));
}
