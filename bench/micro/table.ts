// The micro-benchmark table: one line per mechanism × way × size, each
// compared with the fixed row of its mechanism and size on the same line
// (how many times slower, how many times the bytes allocated), and the
// JSON record --json writes. Pure: formatting only.

import type { Row } from './run.ts';

export interface ComparedRow extends Row {
  /** Fixed ops/s ÷ this row's ops/s (1 on the fixed row); null without a fixed row. */
  readonly slowerThanFixed: number | null;
  /** This row's allocated bytes ÷ the fixed row's; null when the fixed row allocates under 1 B/op. */
  readonly allocatedVsFixed: number | null;
  /** Retained heap + external bytes per op, this row minus the fixed row. */
  readonly retainedMinusFixed: number | null;
}

export function compare(rows: readonly Row[]): ComparedRow[] {
  return rows.map((r) => {
    const fixed = rows.find((f) => f.role === 'fixed' && f.mechanism === r.mechanism && f.size === r.size);
    if (fixed === undefined) return { ...r, slowerThanFixed: null, allocatedVsFixed: null, retainedMinusFixed: null };
    return {
      ...r,
      slowerThanFixed: r.opsPerSec > 0 ? fixed.opsPerSec / r.opsPerSec : null,
      allocatedVsFixed: fixed.allocatedBytesPerOp >= 1 ? r.allocatedBytesPerOp / fixed.allocatedBytesPerOp : null,
      retainedMinusFixed: retainedOf(r) - retainedOf(fixed),
    };
  });
}

export function retainedOf(r: Row): number {
  return r.retainedHeapBytesPerOp + r.retainedExternalBytesPerOp;
}

/** 1234567 → `1 234 567` (thin groups, as the notes write figures). */
export function grouped(n: number, decimals = 0): string {
  const [int, frac] = Math.abs(n).toFixed(decimals).split('.');
  const body = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${n < 0 && Number(n.toFixed(decimals)) !== 0 ? '-' : ''}${body}${frac === undefined ? '' : `.${frac}`}`;
}

/** Bytes per op: one decimal below 10, whole bytes above. */
export function bytes(n: number): string {
  return Math.abs(n) < 10 ? grouped(n, 1) : grouped(n);
}

export function duration(ms: number): string {
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.001) return `${(ms * 1_000).toFixed(2)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}

function ratio(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  if (x >= 100) return `${grouped(x)}×`;
  return `${x.toFixed(x >= 10 ? 1 : 2)}×`;
}

const COLUMNS = ['mechanism', 'way', 'size', 'ops/s', '±rme', 'mean', 'alloc B/op', 'retained B/op', 'slower', 'alloc ×', 'note'] as const;
/** Right-aligned: the figures. */
const RIGHT = new Set<string>(['ops/s', '±rme', 'mean', 'alloc B/op', 'retained B/op', 'slower', 'alloc ×']);

export function cells(r: ComparedRow): string[] {
  const external = r.retainedExternalBytesPerOp;
  const note = [
    r.note,
    Math.abs(external) >= 1 ? `retained incl. ${bytes(external)} B off-heap` : '',
    // A memory batch of a few ops: its B/op carry the heap's own noise undivided.
    r.memoryOps < 100 ? `memory n=${r.memoryOps}` : '',
  ].filter((s) => s !== '').join('; ');
  const isFixed = r.role === 'fixed';
  return [
    r.mechanism,
    `${r.role === 'alt' ? '·' : r.role} ${r.variant}`,
    r.size,
    r.opsPerSec >= 100 ? grouped(r.opsPerSec) : grouped(r.opsPerSec, 2),
    `${Number.isFinite(r.rmePercent) ? r.rmePercent.toFixed(1) : '∞'} %`,
    duration(r.meanMs),
    bytes(r.allocatedBytesPerOp),
    bytes(retainedOf(r)),
    isFixed ? '1' : ratio(r.slowerThanFixed),
    isFixed ? '1' : ratio(r.allocatedVsFixed),
    note,
  ];
}

export function formatTable(rows: readonly ComparedRow[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((v, i) => (RIGHT.has(COLUMNS[i]!) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (let i = 0; i < rows.length; i++) {
    const group = `${rows[i]!.mechanism}|${rows[i]!.size}`;
    if (last !== '' && group !== last && rows[i]!.mechanism !== rows[i - 1]!.mechanism) out.push('');
    last = group;
    out.push(line(body[i]!));
  }
  return out.join('\n') + '\n';
}
