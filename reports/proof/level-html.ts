// The level evidence as server-rendered HTML, under the level chart: the
// figures compareLevels weighed (per run, and per phase under load: median,
// p90, max, which phase decided), then every sample (or the evenly spaced
// ROW_CAP of them) behind the chart. Readable without JS and printed.

import { esc, num, seconds } from '../html.ts';
import type { LevelModel, LevelPhaseRow } from './level.ts';

/** Rows per run shown in a table behind a chart; the download JSON holds every row. */
export const ROW_CAP = 400;

const ROLE_TITLE = { leaky: 'leaky (A)', fixed: 'fixed (B)' } as const;

function n(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : num(v, Number.isInteger(v) ? 0 : 1);
}

/** Every row when there are at most `cap`, else every k-th (and the last), so the whole run stays in view. */
export function evenly<T>(rows: readonly T[], cap = ROW_CAP): { rows: T[]; step: number } {
  if (rows.length <= cap) return { rows: [...rows], step: 1 };
  const step = Math.ceil(rows.length / cap);
  const out = rows.filter((_, i) => i % step === 0);
  if ((rows.length - 1) % step !== 0) out.push(rows[rows.length - 1]!);
  return { rows: out, step };
}

function phaseCells(x: LevelPhaseRow['leaky']): string {
  return x === null ? '<td class="num">0</td><td class="num">—</td><td class="num">—</td><td class="num">—</td>' : `<td class="num">${x.n}</td><td class="num">${n(x.median)}</td><td class="num">${n(x.p90)}</td><td class="num">${n(x.max)}</td>`;
}

function underLoadFigures(m: LevelModel): string {
  const rows = m.phases
    .map((p) => {
      const verdict = !p.compared ? `not compared (< ${m.minPhaseSamples} samples in a run)` : p.above ? 'leaky median above fixed p90' : 'not above';
      return `<tr${p.deciding ? ' class="own"' : ''}><th scope="row" class="mono">${esc(p.phase)}${p.deciding ? ' <span class="muted small">(deciding)</span>' : ''}</th>${phaseCells(p.leaky)}${phaseCells(p.fixed)}<td>${esc(verdict)}</td></tr>`;
    })
    .join('\n');
  const all = m.runs.map((r) => `<td class="num">${r.figures.n}</td><td class="num">${n(r.figures.median)}</td><td class="num">${n(r.figures.p90)}</td><td class="num">${n(r.figures.max)}</td>`).join('');
  return `<div class="scroll"><table id="level-table" class="compact">
<caption>${esc(m.key)} in the continuous samples of the phases that run the trigger, per phase${m.whileRunning !== null ? ` (here only the samples taken while ${esc(m.whileRunning)} ran, as one group: the trigger comes and goes inside its phases)` : ''}: samples, median, 90th percentile, max. The rule: in at least one phase with ≥ ${m.minPhaseSamples} samples in both runs, the leaky run's median is above the fixed run's p90.</caption>
<thead><tr><th scope="col" rowspan="2">phase</th><th scope="colgroup" colspan="4">leaky (A)</th><th scope="colgroup" colspan="4">fixed (B)</th><th scope="col" rowspan="2">in the rule</th></tr>
<tr><th scope="col" class="num">samples</th><th scope="col" class="num">median</th><th scope="col" class="num">p90</th><th scope="col" class="num">max</th><th scope="col" class="num">samples</th><th scope="col" class="num">median</th><th scope="col" class="num">p90</th><th scope="col" class="num">max</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row">all counted phases</th>${all}<td></td></tr></tfoot></table></div>`;
}

function drainedFigures(m: LevelModel): string {
  const rows = m.runs
    .map((r) => {
      const f = r.figures;
      return `<tr><th scope="row"><span class="swatch swatch-${r.role}" aria-hidden="true"></span>${ROLE_TITLE[r.role]}</th><td class="num">${n(f.baseline)}</td><td class="num">${f.n}</td><td class="num">${f.held}</td><td class="num">+${n(f.median)}</td><td class="num">+${n(f.max)}</td><td class="num">+${n(f.extraSum)}</td></tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table id="level-table" class="compact">
<caption>${esc(m.key)} at the drained checkpoints against the pre-load count (checkpoint 0, before any load). The rule: the leaky run holds extra at ≥ ${m.minHeldCheckpoints} checkpoints; the fixed run at fewer than ${m.minHeldCheckpoints}, and its extra handles summed under a tenth of the leaky run's.</caption>
<thead><tr><th scope="col">run</th><th scope="col" class="num">pre-load count</th><th scope="col" class="num">checkpoints after load</th><th scope="col" class="num">holding extra</th><th scope="col" class="num">median extra</th><th scope="col" class="num">max extra</th><th scope="col" class="num">Σ extra</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

function samplesTables(m: LevelModel): string {
  const tables = m.runs.map((r) => {
    const { rows, step } = evenly(r.samples);
    const body = rows
      .map((s) => `<tr${s.counted ? '' : ' class="warmup"'}><td class="num">${esc(seconds(s.t))}</td><td class="num">${num(s.requests, 0)}</td><td class="mono">${esc(s.phase)}</td><td class="num">${n(s.count)}</td><td>${s.counted ? 'counted' : 'not counted'}</td></tr>`)
      .join('\n');
    const note = step > 1 ? `: every ${step}th of ${r.samples.length} samples (the download JSON has them all)` : ` (${r.samples.length} samples)`;
    return `<div class="scroll"><table class="compact level-samples" id="level-samples-${r.role}"><caption><span class="swatch swatch-${r.role}" aria-hidden="true"></span>${ROLE_TITLE[r.role]}${esc(note)}</caption>
<thead><tr><th scope="col" class="num">time</th><th scope="col" class="num">requests</th><th scope="col">phase</th><th scope="col" class="num">${esc(m.key)}</th><th scope="col">in the level</th></tr></thead>
<tbody>
${body}
</tbody></table></div>`;
  });
  return `<details class="figures"><summary>Data behind this chart: ${esc(m.key)} in every sample of both runs</summary>
<div class="side-by-side">
${tables.join('\n')}
</div></details>`;
}

/** The tables under the level chart (under load) or the signal chart (drained). */
export function levelTables(m: LevelModel): string {
  return m.where === 'under-load' ? `${underLoadFigures(m)}\n${samplesTables(m)}` : drainedFigures(m);
}

/** The chart caption's account of the level, with the figures the comparison used. */
export function levelCaption(m: LevelModel): string {
  const [l, f] = m.runs as [LevelModel['runs'][number], LevelModel['runs'][number]];
  const verdict = m.comparison.holds ? 'the level shows in the leaky run and not in the fixed one' : m.comparison.failures[0] ?? 'the rule does not hold';
  if (m.where === 'drained') {
    return `A level, not a slope: each drained checkpoint's ${m.key} against its run's pre-load count (dotted line, checkpoint 0). Leaky: extra at ${l.figures.held}/${l.figures.n} checkpoints after load, median +${n(l.figures.median)}, max +${n(l.figures.max)}, Σ +${n(l.figures.extraSum)}; fixed: extra at ${f.figures.held}/${f.figures.n}, Σ +${n(f.figures.extraSum)}. Every checkpoint after load counts (the hollow rings are the slope comparison's warm-up, not the level's). Here: ${verdict}.`;
  }
  const bar = m.bar;
  const figures =
    bar === null
      ? `No phase has ${m.minPhaseSamples} samples in both runs: nothing to compare.`
      : `Dashed lines: in phase ${bar.phase}, the one where the leaky run stands furthest above the fixed run, the leaky median ${n(bar.leakyMedian)} and the fixed run's 90th percentile ${n(bar.fixedP90)}, the bar it must clear.`;
  return `${m.key} in every continuous sample of both runs, taken while the load runs (not drained): the level while the trigger runs. Thick line: samples of the phases that run the trigger (counted in the level); thin: warm-up and cool-down (not counted). ${figures} Strips above the plot: each run's phases (A above, B below), the deciding one outlined. Here: ${verdict}.`;
}
