// A group's key slope across its runs as an inline SVG sparkline: no script,
// so it draws offline, without JS, and in print. The line is the min/max
// envelope of trend.ts (one run per bucket up to MAX_SPARK_BUCKETS runs, then
// merged), the dashed line the baseline's upper bound, the ring the baseline
// run and the filled dots the runs that regressed against it. Colours come
// from the page's custom properties (light and dark).

import { esc, num } from '../html.ts';
import type { EnvelopeBucket } from './trend.ts';

export interface SparkModel {
  buckets: ReadonlyArray<EnvelopeBucket | null>;
  /** Run index (time order) of the baseline, when there is one and it has a slope in the plotted unit. */
  baseline: { index: number; upper: number | null } | null;
  /** Run indices that regressed, with the slope to place the mark at (null: at the top) and why. */
  regressed: ReadonlyArray<{ index: number; slope: number | null; why: string }>;
  unit: string;
  label: string;
}

const W = 260;
const H = 48;
const PAD = 5;

function bucketOf(buckets: ReadonlyArray<EnvelopeBucket | null>, runs: number, index: number): number {
  // Buckets split [0, runs) evenly (trend.ts envelopeSeries): the same arithmetic, inverted.
  const b = buckets.length;
  if (b === 0 || runs === 0) return 0;
  let i = Math.min(b - 1, Math.floor((index * b) / runs));
  while (i > 0 && Math.floor((i * runs) / b) > index) i--;
  while (i < b - 1 && Math.floor(((i + 1) * runs) / b) <= index) i++;
  return i;
}

const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();

export function sparklineSvg(m: SparkModel, runs: number): string {
  const present = m.buckets.filter((b): b is EnvelopeBucket => b !== null);
  const title = `<title>${esc(m.label)}</title>`;
  if (present.length === 0) {
    return `<svg class="spark" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(m.label)}">${title}<text x="${W / 2}" y="${H / 2 + 4}" text-anchor="middle" class="none">no slopes to draw</text></svg>`;
  }
  let lo = Math.min(...present.map((b) => b.min));
  let hi = Math.max(...present.map((b) => b.max));
  if (m.baseline?.upper !== null && m.baseline?.upper !== undefined) {
    lo = Math.min(lo, m.baseline.upper);
    hi = Math.max(hi, m.baseline.upper);
  }
  if (hi - lo < 1e-9) {
    const d = Math.max(Math.abs(hi) * 0.1, 1);
    lo -= d;
    hi += d;
  }
  const n = m.buckets.length;
  const x = (i: number): number => (n === 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (n - 1));
  const y = (v: number): number => H - PAD - ((v - lo) / (hi - lo)) * (H - 2 * PAD);
  const parts: string[] = [];
  if (m.baseline?.upper !== null && m.baseline?.upper !== undefined) {
    const yb = r1(y(m.baseline.upper));
    parts.push(`<line class="base" x1="0" x2="${W}" y1="${yb}" y2="${yb}"><title>baseline upper bound ${esc(num(m.baseline.upper))} ${esc(m.unit)}</title></line>`);
  }
  // Consecutive present buckets form one envelope: max forward, min back.
  let seg: Array<{ i: number; b: EnvelopeBucket }> = [];
  const flush = (): void => {
    if (seg.length === 1 && seg[0]!.b.min === seg[0]!.b.max) {
      parts.push(`<circle class="dot" cx="${r1(x(seg[0]!.i))}" cy="${r1(y(seg[0]!.b.max))}" r="1.8"/>`);
    } else if (seg.length > 0) {
      const top = seg.map((s) => `${r1(x(s.i))},${r1(y(s.b.max))}`);
      const bottom = [...seg].reverse().map((s) => `${r1(x(s.i))},${r1(y(s.b.min))}`);
      parts.push(`<polygon class="env" points="${top.join(' ')} ${bottom.join(' ')}"/>`);
    }
    seg = [];
  };
  m.buckets.forEach((b, i) => {
    if (b === null) flush();
    else seg.push({ i, b });
  });
  flush();
  if (m.baseline !== null) {
    const bi = bucketOf(m.buckets, runs, m.baseline.index);
    const b = m.buckets[bi];
    if (b) parts.push(`<circle class="basept" cx="${r1(x(bi))}" cy="${r1(y((b.min + b.max) / 2))}" r="3.5"><title>baseline run</title></circle>`);
  }
  for (const r of m.regressed) {
    const bi = bucketOf(m.buckets, runs, r.index);
    const b = m.buckets[bi];
    const v = r.slope ?? b?.max ?? hi;
    parts.push(`<circle class="reg" cx="${r1(x(bi))}" cy="${r1(y(Math.min(hi, Math.max(lo, v))))}" r="3"><title>${esc(r.why)}</title></circle>`);
  }
  return `<svg class="spark" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(m.label)}">${title}${parts.join('')}</svg>`;
}
