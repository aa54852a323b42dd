// Target vitals: a non-Node target judged on its own signals. The series come
// from the checkpoints (drained, like every verdict input): the target's
// Prometheus series in `relay` (its /metrics, or --target-metrics), and
// `pprof.goroutines` (a Go target's net/http/pprof, key `pprof:goroutines`).
//
// Which series: the well-known ones whenever a run has them (DEFAULT_VITALS),
// plus those chosen with --judge-metric (run.json vitals.judge). How:
//  - slope: the memory verdict's rule (memory.ts), on the requests axis —
//    Theil–Sen with Sen's interval, the Mann–Kendall/Hamed–Rao gate, the
//    second-half check, the floor δ. Counts (goroutines, tasks, fds) are judged
//    per 1 000 requests, floor 2/1k requests; byte series (`*_bytes`) per
//    request, floor the run's rss floor (256 B/request by default: pages and
//    allocator arenas; a resident-bytes series is /proc rss by another name).
//  - level: the handle verdict's rule (handles.ts): Δ against the first judged
//    checkpoint above the allowance at each of the last 3, never decreasing,
//    above the highest Δ of the first half of the judged checkpoints.
// The pprof heap's top site (most in-use bytes at the last checkpoint) gets its
// slope too, shown and not judged: Go's heap profile is sampled (one sample per
// MemProfileRate bytes), a site's figure moves by a sample's size.

import type { Checkpoint } from '../records.ts';
import { judgeHandles } from './handles.ts';
import { judgeMemorySignal, type SignalVerdict } from './memory.ts';
import { estimateTrend, hasSpread } from './trend.ts';
import type { Status } from './types.ts';
import { tooShortReason } from './warmup.ts';

export type VitalKind = 'slope' | 'level';

export interface VitalChoice {
  /** A /metrics key as the target prints it (`go_goroutines`, `name{label="v"}`), or `pprof:goroutines`. */
  key: string;
  kind: VitalKind;
}

export const PPROF_GOROUTINES = 'pprof:goroutines';

/** Judged whenever a run has them. */
export const DEFAULT_VITALS: readonly VitalChoice[] = [
  { key: 'go_goroutines', kind: 'slope' },
  { key: PPROF_GOROUTINES, kind: 'slope' },
  { key: 'python_asyncio_tasks', kind: 'slope' },
  { key: 'process_open_fds', kind: 'slope' },
  { key: 'process_resident_memory_bytes', kind: 'slope' },
];

export interface VitalsOptions {
  /** Series chosen by the user (--judge-metric), judged with the defaults found. */
  judge?: readonly VitalChoice[];
  /** Count floor δ, per 1 000 requests. Default 2. */
  countFloorPer1k?: number;
  /** Byte floor δ, bytes per request. Default 256. */
  bytesFloor?: number;
  /** Level allowance (Δ tolerated), per key. Default 0. */
  allowance?: Readonly<Record<string, number>>;
  /**
   * The minimum judged window for a LEAK on a count (goroutines, tasks, fds):
   * default 20 s and 5 000 requests. Smaller than the heap's (60 s, 50 000,
   * warmup.ts): that one is set by caches that fill one entry per request up
   * to caps of 10 000; a drained count has no such fill beyond its pools
   * (idle connections, workers), which fill within the warm-up. Byte series
   * keep the heap's window.
   */
  minJudgedSeconds?: number;
  minJudgedRequests?: number;
  /** Fewer judged checkpoints than this → INCONCLUSIVE (slope). Default 8, as memory. */
  minCheckpoints?: number;
}

export interface VitalSignalVerdict {
  key: string;
  kind: VitalKind;
  /** Where the series came from: the target's /metrics, or net/http/pprof. */
  source: 'metrics' | 'pprof';
  /** Chosen by --judge-metric rather than found among the well-known ones. */
  chosen: boolean;
  status: Status;
  /** The deciding reason first. */
  reason: string;
  /** '/1k requests' (counts) or 'B/request' (bytes); '' for level signals. */
  unit: string;
  floor: number | null;
  slope: number | null;
  lower: number | null;
  upper: number | null;
  /** Checkpoints with a value. */
  n: number;
  first: number | null;
  last: number | null;
  /** last − first judged value. */
  delta: number | null;
}

export interface HeapTopSite {
  site: string;
  callers: string[];
  /** In-use bytes at the last checkpoint, and the whole heap's. */
  inuseBytes: number;
  heapInuseBytes: number;
  /** Theil–Sen slope of the site's in-use bytes, bytes per 1 000 requests, with its 95 % interval (null: too few points). */
  slope: number | null;
  lower: number | null;
  upper: number | null;
  /** Checkpoints where the site was among the recorded top sites. */
  n: number;
  unit: 'B/1k requests';
}

export interface VitalsVerdict {
  status: Status;
  signals: VitalSignalVerdict[];
  /** The pprof heap's top site and its slope, when the run read heap profiles. */
  heapTop: HeapTopSite | null;
}

function valueOf(c: Checkpoint, key: string): number | undefined {
  if (key === PPROF_GOROUTINES) return c.pprof?.goroutines ?? undefined;
  const v = c.relay?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const isBytes = (key: string): boolean => /_bytes(\{|$)/.test(key);

/** Replace the memory verdict's unit in its words: the rule is the same, the unit is not bytes. */
const inUnit = (text: string, unit: string): string => (unit === 'B/request' ? text : text.replaceAll('B/request', unit));

/** A checkpoint carrying one series as if it were rss: the memory (or handle) rule then applies unchanged. */
function carrier(c: Checkpoint, value: number, xScale: number): Checkpoint {
  return {
    ...c,
    requestsCompleted: c.requestsCompleted / xScale,
    memory: { rss: value, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
    preGcMemory: { rss: value, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
    resourcesBeforeGc: {},
    resourcesAfterGc: { series: value },
    fds: 0,
    tcp: {},
    procOnly: true,
  };
}

function judgeOne(judged: readonly Checkpoint[], choice: VitalChoice, chosen: boolean, options: VitalsOptions): VitalSignalVerdict | null {
  const points = judged.flatMap((c) => {
    const v = valueOf(c, choice.key);
    return v === undefined ? [] : [{ c, v }];
  });
  const source = choice.key === PPROF_GOROUTINES ? 'pprof' : 'metrics';
  const base = { key: choice.key, kind: choice.kind, source, chosen } as const;
  if (points.length === 0) {
    if (!chosen) return null;
    return {
      ...base,
      status: 'INCONCLUSIVE',
      reason: source === 'pprof' ? 'no goroutine count at any judged checkpoint (net/http/pprof not read)' : `not in the target's /metrics at any judged checkpoint`,
      unit: '',
      floor: null,
      slope: null,
      lower: null,
      upper: null,
      n: 0,
      first: null,
      last: null,
      delta: null,
    };
  }
  const first = points[0]!.v;
  const last = points[points.length - 1]!.v;
  const real = points.map((p) => p.c);
  const bytes = isBytes(choice.key);
  const window = bytes ? {} : { minJudgedSeconds: options.minJudgedSeconds ?? 20, minJudgedRequests: options.minJudgedRequests ?? 5_000 };
  if (choice.kind === 'level') {
    const h = judgeHandles(
      points.map((p) => carrier(p.c, p.v, 1)),
      { allowance: { series: options.allowance?.[choice.key] ?? 0 }, minJudgedSeconds: 0, minJudgedRequests: 0 },
    ).types.find((t) => t.type === 'series');
    let status: Status = h?.status ?? 'NO-LEAK';
    let reason = h?.reason ?? 'no change';
    const tooShort = status === 'LEAK' ? tooShortReason(real, window) : null;
    if (tooShort !== null) {
      status = 'INCONCLUSIVE';
      reason = `${reason}; but ${tooShort}`;
    }
    return { ...base, status, reason, unit: '', floor: options.allowance?.[choice.key] ?? 0, slope: null, lower: null, upper: null, n: points.length, first, last, delta: last - first };
  }
  const xScale = bytes ? 1 : 1_000;
  const unit = bytes ? 'B/request' : '/1k requests';
  const floor = bytes ? (options.bytesFloor ?? 256) : (options.countFloorPer1k ?? 2);
  const v: SignalVerdict = judgeMemorySignal(
    points.map((p) => carrier(p.c, p.v, xScale)),
    'rss',
    { floors: { rss: floor }, minJudgedSeconds: 0, minJudgedRequests: 0, ...(options.minCheckpoints !== undefined ? { minCheckpoints: options.minCheckpoints } : {}), bootstrapSeed: `vitals:${choice.key}` },
  );
  let status: Status = v.status === 'LEAK' || v.status === 'NO-LEAK' || v.status === 'INCONCLUSIVE' ? v.status : 'INCONCLUSIVE';
  let reason = inUnit(v.reasons[0] ?? '', unit);
  const tooShort = status === 'LEAK' ? tooShortReason(real, window) : null;
  if (tooShort !== null) {
    status = 'INCONCLUSIVE';
    reason = `${tooShort} (${reason})`;
  }
  return { ...base, status, reason, unit, floor, slope: v.slope, lower: v.lower, upper: v.upper, n: points.length, first, last, delta: last - first };
}

/** The heap profile's top site at the last checkpoint that has one, and the slope of its in-use bytes. */
export function heapTopSite(judged: readonly Checkpoint[]): HeapTopSite | null {
  const withHeap = judged.filter((c) => c.pprof?.heap);
  const lastHeap = withHeap[withHeap.length - 1]?.pprof?.heap;
  const top = lastHeap?.sites[0];
  if (!lastHeap || !top) return null;
  const points = withHeap.flatMap((c) => {
    const s = c.pprof!.heap!.sites.find((x) => x.site === top.site);
    return s ? [{ x: c.requestsCompleted / 1_000, y: s.inuseBytes }] : [];
  });
  let slope: number | null = null;
  let lower: number | null = null;
  let upper: number | null = null;
  const x = points.map((p) => p.x);
  if (points.length >= 3 && hasSpread(x)) {
    const t = estimateTrend(x, points.map((p) => p.y), { bootstrapSeed: `vitals:heap:${top.site}` });
    slope = t.slope;
    lower = t.ci.lower;
    upper = t.ci.upper;
  }
  return { site: top.site, callers: top.callers, inuseBytes: top.inuseBytes, heapInuseBytes: lastHeap.inuseBytes, slope, lower, upper, n: points.length, unit: 'B/1k requests' };
}

/** `judged`: the post-warm-up checkpoints in seq order (the same as every other verdict's). */
export function judgeVitals(judged: readonly Checkpoint[], options: VitalsOptions = {}): VitalsVerdict {
  const chosen = options.judge ?? [];
  const choices: { choice: VitalChoice; chosen: boolean }[] = chosen.map((choice) => ({ choice, chosen: true }));
  for (const d of DEFAULT_VITALS) if (!chosen.some((c) => c.key === d.key)) choices.push({ choice: d, chosen: false });
  let signals = choices.flatMap(({ choice, chosen: c }) => judgeOne(judged, choice, c, options) ?? []);
  // /metrics' go_goroutines and pprof's goroutine total are the same count (runtime.NumGoroutine)
  // read two ways: judging both would name one leak twice. pprof's is judged only when /metrics
  // has no goroutine gauge, or when the user chose it.
  if (signals.some((s) => s.key === 'go_goroutines' && s.n > 0)) signals = signals.filter((s) => s.key !== PPROF_GOROUTINES || s.chosen);
  const status: Status = signals.some((s) => s.status === 'LEAK') ? 'LEAK' : signals.some((s) => s.status === 'INCONCLUSIVE') ? 'INCONCLUSIVE' : 'NO-LEAK';
  return { status, signals, heapTop: heapTopSite(judged) };
}

/** `+12.3/1k requests` (slope), `Δ +40` (level): how a vital's growth reads in one line. */
export function vitalGrowthText(s: VitalSignalVerdict): string {
  const sign = (v: number): string => (v > 0 ? '+' : '');
  if (s.kind === 'level') return s.delta === null ? 'n/a' : `Δ ${sign(s.delta)}${fmt(s.delta)}`;
  return s.slope === null ? 'n/a' : `${sign(s.slope)}${fmt(s.slope)}${s.unit === 'B/request' ? ' B/request' : s.unit}`;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 1 || a === 0 ? v.toFixed(1) : v.toPrecision(2);
}
