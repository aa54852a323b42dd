// The churn evidence as server-rendered HTML, under the churn charts: per run
// the figures the comparison's ratio is computed from (windows, Σ requests,
// Σ allocated, Σ GC time, their quotients, the per-window spread), the ratio
// itself with its interval, and every window (or the evenly spaced ROW_CAP of
// them) behind the charts. Readable without JS and printed.

import { esc, num, seconds } from '../html.ts';
import type { ChurnModel, ChurnRun } from './churn.ts';
import { evenly } from './level-html.ts';

const ROLE_TITLE = { leaky: 'leaky (A)', fixed: 'fixed (B)' } as const;

function spread(s: ChurnRun['bytesSpread'], digits: number): string {
  return s === null ? '—' : `${num(s.median, digits)} [${num(s.p10, digits)}, ${num(s.p90, digits)}]`;
}

/** "after/before 0.12 (95 % CI 0.10–0.14, 40 / 41 windows)". */
export function ratioText(r: ChurnModel['ratio']): string {
  return r === null ? 'not measured (no comparison, or no allocation figures in a run)' : `after/before ${num(r.ratio, 3)} (95 % CI ${num(r.lower, 3)}–${num(r.upper, 3)}, ${r.windows[0]} / ${r.windows[1]} windows)`;
}

function figuresTable(m: ChurnModel): string {
  const rows = m.runs
    .map((r) => {
      const sourceNote = r.matched === r.windows ? '' : ` <span class="muted small">(${r.matched} of the comparison's ${r.windows} found in the folder)</span>`;
      return `<tr><th scope="row"><span class="swatch swatch-${r.role}" aria-hidden="true"></span>${ROLE_TITLE[r.role]}</th><td>${esc(r.source)}</td><td class="num">${r.windows}${sourceNote}</td><td class="num">${num(r.requestsSum, 0)}</td><td class="num">${num(r.allocatedSum, 0)}</td><td class="num">${num(r.bytesPerRequest, 0)}</td><td class="num spread">${spread(r.bytesSpread, 0)}</td><td class="num">${num(r.gcMsSum, 1)}</td><td class="num">${num(r.gcMicrosPerRequest, 2)}</td><td class="num spread">${spread(r.gcSpread, 2)}</td></tr>`;
    })
    .join('\n');
  const ratio = (label: string, r: ChurnModel['ratio']) => `<tr class="ratio"><th scope="row" colspan="3">ratio of ${label}</th><td colspan="7">${esc(ratioText(r))}</td></tr>`;
  return `<div class="scroll"><table id="churn-table">
<caption>Churn per run over the windows the comparison used (between consecutive probe readings, past warm-up, no forced-GC checkpoint inside): allocated bytes and GC time per request as Σ / Σ requests, and the median [p10, p90] of the per-window figures. The ratio is after / before with a 95 % moving-block bootstrap interval; a churn proof needs its upper bound &lt; 1.</caption>
<thead><tr><th scope="col">run</th><th scope="col">windows from</th><th scope="col" class="num">windows</th><th scope="col" class="num">Σ requests</th><th scope="col" class="num">Σ allocated (B)</th><th scope="col" class="num">B / request</th><th scope="col" class="num">per window: median [p10, p90]</th><th scope="col" class="num">Σ GC (ms)</th><th scope="col" class="num">GC µs / request</th><th scope="col" class="num">per window: median [p10, p90]</th></tr></thead>
<tbody>
${rows}
${ratio('allocated bytes per request', m.ratio)}
${ratio('GC time per request', m.gcRatio)}
</tbody></table></div>`;
}

function windowsTables(m: ChurnModel): string {
  const tables = m.runs.map((r) => {
    const { rows, step } = evenly(r.rows);
    const body = rows
      .map((w) => `<tr${w.used ? '' : ' class="warmup"'}><td class="num">${esc(seconds(w.t))}</td><td class="num">${num(w.requests, 0)}</td><td class="mono">${esc(w.phase)}</td><td class="num">${num(w.windowRequests, 0)}</td><td class="num">${num(w.bytesPerRequest, 0)}</td><td class="num">${num(w.gcMicrosPerRequest, 2)}</td><td>${w.used ? 'used' : 'not used'}</td></tr>`)
      .join('\n');
    const note = step > 1 ? `: every ${step}th of ${r.rows.length} windows (the download JSON has them all)` : ` (${r.rows.length} windows from ${r.source})`;
    return `<div class="scroll"><table class="compact churn-windows" id="churn-windows-${r.role}"><caption><span class="swatch swatch-${r.role}" aria-hidden="true"></span>${ROLE_TITLE[r.role]}${esc(note)}</caption>
<thead><tr><th scope="col" class="num">window end</th><th scope="col" class="num">requests</th><th scope="col">phase</th><th scope="col" class="num">requests in it</th><th scope="col" class="num">B / request</th><th scope="col" class="num">GC µs / request</th><th scope="col">in the ratio</th></tr></thead>
<tbody>
${body}
</tbody></table></div>`;
  });
  return `<details class="figures"><summary>Data behind these charts: every window of both runs</summary>
<div class="stacked">
${tables.join('\n')}
</div></details>`;
}

export function churnTables(m: ChurnModel): string {
  return `${figuresTable(m)}\n${windowsTables(m)}`;
}

/** The churn charts' captions, with the ratio the proof used. */
export function churnCaption(m: ChurnModel, what: 'alloc' | 'gc'): string {
  const [l, f] = m.runs as [ChurnRun, ChurnRun];
  if (what === 'alloc') {
    return `Bytes allocated per request in each window between two consecutive probe readings, both runs: nothing is retained, so the bug is the allocator's and the GC's work, not a memory slope. Filled points: the windows the comparison used; hollow: the others (warm-up, a forced-GC checkpoint inside). Dashed: each run's Σ allocated / Σ requests over its windows (leaky ${num(l.bytesPerRequest, 0)} B/request, fixed ${num(f.bytesPerRequest, 0)}). The churn ratio the proof used: ${ratioText(m.ratio)}; it needs the upper bound below 1.`;
  }
  return `GC time per request in the same windows (µs), both runs; dashed: Σ GC time / Σ requests (leaky ${num(l.gcMicrosPerRequest, 2)} µs/request, fixed ${num(f.gcMicrosPerRequest, 2)}). ${m.gcRatio === null ? '' : `GC time ${ratioText(m.gcRatio)}. `}The proof rests on allocation; GC time follows it.`;
}
