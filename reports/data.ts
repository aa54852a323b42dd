// From records to the data embedded in the page: columns (one array per
// figure, not one object per sample: the names are written once), times in ms
// since the run's start, bytes as integers (the page converts to MiB), and
// then gzip + base64 (pack). The format is versioned: DATA_FORMAT goes into
// the page as data-format, and the page refuses a format it does not know.

import { gzipSync } from 'node:zlib';
import type { Checkpoint, ContinuousSample, Counts, RunEvent } from '../harness/records.ts';
import { columnOf, encodeColumn, envelope, type EncodedColumn, type Row } from './columns.ts';
import type { FitLine } from './fit.ts';
import { chartedGauges, gaugeRanges, GAUGE_PREFIX, isGaugeKey } from './gauges.ts';

export const DATA_FORMAT = 1;

/**
 * Rows kept before the sample envelope halves its resolution (see columns.ts):
 * 32 768 keeps an 8-hour run at 1 Hz (28 800 samples) at full resolution;
 * longer runs are enveloped so the page stays bounded.
 */
export const MAX_SAMPLE_ROWS = 32_768;

/** Phase names in order of appearance; columns hold indices into it. */
export interface PhaseNames {
  names: string[];
  index(name: unknown): number;
}

export function phaseNames(): PhaseNames {
  const names: string[] = [];
  const seen = new Map<string, number>();
  return {
    names,
    index(name) {
      const key = typeof name === 'string' ? name : '?';
      let i = seen.get(key);
      if (i === undefined) {
        i = names.length;
        names.push(key);
        seen.set(key, i);
      }
      return i;
    },
  };
}

export interface Table {
  n: number;
  /** Moving /metrics gauges not charted (past MAX_GAUGES); 0 when none were left out. */
  gaugesLeftOut?: number;
  /** Rows merged per envelope bucket; 1 when every record is kept. */
  factor: number;
  t: EncodedColumn;
  phase: EncodedColumn;
  cols: Record<string, EncodedColumn>;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function put(row: Row, name: string, v: unknown): void {
  if (finite(v)) row[name] = v;
}

function putCounts(row: Row, prefix: string, counts: Counts | null | undefined): void {
  if (counts === null || typeof counts !== 'object') return;
  for (const [k, v] of Object.entries(counts)) put(row, prefix + k, v);
}

/** The target's /metrics gauges (gauges.ts decides which series are levels). */
function putGauges(row: Row, relay: Record<string, number> | null | undefined): void {
  row['has:relay'] = relay !== null && typeof relay === 'object' ? 1 : 0;
  if (row['has:relay'] === 0) return;
  for (const [k, v] of Object.entries(relay!)) if (isGaugeKey(k)) put(row, GAUGE_PREFIX + k, v);
}

/** Cumulative GC time and allocated bytes from the probe: the page charts their rates. */
function putChurn(row: Row, gc: { timeMs?: number } | null | undefined, allocated: unknown): void {
  put(row, 'gcMs', gc?.timeMs);
  put(row, 'allocated', allocated);
}

/** Only the charted gauges' columns stay (see gauges.ts). */
function keepGauges(rows: ReadonlyArray<{ row: Row }>): { keep: (name: string) => boolean; leftOut: number } {
  const ranges = gaugeRanges();
  for (const { row } of rows) for (const [k, v] of Object.entries(row)) if (k.startsWith(GAUGE_PREFIX)) ranges.add(k, v);
  const chosen = chartedGauges(ranges.ranges());
  const set = new Set(chosen.keys);
  return { keep: (name) => !name.startsWith(GAUGE_PREFIX) || set.has(name), leftOut: chosen.leftOut };
}

/** One sample as a row. rss: /proc's when there is one (what the OS charges), else the probe's. */
export function sampleRow(s: ContinuousSample): Row {
  const row: Row = { 'has:probe': s.probe ? 1 : 0, 'has:proc': s.proc ? 1 : 0, 'has:load': s.load ? 1 : 0, 'has:faults': s.faults ? 1 : 0 };
  put(row, 'requestsCompleted', s.requestsCompleted);
  const { proc, probe, load } = s;
  if (proc) {
    put(row, 'rss', proc.rss);
    put(row, 'fds', proc.fds);
    put(row, 'threads', proc.threads);
    putCounts(row, 'tcp:', proc.tcp);
    // Sockets with unread data (rx_queue > 0): charted with the TCP states, judged as the handle key tcp:unread.
    put(row, 'tcp:unread', proc.unread?.sockets);
    put(row, 'unreadBytes', proc.unread?.bytes);
  }
  if (probe) {
    const m = probe.memory;
    if (!proc) put(row, 'rss', m?.rss);
    put(row, 'heapUsed', m?.heapUsed);
    put(row, 'heapTotal', m?.heapTotal);
    put(row, 'external', m?.external);
    put(row, 'arrayBuffers', m?.arrayBuffers);
    putCounts(row, 'res:', probe.resources);
    put(row, 'elP99', probe.eventLoopDelay?.p99);
    put(row, 'elMax', probe.eventLoopDelay?.max);
    putChurn(row, probe.gc, probe.allocatedBytes);
  }
  putGauges(row, s.relay);
  if (load) {
    put(row, 'reqPerSec', load.reqPerSec);
    put(row, 'requests', load.requests);
    put(row, 'errors', load.errors);
    put(row, 'timeouts', load.timeouts);
    put(row, 'mismatches', load.mismatches);
    put(row, 's4xx', load.status?.['4xx']);
    put(row, 's5xx', load.status?.['5xx']);
    put(row, 'p50', load.latencyMs?.p50);
    put(row, 'p99', load.latencyMs?.p99);
    put(row, 'latMax', load.latencyMs?.max);
  }
  putCounts(row, 'fault:', s.faults);
  return row;
}

export interface SampleTableBuilder {
  add(s: ContinuousSample): void;
  finish(): Table;
}

/** Samples arrive one by one from the streaming reader; only their figures are kept. */
export function sampleTable(phases: PhaseNames, maxRows = MAX_SAMPLE_ROWS): SampleTableBuilder {
  const env = envelope(maxRows);
  return {
    add(s) {
      env.add(s.t, phases.index(s.phase), sampleRow(s));
    },
    finish() {
      const { rows, names, factor } = env.finish();
      const gauges = keepGauges(rows);
      const cols: Record<string, EncodedColumn> = {};
      for (const name of names) if (!name.startsWith('has:') && gauges.keep(name)) cols[name] = encodeColumn(columnOf(rows, name));
      for (const name of names) if (name.startsWith('has:')) cols[name] = encodeColumn(columnOf(rows, name));
      return { n: rows.length, factor, gaugesLeftOut: gauges.leftOut, t: encodeColumn(rows.map((r) => r.t)), phase: encodeColumn(rows.map((r) => r.phase)), cols };
    },
  };
}

/** Checkpoints (sorted by seq) as columns, with the verdict's judged flag and fitted line. */
export function checkpointTable(sorted: readonly Checkpoint[], phases: PhaseNames, dropped: number, fit: FitLine | null): Table {
  const rows = sorted.map((c, i) => {
    const row: Row = { 'has:proc': 1, 'has:events': 1, 'has:probe': c.procOnly ? 0 : 1 };
    put(row, 'seq', c.seq);
    put(row, 'requests', c.requestsCompleted);
    put(row, 'rss', c.memory?.rss);
    // A /proc-only checkpoint's memory holds rss alone: its other figures are not measurements.
    if (!c.procOnly) {
      for (const k of ['heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const) put(row, k, c.memory?.[k]);
      put(row, 'preHeapUsed', c.preGcMemory?.heapUsed);
      putCounts(row, 'res:', c.resourcesAfterGc);
    }
    put(row, 'fds', c.fds);
    putCounts(row, 'tcp:', c.tcp);
    put(row, 'tcp:unread', c.unread?.sockets);
    put(row, 'unreadBytes', c.unread?.bytes);
    putCounts(row, 'ev:', c.events);
    put(row, 'drainMs', c.drainMs);
    if (!c.procOnly) putChurn(row, c.gc, c.allocatedBytes);
    putGauges(row, c.relay);
    put(row, 'judged', i >= dropped ? 1 : 0);
    if (fit !== null) {
      put(row, 'fit', fit.y[i]);
      put(row, 'fitLo', fit.lo[i]);
      put(row, 'fitHi', fit.hi[i]);
    }
    return { row };
  });
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.row)))].sort();
  const gauges = keepGauges(rows);
  const cols: Record<string, EncodedColumn> = {};
  for (const name of names) if (gauges.keep(name)) cols[name] = encodeColumn(columnOf(rows, name));
  return {
    n: sorted.length,
    factor: 1,
    gaugesLeftOut: gauges.leftOut,
    t: encodeColumn(sorted.map((c) => c.t)),
    phase: encodeColumn(sorted.map((c) => phases.index(c.phase))),
    cols,
  };
}

/**
 * Where each phase started: the harness's phase events when there are any
 * (the time the phase really began), else the first record in each phase.
 */
export function phaseStarts(events: readonly RunEvent[], firstSeen: ReadonlyArray<{ t: number; phase: string }>): Array<{ name: string; t: number }> {
  const fromEvents = events.filter((e) => e.type === 'phase' && finite(e.t) && typeof e.message === 'string').map((e) => ({ name: e.message, t: e.t }));
  if (fromEvents.length > 0) return fromEvents.sort((a, b) => a.t - b.t);
  const out: Array<{ name: string; t: number }> = [];
  for (const r of [...firstSeen].sort((a, b) => a.t - b.t)) {
    if (out[out.length - 1]?.name !== r.phase) out.push({ name: r.phase, t: r.t });
  }
  return out;
}

/** JSON → gzip → base64: the page reverses it with atob + DecompressionStream('gzip'). */
export function pack(data: unknown): { base64: string; jsonBytes: number; gzipBytes: number } {
  const json = Buffer.from(JSON.stringify(data), 'utf8');
  const gz = gzipSync(json, { level: 9 });
  return { base64: gz.toString('base64'), jsonBytes: json.length, gzipBytes: gz.length };
}
