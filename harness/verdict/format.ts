// Terminal rendering of verdicts: what the on-call engineer reads. Compact,
// deciding reason first, one line per signal, no colour (it may go to a file).

import type { ServedLoad } from './served.ts';
import { vitalLine, type RunComparison } from './compare.ts';
import type { SignalVerdict } from './memory.ts';
import type { RunVerdict } from './run.ts';
import type { HandleTypeVerdict } from './handles.ts';
import { perThousandText } from './unread.ts';
import { vitalGrowthText, type VitalsVerdict } from './vitals.ts';
import { perDay, sizeText } from './budget.ts';
import type { LevelThresholdsVerdict } from './level-threshold.ts';
import { SPACE_MEANING } from './heap-spaces.ts';

function num(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a !== 0 && a < 0.1) return v.toPrecision(2);
  return a >= 1000 ? v.toFixed(0) : v.toFixed(digits);
}

function hours(h: number | null): string {
  if (h === null) return 'never';
  if (h > 24 * 365) return '> 1 year';
  if (h > 48) return `${(h / 24).toFixed(1)} d`;
  if (h >= 1) return `${h.toFixed(1)} h`;
  return `${(h * 60).toFixed(0)} min`;
}

function signalLine(v: SignalVerdict): string {
  const name = v.signal.padEnd(12);
  const status = v.status.padEnd(13);
  if (v.ciMethod === null) return `  ${name} ${status} ${v.reasons[0] ?? ''}`;
  const ci = `${num(v.slope)} ${v.unit} [${num(v.lower)}, ${num(v.upper)}] δ ${v.floor}`;
  const rate = v.mibPerHour === null ? '' : `  ${num(v.mibPerHour, 2)} MiB/h`;
  const limit = v.projection && (v.slope ?? 0) > 0 && v.status === 'LEAK' ? `  limit in ${hours(v.projection.hoursToLimit)}` : '';
  const mds = v.status === 'NO-LEAK' && !v.levelledOff ? `  sees ≥ ${num(v.minimalDetectableSlope)}` : '';
  return `  ${name} ${status} ${ci}${rate}${limit}${mds}`;
}

/** The load the verdict stands on: how much of it the target answered correctly. */
function servedLine(s: ServedLoad): string {
  const t = s.total;
  const share = t.share === null ? '—' : `${t.share >= 0.995 || t.share === 0 ? Math.round(t.share * 100) : (Math.round(t.share * 1000) / 10).toFixed(1)} %`;
  // The reason names where it fell short (the whole run, or the phase below the bar while the run's total passed).
  if (s.status === 'not-served') return `served: NOT SERVED (needs ${Math.round(s.minShare * 100)} % over the run and in every phase) — ${s.reason}`;
  return `served: ${share} of ${t.attempts - t.excused} non-fault requests answered correctly${t.excused > 0 ? ` (${t.excused} failures were injected faults)` : ''}`;
}

/**
 * One handle type. A named signal leads with its name and growth:
 * `  sockets with unread data LEAK  +0.8/1k requests, 0 → 120 (Δ 120): …`.
 */
function handleLine(t: HandleTypeVerdict): string {
  if (t.label !== undefined) {
    return `  ${t.label} ${t.status.padEnd(13)} ${perThousandText(t.perThousandRequests ?? null)}, ${t.baseline} → ${t.last} (Δ ${t.delta}): ${t.reason}`;
  }
  return `  ${t.type.padEnd(20)} ${t.status.padEnd(13)} ${t.baseline} → ${t.last} (Δ ${t.delta}): ${t.reason}`;
}

/** A scenario's level thresholds (level-threshold.ts), one line each: `  LEAK     handles:tcp:ESTABLISHED reached 2 341 > 2 000 at 00:41 (…)`. */
function levelThresholdLines(v: LevelThresholdsVerdict): string[] {
  const word = { breached: 'LEAK', held: 'NO-LEAK', 'no-data': 'NOT-MEASURED' } as const;
  return [`level thresholds (continuous samples): ${v.status}`, ...v.results.map((r) => `  ${word[r.status].padEnd(13)} ${r.line}`)];
}

export function formatVerdict(v: RunVerdict): string {
  const lines: string[] = [];
  const id = v.run.runId ?? `${v.run.scenario} seed ${v.run.seed}`;
  lines.push(`${v.status}  ${id}${v.run.target ? ` (${v.run.target})` : ''}: ${v.reasons[0] ?? ''}`);
  for (const r of v.reasons.slice(1)) lines.push(`  ${r}`);
  lines.push(`checkpoints ${v.checkpoints.judged}/${v.checkpoints.total} judged; warm-up: ${v.warmup.description}; x = ${v.axis}`);
  if (v.served !== undefined && v.served.status !== 'unknown') lines.push(servedLine(v.served));
  lines.push('memory (slope per x, 95 % CI):');
  for (const m of v.memory) {
    lines.push(signalLine(m));
    const explain = (m.status !== 'NO-LEAK' || m.levelledOff) && m.status !== 'NOT-MEASURED' && m.ciMethod !== null;
    if (explain) lines.push(`    ${m.reasons[0]}`);
  }
  const heap = v.memory.find((m) => m.signal === 'heapUsed');
  if (heap?.projection) lines.push(`  heap limit ${num(heap.projection.limitBytes / 2 ** 20, 0)} MiB (${heap.projection.limitSource})`);
  if (v.budget !== undefined) lines.push(...budgetLines(v));
  if (v.adaptiveFloor !== undefined) lines.push(v.adaptiveFloor.reason);
  // Named when the heap grows (LEAK, or an interval above its floor however the window was judged): attribution for a leak, not noise for a clean run.
  if (v.sites) lines.push(...sitesLines(v.sites, heap !== undefined && (heap.status === 'LEAK' || (heap.lower !== null && heap.lower > heap.floor))));
  // Where the heap's rise is, whenever it is real (its interval above 0), LEAK or not: objects or code.
  if (v.heapSpaces && heap !== undefined && heap.lower !== null && heap.lower > 0) lines.push(heapSpacesLine(v.heapSpaces, heap.unit));
  if (v.vitals) lines.push(...vitalsLines(v.vitals));
  const handleLines = v.handles.types.filter((t) => t.status !== 'NO-LEAK' || t.delta !== 0);
  lines.push(`handles: ${v.handles.status}${handleLines.length === 0 ? ' (no type changed)' : ''}`);
  for (const t of handleLines) lines.push(handleLine(t));
  if (v.levels) lines.push(...levelThresholdLines(v.levels));
  if (v.harness) lines.push(harnessLine(v.harness));
  const c = v.churn;
  if (c.source !== 'none') {
    lines.push(
      `churn (${c.source}, ${c.windows.length} windows): ${num(c.allocatedBytesPerRequest, 0)} B allocated/request` +
        ` (p10–p90 ${num(c.allocatedSpread?.p10, 0)}–${num(c.allocatedSpread?.p90, 0)}), GC ${num(c.gcMicrosPerRequest, 2)} µs/request`,
    );
  }
  if (c.eventLoopDelay) {
    const e = c.eventLoopDelay;
    lines.push(`  event-loop delay p99 in '${e.phase}': median ${num(e.inPhase?.median)} ms (p90 ${num(e.inPhase?.p90)} ms over ${e.inPhase?.windows ?? 0} samples), outside ${num(e.outside?.median)} ms`);
  }
  if (v.findings.length > 0) {
    lines.push('findings:');
    for (const f of v.findings) lines.push(`  - ${f.kind}: ${f.message}`);
  }
  return lines.join('\n');
}

/**
 * --budget: the floors it set, and each judged memory signal in the user's
 * terms at the production rate: `heapUsed at 300 req/s: +1.2 GB/day [1.1,
 * 1.3]; the 4096 MiB heap limit in 3.4 d` (a NO-LEAK's bound: at most the
 * CI upper).
 */
export function budgetLines(v: RunVerdict): string[] {
  const b = v.budget;
  if (b === undefined) return [];
  if (b === null) return ['budget: not applied (the judged window has no request rate to spread it over): floors as the scenario sets them'];
  const at = `${num(b.rate, b.rate >= 100 ? 0 : 1)} req/s${b.rateSource === 'production' ? ' (production)' : ' (this run\'s rate; --production-rate sets yours)'}`;
  const raised = b.raised.filter((s) => s !== 'rss');
  const lines = [
    `budget ${b.budget.text} at ${at}: δ ${b.asked} B/request` +
      (raised.length > 0 ? `, raised to ${num(b.floors.heapUsed, 0)} for ${raised.join(', ')} (the least this run certifies: a healthy relay's drift over its judged requests, harness/verdict/certify.ts)` : '') +
      `; rss δ ${num(b.floors.rss, b.floors.rss >= 100 ? 0 : 2)}${b.raised.includes('rss') ? ' (its default: rss moves in pages)' : ''}`,
  ];
  for (const m of v.memory) {
    if (m.slope === null || m.lower === null || m.upper === null || m.ciMethod === null || m.unit !== 'B/request') continue;
    const day = (x: number) => `${x >= 0 ? '+' : ''}${sizeText(perDay(x, b.rate))}`;
    const growth = m.status === 'NO-LEAK' ? `at most ${day(Math.max(0, m.upper))}/day (CI upper)` : `${day(m.slope)}/day [${day(m.lower)}, ${day(m.upper)}]`;
    // hoursToLimit is at the run's own x rate: at the production rate the same bytes take rate_run / rate_prod as long.
    const h = m.projection?.hoursToLimit ?? null;
    const limit = m.status === 'LEAK' && h !== null && m.xPerSecond !== null && m.projection ? `; the ${num(m.projection.limitBytes / 2 ** 20, 0)} MiB ${m.signal === 'heapUsed' ? 'heap ' : ''}limit in ${hours((h * m.xPerSecond) / b.rate)}` : '';
    lines.push(`  ${m.signal} at ${num(b.rate, 0)} req/s: ${growth}${limit}`);
  }
  return lines;
}

function bytesText(b: number): string {
  const a = Math.abs(b);
  if (a >= 2 ** 20) return `${num(b / 2 ** 20, 1)} MiB`;
  if (a >= 1024) return `${num(b / 1024, 1)} KiB`;
  return `${num(b, 0)} B`;
}

/**
 * The target's own vitals, one line each, named as the target names them:
 * `  go_goroutines   LEAK   +328.4/1k requests [280.0, 407.1] δ 2  540 → 2562`.
 */
function vitalsLines(vitals: VitalsVerdict): string[] {
  const lines: string[] = [];
  if (vitals.signals.length > 0) {
    lines.push(`target vitals: ${vitals.status}`);
    for (const s of vitals.signals) {
      const name = s.key.padEnd(30);
      const ci = s.kind === 'slope' && s.lower !== null ? ` [${num(s.lower)}, ${num(s.upper)}] δ ${s.floor}` : s.kind === 'level' ? ` (level, allowance ${s.floor ?? 0})` : '';
      const range = s.first !== null ? `  ${num(s.first, 0)} → ${num(s.last, 0)}` : '';
      lines.push(`  ${name} ${s.status.padEnd(13)} ${vitalGrowthText(s)}${ci}${range}`);
      if (s.status !== 'NO-LEAK') lines.push(`    ${s.reason}`);
    }
  }
  const h = vitals.heapTop;
  if (h) {
    const slope = h.slope === null ? 'slope n/a' : `${h.slope > 0 ? '+' : ''}${bytesText(h.slope)}/1k requests [${bytesText(h.lower ?? 0)}, ${bytesText(h.upper ?? 0)}]`;
    lines.push(`pprof heap, top site: ${h.site}: ${bytesText(h.inuseBytes)} in use of ${bytesText(h.heapInuseBytes)}, ${slope} over ${h.n} checkpoints`);
    if (h.callers.length > 0) lines.push(`  called from ${h.callers.slice(0, 2).join(' ← ')}`);
  }
  return lines;
}

export function formatComparison(c: RunComparison): string {
  const label: Record<RunComparison['outcome'], string> = {
    'fix-holds': 'FIX HOLDS',
    regression: 'REGRESSION',
    'not-fixed': 'NOT FIXED',
    inconclusive: 'INCONCLUSIVE',
  };
  const lines: string[] = [];
  lines.push(`${label[c.outcome]}: ${c.reasons[0] ?? ''}`);
  for (const r of c.reasons.slice(1)) lines.push(`  ${r}`);
  for (const w of c.warnings) lines.push(`WARNING: ${w}`);
  lines.push(
    c.alignment.whole === true
      ? `not aligned: the before run stopped early at a certain LEAK (--until-verdict, ${c.alignment.requests} requests); the after run judged on all of its checkpoints`
      : `aligned on ${c.alignment.requests} requests (dropped ${c.alignment.beforeCheckpointsDropped} before / ${c.alignment.afterCheckpointsDropped} after checkpoints)`,
  );
  const unit = c.signals[0]?.unit ?? 'B/request';
  lines.push(`${'signal'.padEnd(13)} ${'before'.padEnd(34)} ${'after'.padEnd(34)} ${'after − before, 95 % CI'.padEnd(28)} outcome   (${unit})`);
  for (const s of c.signals) {
    const side = (x: typeof s.before): string => `${x.status} ${num(x.slope)} [${num(x.lower)}, ${num(x.upper)}]`.padEnd(34);
    const d = (s.difference ? `${num(s.difference.estimate)} [${num(s.difference.lower)}, ${num(s.difference.upper)}]` : 'n/a').padEnd(28);
    lines.push(`${s.signal.padEnd(13)} ${side(s.before)} ${side(s.after)} ${d} ${s.outcome}`);
  }
  const changed = c.handles.filter((h) => h.before.delta !== 0 || h.after.delta !== 0 || h.before.status !== 'NO-LEAK' || h.after.status !== 'NO-LEAK');
  for (const h of changed) lines.push(`handles ${h.type}: ${h.before.status} Δ ${h.before.delta} → ${h.after.status} Δ ${h.after.delta}`);
  for (const v of c.vitals ?? []) lines.push(`vital ${vitalLine(v)}`);
  const ratio = (name: string, r: RunComparison['churn']['allocatedBytesPerRequest']): void => {
    if (r) lines.push(`${name}: after/before ${num(r.ratio, 2)} (95 % CI ${num(r.lower, 2)}–${num(r.upper, 2)})`);
  };
  ratio('allocated bytes/request', c.churn.allocatedBytesPerRequest);
  ratio('GC time/request', c.churn.gcMicrosPerRequest);
  ratio('event-loop delay p99 in phase', c.churn.eventLoopDelayInPhase);
  return lines.join('\n');
}

/** `harness itself: NO-LEAK  heapUsed +0.4 B/request [-1.2, 2.0] δ 32 · rss … · handles Δ 0 · fds Δ 0`: one line, apart from the target's. */
export function harnessLine(h: NonNullable<RunVerdict['harness']>): string {
  const mem = h.memory.map((m) => `${m.signal} ${m.status === 'NO-LEAK' ? '' : `${m.status} `}${m.slope === null ? 'n/a' : `${m.slope > 0 ? '+' : ''}${num(m.slope)}`} ${m.unit}${m.lower !== null ? ` [${num(m.lower)}, ${num(m.upper)}]` : ''} δ ${m.floor}`);
  const handles = h.handles.map((t) => `${t.type} ${t.status === 'NO-LEAK' ? '' : `${t.status} `}Δ ${t.delta}`);
  return `harness itself (this process, not the target): ${h.status}  ${[...mem, ...handles].join(' · ')}${h.gc ? '' : ' (no forced GC: heap figures include garbage)'}`;
}

/** `heapUsed by V8 heap space (13 checkpoints): old_space +5.1 [4.0, 6.3] B/request, 91 % (objects that survived); code_space +0.4 …`: the three that rose most. */
export function heapSpacesLine(h: NonNullable<RunVerdict['heapSpaces']>, unit: string): string {
  const rising = h.spaces.filter((s) => s.slope > 0).slice(0, 3);
  if (rising.length === 0) return `heapUsed by V8 heap space (${h.n} checkpoints): no space rose`;
  const parts = rising.map((s) => {
    const share = s.shareOfHeapSlope === null ? '' : `, ${num(100 * s.shareOfHeapSlope, 0)} %`;
    const meaning = SPACE_MEANING[s.space];
    return `${s.space} +${num(s.slope)} [${num(s.lower)}, ${num(s.upper)}] ${unit}${share}${meaning ? ` (${meaning})` : ''}`;
  });
  return `heapUsed by V8 heap space (${h.n} checkpoints): ${parts.join('; ')}`;
}

/** The growing allocation sites, top 3, when the heap grows; when none is named, why. Quiet otherwise. */
export function sitesLines(s: NonNullable<RunVerdict['sites']>, heapGrows: boolean): string[] {
  if (!heapGrows) return [];
  const every = `${Number((s.intervalBytes / 1024).toFixed(1))} KiB`;
  const head = `allocation sites (sampling heap profiler, one sample per ${every}, live after GC, ${s.n} checkpoints)`;
  if (s.growing.length === 0) {
    return [`${head}: none grows above ${Number(s.floor.toFixed(1))} B/request at this resolution (a leak off the JS heap, or too small for one sample per ${every} over this window)`];
  }
  const lines = [`${head}, growing:`];
  s.growing.slice(0, 3).forEach((g, i) => {
    const others = (g.allocs ?? []).filter((a) => a !== g.frame);
    const via = others.length === 0 ? '' : ` (allocating: ${others.slice(0, 2).join(', ')}${others.length > 2 ? ', …' : ''})`;
    const share =
      g.shareOfHeapSlope === null ? '' : `, ${num(100 * g.shareOfHeapSlope, 0)} % of the heap slope${g.shareOfHeapSlope > 1.2 ? ' (more than the heap grows: it replaces objects allocated elsewhere)' : ''}`;
    lines.push(`  ${i + 1}. ${g.frame}${via}: +${num(g.slope)} B/request [${num(g.lower)}, ${num(g.upper)}]${share}, ${bytesText(g.firstBytes)} → ${bytesText(g.lastBytes)}`);
  });
  if (s.growing.length > 3) lines.push(`  … ${s.growing.length - 3} more in summary.json`);
  return lines;
}
