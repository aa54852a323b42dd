// The report page: one self-contained HTML file. Server-rendered HTML for
// everything the verdict says (banner, tables, facts, the checkpoints behind
// the verdict), so the page reads without JS, prints, and is accessible; the
// charts are drawn in the page from the embedded data by page-script.ts.
//
// Self-contained means: no src/href to any origin (uPlot's JS and CSS are
// inlined), and a Content-Security-Policy that forbids every fetch, so a
// mistake here cannot make the page phone home (Artillery's report did, with
// CDN scripts and telemetry, and broke under Jenkins' CSP).

import type { Checkpoint } from '../harness/records.ts';
import { harnessLine, type HandleTypeVerdict, type RunVerdict, type ServedLoad, type SignalVerdict } from '../harness/verdict/index.ts';
import type { Fact } from './facts.ts';
import { esc, hours, mib, num, seconds, statusClass } from './html.ts';
import { PAGE_SCRIPT } from './page-script.ts';
import { PAGE_STYLE } from './page-style.ts';
import { pageHead } from './page-head.ts';
import type { PhaseLoadRow } from './phase-load.ts';
import { vitalsSection } from './vitals.ts';
import { sitesSection } from './sites.ts';
import { heapSpacesSection } from './heap-spaces.ts';
import { attributionSection } from './attribution.ts';
import type { AttributionRecord } from '../harness/attribute/record.ts';

export interface ChartSlot {
  id: string;
  title: string;
  caption: string;
  /** Null when drawn; otherwise why it is not (the note shown instead). */
  skipped: string | null;
}

/** An event as the page lists it: the run's events plus what the report derived (restarts). */
export interface ShownEvent {
  t: number;
  type: string;
  message: string;
}

export interface PageModel {
  title: string;
  runId: string;
  verdict: RunVerdict | null;
  verdictSource: string;
  verdictProblem: string | null;
  /** Why the run is partial; empty when it is not. */
  partial: string[];
  facts: Fact[];
  reproduce: string;
  /** Per phase: what the scenario planned and what the samples counted. */
  phaseLoad: PhaseLoadRow[];
  /** The served-load rule over the whole run (harness/verdict/served.ts). */
  served: ServedLoad;
  /** Sorted by seq; the first `dropped` are warm-up. */
  checkpoints: readonly Checkpoint[];
  dropped: number;
  fitByIndex: ReadonlyArray<number | null> | null;
  events: readonly ShownEvent[];
  charts: ChartSlot[];
  terminalSummary: string | null;
  /** A Go target's raw pprof files, as links relative to the page (reports/vitals.ts). */
  rawProfiles?: readonly string[];
  /** What the attribution tail found after the judged run (attribution.json), or null. */
  attribution?: AttributionRecord | null;
  /** --profile's outputs: the tool used, why it was not the one asked, links relative to the page. */
  profile?: { tool: string; fallback: string | null; links: string[] } | null;
  data: { base64: string; format: number; jsonBytes: number; gzipBytes: number };
  builder: { nodeVersion: string; builtAt: string };
  uplot: { js: string; css: string; version: string };
}

/** Bounds what the server-rendered tables hold; the full series are in the embedded data. */
const MAX_EVENT_ROWS = 300;
const MAX_CHECKPOINT_ROWS = 2000;

const GLOSS: Record<string, string> = {
  LEAK: 'memory, handles or the target’s own vitals keep growing with the load',
  'NO-LEAK': 'no signal grew above its floor; the run could have seen a leak',
  INCONCLUSIVE: 'this run cannot decide either way',
};

function banner(m: PageModel): string {
  const status = m.verdict?.status ?? 'INCONCLUSIVE';
  const why = m.verdict?.reasons[0] ?? m.verdictProblem ?? 'no verdict';
  const run = m.verdict?.run;
  const judged = m.verdict ? `${m.verdict.checkpoints.judged}/${m.verdict.checkpoints.total} checkpoints judged, x = ${m.verdict.axis}` : '';
  return `<section id="verdict" class="banner ${statusClass(status)}" data-status="${esc(status)}" role="status" aria-label="verdict: ${esc(status)}">
  <div class="word">${esc(status)}</div>
  <p class="gloss">${esc(GLOSS[status] ?? '')}</p>
  <p class="why">${esc(why)}</p>
  <p class="muted">${esc(run ? `${run.scenario}, seed ${run.seed}${run.target ? `, ${run.target}` : ''}` : '')}${judged ? ` · ${esc(judged)}` : ''} · verdict ${esc(m.verdictSource)}</p>
</section>`;
}

function partialBanner(m: PageModel): string {
  if (m.partial.length === 0) return '';
  return `<section id="partial" class="banner" role="alert" data-partial="true">
  <div class="word">PARTIAL RUN</div>
  <p>This report is built from what the run left on disk; the verdict above covers only the records written before it stopped.</p>
  <ul>${m.partial.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>
</section>`;
}

function badge(status: string): string {
  return `<span class="badge ${statusClass(status)}">${esc(status)}</span>`;
}

function slopeCell(v: SignalVerdict): string {
  if (v.slope === null) return '—';
  const ci = v.lower !== null && v.upper !== null ? ` [${num(v.lower)}, ${num(v.upper)}]` : '';
  return `${num(v.slope)}${ci} ${esc(v.unit)}`;
}

function projectionCell(v: SignalVerdict): string {
  const p = v.projection;
  if (p === null) return '—';
  if (p.hoursToLimit === null) return 'not growing';
  return `<span title="${esc(p.limitSource)}">${esc(hours(p.hoursToLimit))} to ${mib(p.limitBytes, 0)} MiB</span>`;
}

function signalsTable(v: RunVerdict): string {
  const rows = v.memory
    .map(
      (s) => `<tr>
  <th scope="row">${esc(s.signal)}</th>
  <td>${badge(s.status)}</td>
  <td class="num">${slopeCell(s)}</td>
  <td class="num">${num(s.floor, s.floor < 10 ? 1 : 0)}</td>
  <td class="num">${s.minimalDetectableSlope === null ? '—' : num(s.minimalDetectableSlope)}</td>
  <td class="num">${s.mibPerHour === null ? '—' : num(s.mibPerHour, 2)}</td>
  <td>${projectionCell(s)}</td>
  <td class="num">${s.n}</td>
  <td class="reason">${esc(s.reasons[0] ?? '')}${s.reasons.length > 1 ? `<span class="more">${s.reasons.slice(1).map(esc).join('<br>')}</span>` : ''}</td>
</tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table id="signals-table">
<caption>Post-GC memory per signal over the judged checkpoints: Theil–Sen slope with its 95 % interval; LEAK needs the interval's lower bound above the floor δ.${floorSource(v)}</caption>
<thead><tr><th scope="col">signal</th><th scope="col">status</th><th scope="col" class="num">slope [95 % CI]</th><th scope="col" class="num">δ (floor)</th><th scope="col" class="num">sees ≥</th><th scope="col" class="num">MiB/hour</th><th scope="col">projection (time to limit)</th><th scope="col" class="num">n</th><th scope="col">deciding reason</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
${limits(v)}`;
}

/** Where δ came from when it is not the scenario's: --floor adaptive's reason, or the budget's. */
function floorSource(v: RunVerdict): string {
  // The reason starts lowercase (it is also a verdict line): capitalised as the caption's own sentence.
  if (v.adaptiveFloor) return ` ${esc(v.adaptiveFloor.reason.charAt(0).toUpperCase() + v.adaptiveFloor.reason.slice(1))}.`;
  if (v.budget) return ` δ from --budget ${esc(v.budget.budget.text)} at ${num(v.budget.rate, 0)} req/s.`;
  return '';
}

/** The projections' limits, said once under the table rather than in every row. */
function limits(v: RunVerdict): string {
  const sources = [...new Set(v.memory.flatMap((s) => (s.projection ? [`${mib(s.projection.limitBytes, 0)} MiB: ${s.projection.limitSource}`] : [])))];
  return sources.length === 0 ? '' : `<p class="muted small">Projection limits — ${sources.map(esc).join('; ')}. "sees ≥": the smallest slope this run would call LEAK with ~80 % probability.</p>`;
}

function handlesTable(types: readonly HandleTypeVerdict[]): string {
  if (types.length === 0) return '<p class="muted">No handle types were counted at the judged checkpoints.</p>';
  const rows = types
    .map(
      (t) => `<tr><th scope="row" class="mono">${esc(t.type)}</th><td>${badge(t.status)}</td><td class="num">${t.baseline} → ${t.last}</td><td class="num">${t.delta > 0 ? '+' : ''}${t.delta}</td><td class="num">${esc(t.tail.join(', '))}</td><td class="reason">${esc(t.reason)}${t.held ? ' <span class="muted">(held)</span>' : ''}</td></tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table id="handles-table">
<caption>Handles after the forced GC (resource types, fds, TCP states): Δ against the first judged checkpoint.</caption>
<thead><tr><th scope="col">type</th><th scope="col">status</th><th scope="col" class="num">first → last</th><th scope="col" class="num">Δ</th><th scope="col" class="num">Δ, last checkpoints</th><th scope="col">reason</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

function verdictDetails(m: PageModel): string {
  const v = m.verdict;
  if (v === null) return `<section id="signals"><h2>Verdict per signal</h2><p>${esc(m.verdictProblem ?? 'No verdict.')}</p></section>`;
  // Signature findings repeat the "Variant signatures" list below: shown there only.
  const listed = v.findings.filter((f) => f.kind !== 'signature');
  const findings = listed.length === 0 ? '' : `<h3>Findings</h3><ul class="findings">${listed.map((f) => `<li><strong>${esc(f.kind)}</strong>: ${esc(f.message)}</li>`).join('')}</ul>`;
  const c = v.churn;
  const churn =
    c.source === 'none'
      ? ''
      : `<p>Churn (${esc(c.source)}, ${c.windows.length} windows): ${num(c.allocatedBytesPerRequest, 0)} B allocated per request, GC ${num(c.gcMicrosPerRequest, 2)} µs per request.</p>`;
  const signatures =
    v.signatures.length === 0
      ? ''
      : `<h3>Variant signatures</h3><ul class="findings">${v.signatures.map((s) => `<li>${esc(`${s.variant ?? s.signal}: ${s.outcome} (${s.reason})`)}</li>`).join('')}</ul>`;
  const summary = m.terminalSummary === null ? '' : `<details><summary>The verdict as the terminal prints it</summary><pre>${esc(m.terminalSummary)}</pre></details>`;
  return `<section id="signals">
<h2>Verdict per signal</h2>
<p class="muted">Warm-up: ${esc(v.warmup.description)}. ${v.checkpoints.judged} of ${v.checkpoints.total} checkpoints judged; x = ${esc(v.axis)}.</p>
${signalsTable(v)}
${sitesSection(v)}
${heapSpacesSection(v)}
<h3>Handles: ${badge(v.handles.status)}</h3>
${handlesTable(v.handles.types)}
${vitalsSection(v, m.checkpoints, m.rawProfiles ?? [])}
${v.harness ? `<p class="small" id="harness-self"><strong>The harness itself</strong> (this process, not the target) ${badge(v.harness.status)} ${esc(harnessLine(v.harness).replace(/^harness itself \(this process, not the target\): \S+ +/, ''))}</p>` : ''}
${findings}${signatures}${churn}${summary}
</section>`;
}

function checkpointsTable(m: PageModel): string {
  const shown = m.checkpoints.slice(0, MAX_CHECKPOINT_ROWS);
  const rows = shown
    .map((c, i) => {
      const handles = c.procOnly ? null : Object.values(c.resourcesAfterGc ?? {}).reduce((a, b) => a + b, 0);
      const judged = i >= m.dropped;
      const mem = c.memory ?? ({} as Checkpoint['memory']);
      const fit = m.fitByIndex?.[i] ?? null;
      return `<tr${judged ? '' : ' class="warmup"'}><td class="num">${c.seq}</td><td class="num">${esc(seconds(c.t))}</td><td>${esc(c.phase)}</td><td>${judged ? 'judged' : 'warm-up'}</td><td class="num">${num(c.requestsCompleted, 0)}</td><td class="num">${c.procOnly ? '—' : mib(mem.heapUsed, 2)}</td><td class="num">${fit === null ? '—' : mib(fit, 2)}</td><td class="num">${c.procOnly ? '—' : mib(mem.external, 2)}</td><td class="num">${c.procOnly ? '—' : mib(mem.arrayBuffers, 2)}</td><td class="num">${mib(mem.rss, 1)}</td><td class="num">${handles ?? '—'}</td><td class="num">${c.fds ?? '—'}</td></tr>`;
    })
    .join('\n');
  const more = m.checkpoints.length > shown.length ? `<p class="muted">First ${shown.length} of ${m.checkpoints.length} checkpoints shown; all are in the JSON.</p>` : '';
  return `<section id="checkpoints">
<h2>Checkpoints behind the verdict</h2>
<details${m.checkpoints.length <= 40 ? ' open' : ''}><summary>${m.checkpoints.length} post-GC checkpoints (MiB)</summary>
<div class="scroll"><table id="checkpoints-table">
<caption>Each checkpoint drains the load, forces GC twice and reads memory and handles. Warm-up rows are not judged.</caption>
<thead><tr><th scope="col" class="num">seq</th><th scope="col" class="num">time</th><th scope="col">phase</th><th scope="col">used</th><th scope="col" class="num">requests</th><th scope="col" class="num">heapUsed</th><th scope="col" class="num">fit</th><th scope="col" class="num">external</th><th scope="col" class="num">arrayBuffers</th><th scope="col" class="num">rss</th><th scope="col" class="num">handles</th><th scope="col" class="num">fds</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>${more}</details>
</section>`;
}

function share(part: number, whole: number): string {
  return whole > 0 && part > 0 ? ` <span class="muted">(${num((100 * part) / whole, part === whole ? 0 : 1)} %)</span>` : '';
}

function shareCell(share: number | null, minShare: number): string {
  if (share === null) return '—';
  const text = `${num(100 * share, share >= 0.995 || share === 0 ? 0 : 1)} %`;
  return share < minShare ? `<strong class="below" title="below ${num(100 * minShare, 0)} %: not served">${text}</strong>` : text;
}

function phaseLoadSection(m: PageModel): string {
  if (m.phaseLoad.length === 0) return '';
  const min = m.served.minShare;
  const rows = m.phaseLoad
    .map((p) => {
      const s = p.served;
      const span = p.startMs !== null && p.endMs !== null ? `${seconds(p.startMs)} – ${seconds(p.endMs)}` : '—';
      const injected = s === null ? '—' : Object.entries(s.injectedByKind).filter(([, v]) => v > 0).map(([k, v]) => `${k}: ${num(v, 0)}`).join(', ') || 'none';
      const cells =
        s === null || s.attempts === 0
          ? '<td class="num">—</td><td class="num">—</td><td class="num">—</td><td class="num">—</td><td class="num">—</td><td class="num">—</td><td class="num">—</td>'
          : `<td class="num">${shareCell(s.share, min)}</td><td class="num">${num(s.attempts, 0)}</td><td class="num">${num(s.status['2xx'], 0)}</td><td class="num">${num(s.status['4xx'], 0)}${share(s.status['4xx'], s.attempts)}</td><td class="num">${num(s.status['5xx'], 0)}${share(s.status['5xx'], s.attempts)}</td><td class="num">${num(s.errors, 0)}</td><td class="num">${num(s.mismatches, 0)}</td>`;
      return `<tr><th scope="row">${esc(p.name)}${p.kind !== p.name && p.kind !== '—' ? ` <span class="muted">(${esc(p.kind)})</span>` : ''}</th><td class="num">${esc(span)}</td><td>${esc(p.load)}</td><td class="mix small">${esc(p.mix)}</td><td class="plan small">${esc(p.faults)}</td><td class="plan small">${esc(injected)}</td>${cells}</tr>`;
    })
    .join('\n');
  const sv = m.served;
  const verdictLine =
    sv.status === 'unknown'
      ? `<p class="muted">${esc(sv.reason)}.</p>`
      : `<p id="served" data-served="${esc(sv.status)}" class="${sv.status === 'not-served' ? 'not-served' : ''}">${sv.status === 'not-served' ? '<strong>Not served: no verdict stands on this load.</strong> ' : ''}${esc(sv.reason)}.</p>`;
  return `<section id="load">
<h2>Load and faults, per phase</h2>
${verdictLine}
<details open><summary>What each phase asked for, and what the target answered</summary>
<div class="scroll"><table id="phase-load-table" class="compact">
<caption>Planned: the scenario's rate, request mix and fault rules (run.json). Served: the load generator's counts per phase, the faults the fake upstream injected, and the share of the requests those faults did not fail that the target answered correctly (2xx, body checks passed; at least ${num(100 * min, 0)} % needed).</caption>
<thead><tr><th scope="col">phase</th><th scope="col" class="num">load time</th><th scope="col">load</th><th scope="col">request mix</th><th scope="col">fault plan</th><th scope="col">injected</th><th scope="col" class="num">answered correctly</th><th scope="col" class="num" title="completed requests plus connection errors and timeouts">attempts</th><th scope="col" class="num">2xx</th><th scope="col" class="num">4xx</th><th scope="col" class="num">5xx</th><th scope="col" class="num" title="connection errors and timeouts">errors</th><th scope="col" class="num" title="2xx bodies that failed the harness's checks (truncated or malformed passed through)">bad bodies</th></tr></thead>
<tbody>
${rows}
</tbody></table></div></details>
</section>`;
}

function factsSection(m: PageModel): string {
  const item = (f: Fact): string => {
    const v = Array.isArray(f.value)
      ? f.value.length === 0
        ? '—'
        : `<ul>${f.value.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`
      : f.code
        ? `<code>${esc(f.value)}</code>`
        : esc(f.value);
    return `<dt>${esc(f.label)}</dt><dd>${v}</dd>`;
  };
  return `<section id="facts">
<h2>Run</h2>
<h3>Reproduce</h3>
<pre id="reproduce"><code>${esc(m.reproduce)}</code></pre>
<dl class="facts">
${m.facts.map(item).join('\n')}
</dl>
</section>`;
}

function eventsSection(m: PageModel): string {
  if (m.events.length === 0) return '';
  const shown = m.events.slice(0, MAX_EVENT_ROWS);
  const rows = shown.map((e) => `<tr${e.type === 'warning' || e.type === 'restart' ? ' class="warn"' : ''}><td class="num">${esc(seconds(e.t))}</td><td>${esc(e.type)}</td><td>${esc(e.message)}</td></tr>`).join('\n');
  const more = m.events.length > shown.length ? `<p class="muted">First ${shown.length} of ${m.events.length} events shown; all are in the JSON.</p>` : '';
  return `<section id="events">
<h2>Events</h2>
<details${m.events.length <= 30 ? ' open' : ''}><summary>${m.events.length} events (phases, warnings, outcome; restarts the report inferred)</summary>
<div class="scroll"><table class="compact"><thead><tr><th scope="col" class="num">time</th><th scope="col">type</th><th scope="col">message</th></tr></thead><tbody>
${rows}
</tbody></table></div>${more}</details>
</section>`;
}

function chartsSection(m: PageModel): string {
  const slots = m.charts
    .map((c) =>
      c.skipped === null
        ? `<figure class="chart" id="chart-${esc(c.id)}" data-chart="${esc(c.id)}" aria-label="${esc(c.title)}"><h3>${esc(c.title)}</h3><p class="caption">${esc(c.caption)}</p><div class="plot" role="img" aria-label="${esc(c.title)} (chart; the tables hold the figures)"></div></figure>`
        : `<div class="chart-skipped" id="chart-${esc(c.id)}" data-skipped="true"><h3>${esc(c.title)}</h3><p class="skipped">Not drawn: ${esc(c.skipped)}</p></div>`,
    )
    .join('\n');
  return `<section id="charts">
<h2>Charts</h2>
<p class="muted no-print">One time axis in seconds since the run's start; phases are shaded and named. Hover to read every chart at the same time, drag to zoom all, double-click to reset. Click a legend entry to hide a series. Dashed marks with a triangle on top: warnings, skipped checkpoints, a run cut short, an inferred target restart (the Events table says which). Under each chart: the data behind it as a table and as CSV.</p>
<p id="charts-status" hidden></p>
<noscript><p class="skipped">Charts need JavaScript; the tables hold the verdict and the checkpoints.</p></noscript>
${slots}
</section>`;
}

/** --profile's outputs: files next to the page (open a .cpuprofile / .heapprofile in Chrome DevTools' Performance or Memory panel). */
function profileSection(p: PageModel['profile']): string {
  if (!p) return '';
  const links = p.links.length === 0 ? 'no profile was written (the target did not exit cleanly)' : p.links.map((l) => `<a href="${esc(l)}">${esc(l.split('/').pop() ?? l)}</a>`).join(', ');
  return `<section id="profile"><h2>Profile</h2><p>Profiled with ${esc(p.tool)} for the whole run (its cost is in the figures above)${p.fallback ? `; ${esc(p.fallback)}` : ''}: ${links}. Open a .cpuprofile or .heapprofile in Chrome DevTools (Performance / Memory).</p></section>`;
}

/** The page. Nothing in it refers to any origin; the CSP makes sure nothing could. */
export function renderPage(m: PageModel): string {
  const status = m.verdict?.status ?? 'INCONCLUSIVE';
  const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'";
  const downloadName = `${m.runId.replace(/[^A-Za-z0-9._-]+/g, '_') || 'run'}-data.json`;
  return `${pageHead({ csp, generator: `relay-soak reports/ (Node ${m.builder.nodeVersion}, data format ${m.data.format}, uPlot ${m.uplot.version})`, title: `${status}${m.partial.length > 0 ? ' (partial)' : ''} — ${m.title}`, styles: [m.uplot.css, PAGE_STYLE] })}
<body data-builder-node="${esc(m.builder.nodeVersion)}" data-format="${m.data.format}">
<header>
<h1>Soak report — ${esc(m.title)}</h1>
${banner(m)}
${partialBanner(m)}
</header>
<main>
${verdictDetails(m)}
${attributionSection(m.attribution ?? null)}
${profileSection(m.profile ?? null)}
${phaseLoadSection(m)}
${chartsSection(m)}
${checkpointsTable(m)}
${factsSection(m)}
${eventsSection(m)}
</main>
<footer>
<p>Built ${esc(m.builder.builtAt)} by Node ${esc(m.builder.nodeVersion)} · data format ${m.data.format} (${num(m.data.jsonBytes / 1024, 0)} KiB JSON, ${num(m.data.gzipBytes / 1024, 0)} KiB gzip) · charts: uPlot ${esc(m.uplot.version)} (MIT), inlined
 · <a id="download" download="${esc(downloadName)}" hidden>download JSON</a></p>
</footer>
<script type="application/octet-stream" id="data" data-format="${m.data.format}" data-encoding="gzip+base64" data-builder-node="${esc(m.builder.nodeVersion)}">${m.data.base64}</script>
<script>${m.uplot.js}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
