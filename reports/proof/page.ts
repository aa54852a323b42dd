// The proof / compare page: one self-contained HTML file, like the run report
// (reports/page.ts): server-rendered HTML for everything the judgement says
// (banner, runs, comparison table or the differences that refused it), so it
// reads without JS and prints; the overlay charts are drawn in the page from
// the embedded data by script.ts. No src/href to any origin, and the same CSP.

import { proofAttributionSection } from '../attribution.ts';
import type { ProofAttributionRow } from '../../harness/attribute/proof-rows.ts';
import type { ChurnComparison, HandleComparison, RunComparison, RunDifference, RunVerdict, SignalComparison } from '../../harness/verdict/index.ts';
import { esc, num, seconds } from '../html.ts';
import { PAGE_STYLE } from '../page-style.ts';
import type { ProofSummary, SideModel, SignalInfo } from './model.ts';
import { PROOF_SCRIPT } from './script.ts';
import { PROOF_STYLE } from './style.ts';
import { COMPARE_RULE, KIND_RULES, REFUSAL_RULE, OUTCOME_WORDS, STATUS_TONE, STATUS_WORDS, statusGloss, toneOf, type BannerStatus } from './words.ts';
import { pageHead } from '../page-head.ts';

export interface ShortFact {
  label: string;
  value: string;
  code?: boolean;
}

export interface SidePage {
  role: 'leaky' | 'fixed';
  /** "Leaky run (before, A)". */
  title: string;
  dir: string;
  runId: string;
  /** Relative link to the run's report.html; null when there is none (and why in reportProblem). */
  reportHref: string | null;
  reportProblem: string | null;
  /** The folder could not be read (an incomplete proof): why. */
  problem: string | null;
  partial: string[];
  verdict: RunVerdict | null;
  /** The proof's one-line summary of this side (leakyLine / fixedLine). */
  line: string | null;
  facts: ShortFact[];
  model: SideModel | null;
  /** Sorted checkpoints' rows for the no-JS table: seq, t, requests, signal value, judged. */
  rows: Array<{ seq: number; t: number; requests: number; value: number | null; judged: boolean; fit: number | null; extra?: number | null }>;
}

export interface ChartSlot {
  id: string;
  title: string;
  caption: string;
  skipped: string | null;
  /** Extra class: 'small' for the handle grid. */
  size?: 'small';
  /** Server-rendered HTML under the plot: the figures the chart shows, as tables. */
  after?: string;
}

export interface ProofPageModel {
  title: string;
  status: BannerStatus;
  proof: ProofSummary | null;
  comparison: RunComparison | null;
  differences: RunDifference[] | null;
  note: string | null;
  signal: SignalInfo;
  sides: [SidePage, SidePage];
  recompare: string;
  charts: ChartSlot[];
  handleCharts: ChartSlot[];
  /** A drained level proof: the checkpoint tables' column of each count above its run's pre-load count. */
  extraColumn: string | null;
  /** The attribution tails' culprit rows, leaky → fixed (harness/attribute/proof-rows.ts). */
  attribution: ProofAttributionRow[];
  data: { base64: string; format: number; jsonBytes: number; gzipBytes: number };
  builder: { nodeVersion: string; builtAt: string };
  uplot: { js: string; css: string; version: string };
}

function badge(word: string, text = word): string {
  return `<span class="badge tone-${toneOf(word)}">${esc(text)}</span>`;
}

const MiB = 2 ** 20;

/** A value of the page's signal, in its unit. */
function valueText(v: number | null, s: SignalInfo, digits = 2): string {
  if (v === null) return '—';
  return s.unit === 'bytes' ? `${(v / MiB).toFixed(digits)} MiB` : num(v, Number.isInteger(v) ? 0 : 1);
}

function slopeText(slope: number | null, lower: number | null, upper: number | null, unit: string): string {
  if (slope === null) return 'n/a';
  const ci = lower !== null && upper !== null ? ` [${num(lower)}, ${num(upper)}]` : '';
  return `${num(slope)}${ci} ${unit}`;
}

/** The proof holds while the comparison alone does not say FIX HOLDS (a level or churn proof, or other signals undecided). */
function holdsDespiteComparison(m: ProofPageModel): boolean {
  return m.proof?.status === 'holds' && m.comparison !== null && m.comparison.outcome !== 'fix-holds';
}

/** Such a proof with a signature line: the banner's why line gives the evidence, so the comparison's reason goes in the note. */
function leadsWithEvidence(m: ProofPageModel): boolean {
  return holdsDespiteComparison(m) && m.proof!.signatureLine !== '';
}

function why(m: ProofPageModel): string {
  if (m.proof !== null && m.proof.failures.length > 0) return m.proof.failures[0]!;
  // The evidence the proof rests on, not the comparison's undecided reason (that goes in the note below it).
  if (leadsWithEvidence(m)) {
    const proof = m.proof!;
    // NO-LEAK, or clean as the proof requires (a churn proof lets rss stay uncertified when every JS signal and handle is NO-LEAK).
    const fixed = !proof.fixedStatus ? '' : proof.fixedStatus === 'NO-LEAK' ? '; the fixed run is NO-LEAK on all of its checkpoints' : `; the fixed run is clean as the proof requires (its overall verdict: ${proof.fixedStatus})`;
    const ratio = m.comparison!.churn.allocatedBytesPerRequest;
    if (proof.kind === 'churn' && ratio !== null) {
      return `the fixed run allocates ${ratio.ratio.toFixed(3)}× the leaky run's bytes per request (95 % CI ${ratio.lower.toFixed(3)}–${ratio.upper.toFixed(3)})${fixed}`;
    }
    return `the leaky run shows the signature: ${proof.signatureLine}${fixed}`;
  }
  if (m.comparison !== null) return m.comparison.reasons[0] ?? '';
  if (m.differences !== null && m.differences.length > 0) {
    return `compare refused: ${m.differences.length} field${m.differences.length === 1 ? ' differs' : 's differ'} (${m.differences.map((d) => d.field).slice(0, 4).join(', ')}${m.differences.length > 4 ? ', …' : ''})`;
  }
  return m.note ?? 'no comparison was made';
}

function rule(m: ProofPageModel): string {
  if (m.proof !== null) {
    const kind = KIND_RULES[m.proof.kind];
    return `<p class="rule"><strong>The rule (${esc(m.proof.kind)} proof):</strong> the leaky run must show ${esc(m.proof.expects)}${kind ? `, and ${esc(kind)}` : ''}.</p>`;
  }
  if (m.comparison === null) return `<p class="rule"><strong>The rule:</strong> ${esc(REFUSAL_RULE)}</p>`;
  return `<p class="rule"><strong>The rule:</strong> ${esc(COMPARE_RULE)}</p>`;
}

function banner(m: ProofPageModel): string {
  const status = m.status;
  const extra: string[] = [];
  const failures = m.proof?.failures ?? [];
  if (failures.length > 1) extra.push(`<ul class="more-reasons">${failures.slice(1).map((f) => `<li>${esc(f)}</li>`).join('')}</ul>`);
  // The proof holds while the comparison alone does not say FIX HOLDS: say on what it rests (harness/prove/format.ts).
  if (holdsDespiteComparison(m)) {
    const proof = m.proof!;
    const c = m.comparison!;
    const rests =
      proof.kind === 'churn' || proof.kind === 'level'
        ? `a ${proof.kind} proof rests on ${proof.kind === 'churn' ? 'the allocation ratio' : 'the level evidence'}, not on slopes; the slope comparison is ${c.outcome}`
        : `the comparison is ${c.outcome} only on signals other than ${proof.signal ?? "the variant's"}; that signal is proven fixed and the fixed run is clean`;
    // The comparison's own reason, when the why line above does not already quote it.
    const said = leadsWithEvidence(m) && c.reasons[0] ? ` (the comparison: ${c.reasons[0]})` : '';
    extra.push(`<p class="note">${esc(rests + said)}</p>`);
  }
  const facts: string[] = [];
  if (m.proof !== null) facts.push(`variant ${m.proof.variant}, scenario ${m.proof.scenario}`);
  if (m.proof !== null && m.comparison !== null) facts.push(`comparison ${STATUS_WORDS[bannerOf(m.comparison)]}`);
  if (m.comparison !== null) facts.push(`aligned on ${num(m.comparison.alignment.requests, 0)} requests, x = ${m.comparison.before.axis}`);
  if (m.proof !== null && m.proof.wallMs > 0) facts.push(`proved in ${duration(m.proof.wallMs)}`);
  return `<section id="proof" class="banner tone-${STATUS_TONE[status]}" data-status="${esc(status)}" role="status" aria-label="${esc(`${m.proof ? 'proof' : 'comparison'}: ${STATUS_WORDS[status]}`)}">
  <div class="word">${esc(STATUS_WORDS[status])}</div>
  <p class="gloss">${esc(statusGloss(status, m.proof))}</p>
  <p class="why">${esc(why(m))}</p>
  ${extra.join('\n  ')}
  ${rule(m)}
  <p class="muted">${esc(facts.join(' · '))}</p>
</section>`;
}

function bannerOf(c: RunComparison): BannerStatus {
  return c.outcome === 'fix-holds' ? 'FIX-HOLDS' : c.outcome === 'regression' ? 'REGRESSION' : c.outcome === 'not-fixed' ? 'NOT-FIXED' : 'INCONCLUSIVE';
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

function sideCard(m: ProofPageModel, s: SidePage): string {
  const v = s.verdict;
  // The fixed card's badge is the run's own verdict on all its checkpoints, as its verdict line is (not the aligned comparison side).
  const status = s.role === 'fixed' && m.proof?.fixedStatus ? m.proof.fixedStatus : v === null ? null : v.status;
  const head = `<h3><span class="swatch swatch-${s.role}" aria-hidden="true"></span>${esc(s.title)}${status ? ` ${badge(status)}` : ''}</h3>`;
  if (s.problem !== null) return `<article class="run run-${s.role}" id="run-${s.role}">${head}<p class="skipped">Run folder not readable: ${esc(s.problem)}</p><p class="mono small">${esc(s.dir)}</p></article>`;
  const lines: string[] = [];
  if (s.line !== null) lines.push(`<p class="line"><strong>verdict:</strong> ${esc(s.line)}</p>`);
  else if (v !== null) lines.push(`<p class="line"><strong>verdict:</strong> ${esc(v.reasons[0] ?? '')}</p>`);
  if (s.role === 'leaky' && m.proof !== null) lines.push(`<p class="line"><strong>signature:</strong> ${esc(m.proof.signatureLine)}</p>`);
  if (s.role === 'fixed' && m.proof?.serviceLine) lines.push(`<p class="line"><strong>service:</strong> ${esc(m.proof.serviceLine)}</p>`);
  if (v !== null && s.model !== null) {
    const range = s.model.judgedRange;
    lines.push(
      `<p class="muted small">In the comparison: ${s.model.judged} of ${s.rows.length} checkpoints judged${range ? ` (#${s.rows[range[0]]?.seq}–#${s.rows[range[1]]?.seq})` : ''}; warm-up: ${esc(v.warmup.description)}${s.model.pastAlignment > 0 ? `; ${s.model.pastAlignment} past the aligned range` : ''}.${s.role === 'fixed' && m.proof !== null ? ' The verdict line above is the fixed run judged on all of its checkpoints.' : ''}</p>`,
    );
  }
  if (s.partial.length > 0) lines.push(`<p class="partial-note"><strong>partial run:</strong> ${s.partial.map(esc).join('; ')}</p>`);
  const link = s.reportHref !== null ? `<a class="report-link" href="${esc(s.reportHref)}">run report</a>` : `<span class="muted">no run report${s.reportProblem ? `: ${esc(s.reportProblem)}` : ''}</span>`;
  lines.push(`<p>${link} · <span class="mono small">${esc(s.dir)}</span></p>`);
  const facts = s.facts.map((f) => `<dt>${esc(f.label)}</dt><dd>${f.code ? `<code>${esc(f.value)}</code>` : esc(f.value)}</dd>`).join('');
  return `<article class="run run-${s.role}" id="run-${s.role}">${head}
${lines.join('\n')}
<dl class="facts short">${facts}</dl>
</article>`;
}

function runsSection(m: ProofPageModel): string {
  return `<section id="runs">
<h2>The two runs</h2>
<div class="runs">
${sideCard(m, m.sides[0])}
${sideCard(m, m.sides[1])}
</div>
</section>`;
}

function chartFigure(c: ChartSlot): string {
  const cls = c.size === 'small' ? 'chart small' : 'chart';
  const after = c.after ?? '';
  return c.skipped === null
    ? `<figure class="${cls}" id="chart-${esc(c.id)}" data-chart="${esc(c.id)}" aria-label="${esc(c.title)}"><h3>${esc(c.title)}</h3><p class="caption">${esc(c.caption)}</p><div class="plot" role="img" aria-label="${esc(c.title)} (chart; the tables hold the figures)"></div>${after}</figure>`
    : `<div class="chart-skipped" id="chart-${esc(c.id)}" data-skipped="true"><h3>${esc(c.title)}</h3><p class="skipped">Not drawn: ${esc(c.skipped)}</p>${after}</div>`;
}

function chartsSection(m: ProofPageModel): string {
  // The level-under-load and churn charts are drawn from the samples, not from drained checkpoints.
  const sampled = m.charts.some((c) => c.id === 'level' || c.id.startsWith('churn:'));
  const grid = m.handleCharts.length === 0 ? '' : `<h3 class="grid-title">Handles at drained checkpoints</h3>\n<div class="chart-grid">\n${m.handleCharts.map(chartFigure).join('\n')}\n</div>`;
  return `<section id="charts">
<h2>Both runs overlaid</h2>
<p class="muted no-print"><span class="swatch swatch-leaky" aria-hidden="true"></span>leaky (before, A) and <span class="swatch swatch-fixed" aria-hidden="true"></span>fixed (after, B)${sampled ? `: first the evidence the ${esc(m.proof?.kind ?? '')} proof rests on, from the continuous samples taken under load (each caption says what it shows), then` : ''} at their drained checkpoints (load drained, GC forced twice, then read).${m.comparison === null ? ' No comparison was made, so no checkpoint was judged and no line fitted.' : ' Filled points were judged by the comparison; hollow ones were not (warm-up, or past the request count both runs reached).'} Hover to read every chart at once, drag to zoom, double-click to reset, click a legend entry to hide a series.</p>
<div class="x-switch no-print" id="x-switch" role="radiogroup" aria-label="x axis" hidden>x axis:
<label><input type="radio" name="x-axis" value="requests" checked> requests completed (as the comparison aligns the runs)</label>
<label><input type="radio" name="x-axis" value="time"> time since the run's start</label>
</div>
<p id="charts-status" hidden></p>
<noscript><p class="skipped">Charts need JavaScript; the tables hold the comparison and the checkpoints.</p></noscript>
${m.charts.map(chartFigure).join('\n')}
${grid}
</section>`;
}

function differenceCell(s: SignalComparison): string {
  const d = s.difference;
  return d === null ? '—' : `${num(d.estimate)} [${num(d.lower)}, ${num(d.upper)}]`;
}

function side(x: SignalComparison['before']): string {
  return `${badge(x.status)}<br><span class="num nowrap">${esc(slopeText(x.slope, x.lower, x.upper, '').trim())}</span>`;
}

function signalsTable(c: RunComparison, signal: SignalInfo): string {
  const unit = c.signals[0]?.unit ?? 'B/request';
  const rows = c.signals
    .map((s) => {
      const own = signal.kind === 'memory' && s.signal === signal.key;
      return `<tr${own ? ' class="own"' : ''}><th scope="row">${esc(s.signal)}${own ? ' <span class="muted small">(the proof\'s signal)</span>' : ''}</th><td class="num">${num(s.floor, 0)}</td><td>${side(s.before)}</td><td>${side(s.after)}</td><td class="num">${esc(differenceCell(s))}</td><td>${badge(s.outcome, OUTCOME_WORDS[s.outcome] ?? s.outcome)}</td><td class="reason">${esc(s.reason)}</td></tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table id="comparison-table">
<caption>Post-GC memory per signal, both runs judged on the request range both reached: Theil–Sen slope [95 % interval] in ${esc(unit)}; after − before with its 95 % interval (bootstrap and Sen intervals, the wider of both).</caption>
<thead><tr><th scope="col">signal</th><th scope="col" class="num">δ (${esc(unit)})</th><th scope="col">before (A, leaky)</th><th scope="col">after (B, fixed)</th><th scope="col" class="num">after − before [95 % CI]</th><th scope="col">outcome</th><th scope="col">reason</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

function handlesTable(handles: readonly HandleComparison[], signal: SignalInfo): string {
  const shown = handles.filter((h) => h.type === signal.handle || h.before.delta !== 0 || h.after.delta !== 0 || h.before.status !== 'NO-LEAK' || h.after.status !== 'NO-LEAK');
  const unchanged = handles.length - shown.length;
  if (shown.length === 0) return `<p class="muted" id="handles-table">Handles: no type changed in either run (${handles.length} types counted).</p>`;
  const delta = (d: number): string => `${d > 0 ? '+' : ''}${d}`;
  const rows = shown
    .map((h) => `<tr${h.type === signal.handle ? ' class="own"' : ''}><th scope="row" class="mono">${esc(h.type)}${h.type === signal.handle ? ' <span class="muted small">(the proof\'s signal)</span>' : ''}</th><td>${badge(h.before.status)} <span class="num">Δ ${delta(h.before.delta)}</span></td><td>${badge(h.after.status)} <span class="num">Δ ${delta(h.after.delta)}</span></td></tr>`)
    .join('\n');
  return `<div class="scroll"><table id="handles-table" class="compact">
<caption>Handles after the forced GC (resource types, fds, TCP states): Δ from the first to the last judged checkpoint.${unchanged > 0 ? ` ${unchanged} other type${unchanged === 1 ? '' : 's'} unchanged in both runs.` : ''}</caption>
<thead><tr><th scope="col">type</th><th scope="col">before (A, leaky)</th><th scope="col">after (B, fixed)</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

function churnList(churn: ChurnComparison): string {
  const items: string[] = [];
  const ratio = (name: string, r: ChurnComparison['allocatedBytesPerRequest']): void => {
    if (r) items.push(`<li>${esc(name)}: after/before <strong>${num(r.ratio, 2)}</strong> (95 % CI ${num(r.lower, 2)}–${num(r.upper, 2)}, ${r.windows[0]} / ${r.windows[1]} windows)</li>`);
  };
  ratio('allocated bytes per request', churn.allocatedBytesPerRequest);
  ratio('GC time per request', churn.gcMicrosPerRequest);
  ratio('event-loop delay p99 in phase', churn.eventLoopDelayInPhase);
  return items.length === 0 ? '<p class="muted" id="churn">Churn: no allocation figures in one of the runs (no probe).</p>' : `<ul class="findings" id="churn">${items.join('')}</ul>`;
}

function comparisonSection(m: ProofPageModel): string {
  const c = m.comparison;
  if (c === null) {
    const ds = m.differences ?? [];
    if (ds.length === 0) return `<section id="comparison"><h2>Comparison</h2><p class="skipped">No comparison was made${m.note ? `: ${esc(m.note)}` : ''}.</p></section>`;
    const rows = ds.map((d) => `<tr><th scope="row" class="mono">${esc(d.field)}</th><td class="mono">${esc(d.before)}</td><td class="mono">${esc(d.after)}</td></tr>`).join('\n');
    return `<section id="comparison" data-refused="true">
<h2>Not comparable</h2>
<p>The runs differ in what must be equal to compare them (scenario, seed, fault plan, Node version and flags), so the comparison was refused. Every difference:</p>
<div class="scroll"><table id="differences-table">
<thead><tr><th scope="col">field</th><th scope="col">before (A, leaky)</th><th scope="col">after (B, fixed)</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
<p>Re-run the compare with <code>--force</code> to compare anyway: the differences then become warnings on the result.</p>
</section>`;
  }
  const a = c.alignment;
  const reasons = c.reasons.length > 1 ? `<ul class="findings">${c.reasons.slice(1).map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '';
  const warnings = c.warnings.length === 0 ? '' : `<ul class="warnings">${c.warnings.map((w) => `<li><strong>warning:</strong> ${esc(w)}</li>`).join('')}</ul>`;
  return `<section id="comparison">
<h2>Comparison: ${badge(c.outcome === 'fix-holds' ? 'fixed' : c.outcome === 'inconclusive' ? 'inconclusive' : 'regressed', STATUS_WORDS[bannerOf(c)])}</h2>
<p class="why-line">${esc(c.reasons[0] ?? '')}</p>
${reasons}${warnings}
<p class="muted" id="alignment">Aligned on ${num(a.requests, 0)} requests: the checkpoints at or below the request count both runs reached (${a.beforeCheckpointsDropped} leaky and ${a.afterCheckpointsDropped} fixed checkpoints past it are not judged); each run then drops its own warm-up. x = ${esc(c.before.axis)}.${m.note ? ` ${esc(m.note)}.` : ''}</p>
${signalsTable(c, m.signal)}
<h3>Handles</h3>
${handlesTable(c.handles, m.signal)}
<h3>Churn</h3>
${churnList(c.churn)}
</section>`;
}

function checkpointsSection(m: ProofPageModel): string {
  const judging = m.comparison !== null;
  const tables = m.sides
    .filter((s) => s.rows.length > 0)
    .map((s) => {
      const rows = s.rows
        .map((r, k) => `<tr${r.judged || !judging ? '' : ' class="warmup"'}><td class="num">${r.seq}</td><td class="num">${esc(seconds(r.t))}</td><td class="num">${num(r.requests, 0)}</td><td class="num">${esc(valueText(r.value, m.signal))}</td><td class="num">${esc(valueText(r.fit, m.signal))}</td>${m.extraColumn === null ? '' : `<td class="num">${k === 0 ? 'pre-load' : r.extra === null || r.extra === undefined ? '—' : `${r.extra > 0 ? '+' : ''}${num(r.extra, 0)}`}</td>`}${judging ? `<td>${r.judged ? 'judged' : 'not judged'}</td>` : ''}</tr>`)
        .join('\n');
      return `<div class="scroll"><table class="compact checkpoints" id="checkpoints-${s.role}"><caption><span class="swatch swatch-${s.role}" aria-hidden="true"></span>${esc(s.title)}</caption>
<thead><tr><th scope="col" class="num">seq</th><th scope="col" class="num">time</th><th scope="col" class="num">requests</th><th scope="col" class="num">${esc(m.signal.handle ?? m.signal.key)}</th><th scope="col" class="num">fit</th>${m.extraColumn === null ? '' : `<th scope="col" class="num">${esc(m.extraColumn)}</th>`}${judging ? '<th scope="col">used</th>' : ''}</tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
    });
  if (tables.length === 0) return '';
  const n = m.sides.reduce((a, s) => a + s.rows.length, 0);
  return `<section id="checkpoints">
<h2>Checkpoints behind the charts</h2>
<details${n <= 40 ? ' open' : ''}><summary>${esc(m.signal.label)} at each drained checkpoint of both runs</summary>
<div class="side-by-side">
${tables.join('\n')}
</div></details>
</section>`;
}

function factsSection(m: ProofPageModel): string {
  return `<section id="facts">
<h2>Re-compare</h2>
<p class="muted">The comparison is re-derived from the two kept run folders (the same verdict options as the proof when the pair is one):</p>
<pre id="recompare"><code>${esc(m.recompare)}</code></pre>
</section>`;
}

/** The page. Nothing in it refers to any origin; the CSP makes sure nothing could. */
export function renderProofPage(m: ProofPageModel): string {
  const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'";
  const kind = m.proof === null ? 'compare' : 'proof';
  const downloadName = `${(m.proof?.variant ?? 'compare').replace(/[^A-Za-z0-9._-]+/g, '_')}-${kind}-data.json`;
  return `${pageHead({ csp, generator: `relay-soak reports/ (Node ${m.builder.nodeVersion}, ${kind} data format ${m.data.format}, uPlot ${m.uplot.version})`, title: `${STATUS_WORDS[m.status]} — ${m.title}`, styles: [m.uplot.css, PAGE_STYLE, PROOF_STYLE] })}
<body data-builder-node="${esc(m.builder.nodeVersion)}" data-format="${m.data.format}" data-kind="${kind}">
<header>
<h1>${esc(m.title)}</h1>
${banner(m)}
</header>
<main>
${m.comparison === null ? comparisonSection(m) : ''}
${runsSection(m)}
${chartsSection(m)}
${m.comparison === null ? '' : comparisonSection(m)}
${proofAttributionSection(m.attribution)}
${checkpointsSection(m)}
${factsSection(m)}
</main>
<footer>
<p>Built ${esc(m.builder.builtAt)} by Node ${esc(m.builder.nodeVersion)} · ${kind} data format ${m.data.format} (${num(m.data.jsonBytes / 1024, 0)} KiB JSON, ${num(m.data.gzipBytes / 1024, 0)} KiB gzip) · charts: uPlot ${esc(m.uplot.version)} (MIT), inlined
 · <a id="download" download="${esc(downloadName)}" hidden>download JSON</a></p>
</footer>
<script type="application/octet-stream" id="data" data-kind="${kind}" data-format="${m.data.format}" data-encoding="gzip+base64" data-builder-node="${esc(m.builder.nodeVersion)}">${m.data.base64}</script>
<script>${m.uplot.js}</script>
<script>${PROOF_SCRIPT}</script>
</body>
</html>
`;
}
