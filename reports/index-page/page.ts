// The index page: one self-contained HTML file listing the runs under a folder,
// newest first, with one sparkline per scenario+variant group. Server-rendered
// throughout (no script runs: the CSP allows none), so it reads offline, without
// JS and in print; the rows are also embedded as JSON (`#index-data`, format
// INDEX_DATA_FORMAT) for tools that want them.

import { esc, num, statusClass } from '../html.ts';
import { PAGE_STYLE } from '../page-style.ts';
import type { ProofRow, RunRow } from './rows.ts';
import { pageHead } from '../page-head.ts';
import { HELD_TO_STYLE, heldToSection, type HeldToRow } from './held-to.ts';

export interface IndexGroup {
  scenario: string;
  variant: string;
  /** Oldest first. */
  runs: RunRow[];
  unit: string | null;
  baseline: RunRow | null;
  regressed: RunRow[];
  svg: string;
}

export interface IndexModel {
  folder: string;
  /** Newest first. */
  rows: RunRow[];
  proofs: ProofRow[];
  groups: IndexGroup[];
  /** A file or folder as a link from the page's own folder. */
  href(path: string): string;
  format: number;
  builder: { nodeVersion: string; builtAt: string };
  maxDepth: number;
  /** The embedded JSON, already made safe for a <script> element. */
  dataJson: string;
  /** When the caller held runs and proofs to its own baseline (held-to.ts): what it compared; null otherwise. */
  heldTo?: { rule: string; runs: HeldToRow[]; proofs: HeldToRow[] } | null;
}

const INDEX_STYLE = `
.badge.status-partial { background: var(--partial-bg); color: var(--partial-fg); border-color: var(--partial-bd); }
.badge.status-unreadable, .badge.status-failed, .badge.status-regressed { background: var(--leak-bg); color: var(--leak-fg); border-color: var(--leak-bd); }
.badge.status-holds, .badge.status-baseline { background: var(--ok-bg); color: var(--ok-fg); border-color: var(--ok-bd); }
.badge.status-incomplete, .badge.status-unknown { background: var(--unsure-bg); color: var(--unsure-fg); border-color: var(--unsure-bd); }
.summary-line { margin: 4px 0 12px; }
#regressions { background: var(--leak-bg); color: var(--leak-fg); border-color: var(--leak-bd); }
#regressions ul { margin: 4px 0 0; padding-left: 20px; }
#regressions a { color: inherit; }
.groups { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; margin: 8px 0; }
.group { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: var(--panel); break-inside: avoid; page-break-inside: avoid; }
.group h3 { margin: 0 0 4px; font-size: 13.5px; }
.group p { margin: 2px 0; font-size: 12.5px; }
svg.spark { display: block; margin: 4px 0; overflow: visible; }
svg.spark .env { fill: var(--c1); fill-opacity: 0.18; stroke: var(--c1); stroke-width: 1.5; stroke-linejoin: round; }
svg.spark .dot { fill: var(--c1); }
svg.spark .base { stroke: var(--ok-bd); stroke-width: 1; stroke-dasharray: 3 3; }
svg.spark .basept { fill: none; stroke: var(--ok-bd); stroke-width: 1.5; }
svg.spark .reg { fill: var(--leak-bd); stroke: var(--bg); stroke-width: 1; }
svg.spark .none { fill: var(--muted); font-size: 11px; }
#runs-table td, #proofs-table td { white-space: nowrap; }
#runs-table td.wrap, #proofs-table td.wrap { white-space: normal; min-width: 180px; }
#runs-table td.wrap.outcome { min-width: 120px; }
#runs-table td.slope { white-space: normal; min-width: 140px; }
#runs-table th.num { white-space: normal; }
.small-note.nowrap { white-space: nowrap; }
tr.regressed > td:first-child { box-shadow: inset 4px 0 0 var(--leak-bd); }
tr:target > td { background: var(--panel); }
.small-note { display: block; color: var(--muted); font-size: 12px; white-space: normal; }
@media print { .groups { grid-template-columns: repeat(2, 1fr); } }
`;

function badge(status: string, title?: string): string {
  return `<span class="badge ${statusClass(status)}"${title ? ` title="${esc(title)}"` : ''}>${esc(status)}</span>`;
}

function utc(iso: string | null, time: number): string {
  const t = iso !== null && Number.isFinite(Date.parse(iso)) ? Date.parse(iso) : time;
  if (!Number.isFinite(t) || t <= 0) return '—';
  return new Date(t).toISOString().replace('T', ' ').slice(0, 16) + 'Z';
}

export function durationWords(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

export function slopeText(k: RunRow['key']): string {
  if (k === null || k.slope === null) return '—';
  const ci = k.lower !== null && k.upper !== null ? ` [${num(k.lower)}, ${num(k.upper)}]` : '';
  return `${num(k.slope)}${ci} ${k.unit}`;
}

export function handlesText(h: RunRow['handles']): string {
  if (h === null) return '—';
  if (h.types === 0) return 'none counted';
  if (h.grew.length === 0) return `no growth (${h.types} types)`;
  const shown = h.grew.slice(0, 3).map((g) => `+${g.delta} ${g.type}`);
  return shown.join(', ') + (h.grew.length > 3 ? `, +${h.grew.length - 3} more` : '');
}

function link(m: IndexModel, file: string | null, text: string): string {
  return file === null ? '—' : `<a href="${esc(m.href(file))}">${esc(text)}</a>`;
}

function runLabel(r: RunRow): string {
  return r.runId ?? r.dir;
}

function regressionsBanner(m: IndexModel): string {
  const regressed = [
    ...m.rows.flatMap((r) => (r.regressed === null ? [] : [{ id: r.id, label: runLabel(r), group: `${r.scenario} · ${r.variant}`, why: r.regressed }])),
    ...m.proofs.flatMap((p) => (p.regressed === null ? [] : [{ id: p.id, label: `proof ${p.variant}`, group: p.scenario, why: p.regressed }])),
  ];
  if (regressed.length === 0) return '';
  const items = regressed
    .slice(0, 50)
    .map((r) => `<li><a href="#${esc(r.id)}">${esc(r.label)}</a> (${esc(r.group)}): ${esc(r.why)}</li>`)
    .join('');
  const more = regressed.length > 50 ? `<li>… and ${regressed.length - 50} more (marked in the table)</li>` : '';
  const rule = m.heldTo ? `Each held to ${esc(m.heldTo.rule)} (<a href="#held-to">the comparisons</a>):` : 'Against the first NO-LEAK run of their scenario and leak variants:';
  return `<section id="regressions" class="banner" role="alert" data-regressions="${regressed.length}">
<div class="word">${regressed.length} REGRESSED</div>
<p>${rule}</p>
<ul>${items}${more}</ul>
</section>`;
}

function groupsSection(m: IndexModel): string {
  const cards = m.groups
    .map((g) => {
      const last = g.runs[g.runs.length - 1]!;
      const base = m.heldTo ? 'each run held to its baseline (<a href="#held-to">the comparisons</a>)' : g.baseline === null ? 'no NO-LEAK run yet: no baseline' : `baseline <a href="#${esc(g.baseline.id)}">${esc(runLabel(g.baseline))}</a>: ${esc(slopeText(g.baseline.key))}`;
      const reg = g.regressed.length === 0 ? '' : `<p>${badge('REGRESSED')} ${g.regressed.map((r) => `<a href="#${esc(r.id)}">${esc(runLabel(r))}</a>`).join(', ')}</p>`;
      return `<div class="group" data-scenario="${esc(g.scenario)}" data-variant="${esc(g.variant)}" data-runs="${g.runs.length}" data-regressed="${g.regressed.length}">
<h3>${esc(g.scenario)} · <span class="mono">${esc(g.variant === 'none' ? 'no leak variant' : g.variant)}</span></h3>
<p class="muted">${g.runs.length} run${g.runs.length === 1 ? '' : 's'}, oldest → newest; heapUsed slope${g.unit ? ` (${esc(g.unit)})` : ''}</p>
${g.svg}
<p>latest ${badge(last.status)} ${esc(slopeText(last.key))}</p>
<p class="muted">${base}</p>
${reg}
</div>`;
    })
    .join('\n');
  return `<section id="trends">
<h2>Trends per scenario and leak variants</h2>
<p class="muted">${
    m.heldTo
      ? `Each line is the heapUsed slope of the group's runs in time order, by each run's own recorded start time (min/max per bucket past 200 runs, so a spike is kept); the red dots are the runs that regressed against ${esc(m.heldTo.rule)} (<a href="#held-to">the comparisons</a>).`
      : "Each line is the heapUsed slope of the group's runs in time order (min/max per bucket past 200 runs, so a spike is kept); the dashed line is the baseline's upper bound, the ring the baseline (the group's first NO-LEAK run), the red dots the runs that regressed: LEAK, or a lower bound above the baseline's upper bound."
  }</p>
<div class="groups">
${cards}
</div>
</section>`;
}

function runsTable(m: IndexModel): string {
  const rows = m.rows
    .map((r) => {
      const sha = r.gitSha === null ? '—' : `<span class="mono" title="${esc(r.gitSha)}">${esc(r.gitSha.slice(0, 8))}</span>`;
      const leaks = r.leaks.length === 0 ? '<span class="muted">none</span>' : `<span class="mono">${esc(r.leaks.join(', '))}</span>`;
      const proof = r.proof === null ? '' : `<span class="small-note">proof ${esc(r.proof.variant)} (${esc(r.proof.role)} run, ${esc(r.proof.status)})</span>`;
      const note = r.note === null ? '' : `<span class="small-note">${esc(r.note)}</span>`;
      const report = r.report.file !== null ? `${link(m, r.report.file, 'report')}${r.report.built ? '<span class="small-note nowrap">built now</span>' : ''}` : `<span class="muted" title="${esc(r.report.problem ?? '')}">no report</span>`;
      const compared = m.heldTo?.runs.find((h) => h.id === r.id);
      const trend = r.regressed !== null ? badge('REGRESSED', r.regressed) : r.baseline ? badge('baseline', 'the first NO-LEAK run of its group') : compared?.result.against ? badge('no regression', `held to ${compared.result.against.label}: no regression`) : '';
      const where = [r.host, r.nodeVersion === null ? null : `Node ${r.nodeVersion}`].filter((x) => x !== null).join(' · ');
      const handles = r.handles === null ? '—' : `${esc(handlesText(r.handles))}${r.handles.status === 'LEAK' ? ` ${badge('LEAK')}` : ''}`;
      return `<tr id="${esc(r.id)}" data-status="${esc(r.status)}"${r.regressed !== null ? ' class="regressed"' : ''}>
<td>${esc(utc(r.startedAt, r.time))}<span class="small-note mono">${esc(runLabel(r))}</span>${where ? `<span class="small-note nowrap">${esc(where)}</span>` : ''}</td><td>${report}</td><td>${sha}</td><td>${esc(r.scenario)}</td><td>${leaks}${proof}</td><td>${badge(r.status)}${note}</td><td>${trend}</td><td class="num slope" title="${esc(r.key ? `heapUsed ${r.key.status}, δ ${num(r.key.floor, 0)}` : '')}">${esc(slopeText(r.key))}</td><td class="wrap">${handles}</td><td class="num">${esc(durationWords(r.durationMs))}</td><td class="wrap outcome">${esc(r.outcome)}</td>
</tr>`;
    })
    .join('\n');
  return `<section id="runs">
<h2>Runs, newest first</h2>
<div class="scroll"><table id="runs-table">
<caption>From each run's summary.json (PARTIAL: the harness did not finish it; the report says what is on disk). Slope: heapUsed post-GC, Theil–Sen with its 95 % interval.</caption>
<thead><tr><th scope="col">started (UTC)</th><th scope="col">report</th><th scope="col">git</th><th scope="col">scenario</th><th scope="col">leak variants</th><th scope="col">verdict</th><th scope="col">vs baseline</th><th scope="col" class="num">heapUsed slope [95 % CI]</th><th scope="col">handles Δ</th><th scope="col" class="num">duration</th><th scope="col">outcome</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
</section>`;
}

/**
 * What a proof decided on, with the slope comparison under it: a level or
 * churn bug's slopes are often `inconclusive` while its proof holds, and a
 * column of that beside "holds" read as a contradiction.
 */
function decidedOn(p: ProofRow): string {
  const main = p.evidence ?? (p.proofKind !== null ? `${p.proofKind} proof` : null);
  const slopes = p.comparison === null ? '' : `<span class="small-note">slope comparison: ${esc(p.comparison)}</span>`;
  // A level proof's evidence names itself (`Timeout level: leaky only`); the others get their kind in front.
  const kind = p.proofKind !== null && p.evidence !== null && p.proofKind !== 'level' ? `<span class="muted">${esc(p.proofKind)}:</span> ` : '';
  return main === null ? `${esc(p.comparison ?? '—')}` : `${kind}${esc(main)}${slopes}`;
}

function proofsTable(m: IndexModel): string {
  if (m.proofs.length === 0) return '';
  const runLink = (dir: string | null, text: string): string => {
    if (dir === null) return '—';
    const row = m.rows.find((r) => r.dir === dir);
    return row?.report.file ? link(m, row.report.file, text) : row ? `<a href="#${esc(row.id)}">${esc(text)}</a>` : esc(text);
  };
  const rows = m.proofs
    .map((p) => {
      const failures = p.problem !== null ? esc(p.problem) : p.failures.length === 0 ? '<span class="muted">—</span>' : `${esc(p.failures[0])}${p.failures.length > 1 ? `<span class="small-note">+${p.failures.length - 1} more</span>` : ''}`;
      const reg = p.regressed === null ? '' : ` ${badge('REGRESSED', p.regressed)}`;
      return `<tr id="${esc(p.id)}" data-status="${esc(p.status)}"${p.regressed !== null ? ' class="regressed"' : ''}><td>${esc(utc(p.finishedAt, p.time))}</td><td class="mono">${esc(p.variant)}</td><td>${esc(p.scenario)}</td><td>${badge(p.status)}${reg}</td><td>${decidedOn(p)}</td><td class="wrap">${failures}</td><td class="num">${esc(durationWords(p.wallMs))}</td><td>${link(m, p.page, 'proof page')} · ${runLink(p.leakyDir, 'leaky')} · ${runLink(p.fixedDir, 'fixed')}</td></tr>`;
    })
    .join('\n');
  return `<section id="proofs">
<h2>Proofs</h2>
<div class="scroll"><table id="proofs-table">
<caption>Each <code>prove</code> result (&lt;variant&gt;-proof.json): the leaky run must leak, the fixed run must not. Each proof decides on its kind's evidence (retained and handles: the variant's signal; churn: allocation per request; level: where the level shows); the runs' slope comparison is shown under it.</caption>
<thead><tr><th scope="col">finished (UTC)</th><th scope="col">variant</th><th scope="col">scenario</th><th scope="col">proof</th><th scope="col">decided on (leaky → fixed)</th><th scope="col">why not</th><th scope="col" class="num">wall</th><th scope="col">pages</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
</section>`;
}

export function renderIndexPage(m: IndexModel): string {
  const csp = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'";
  const regressed = m.rows.filter((r) => r.regressed !== null).length + m.proofs.filter((p) => p.regressed !== null).length;
  const held = m.proofs.filter((p) => p.status === 'holds').length;
  const proofCount = m.proofs.length > 0 ? `, ${m.proofs.length} proof${m.proofs.length === 1 ? '' : 's'} (${held} hold${m.proofs.length - held > 0 ? `, ${m.proofs.length - held} do not` : ''})` : '';
  const counts = `${m.rows.length} run${m.rows.length === 1 ? '' : 's'} in ${m.groups.length} group${m.groups.length === 1 ? '' : 's'}${proofCount}${regressed > 0 ? `, ${regressed} regressed` : ''}`;
  // A folder of proofs (a `prove` or nightly folder) is read for its proofs first: the runs' own soak verdicts
  // (90-s proof runs judged by a soak's rules are mostly INCONCLUSIVE) come after.
  const proofsFirst = m.proofs.length > 0 && m.proofs.length * 2 >= m.rows.length;
  return `${pageHead({ csp, generator: `relay-soak reports/index-page (Node ${m.builder.nodeVersion}, index data format ${m.format})`, title: `${regressed > 0 ? `${regressed} regressed — ` : ''}Soak runs — ${m.folder}`, styles: [PAGE_STYLE, INDEX_STYLE, ...(m.heldTo ? [HELD_TO_STYLE] : [])] })}
<body data-format="${m.format}" data-runs="${m.rows.length}" data-regressed="${regressed}">
<header>
<h1>Soak runs — ${esc(m.folder)}</h1>
<p class="summary-line muted">${esc(counts)} · run folders found up to ${m.maxDepth} levels down</p>
${regressionsBanner(m)}
</header>
<main>
${proofsFirst ? proofsTable(m) : ''}
${groupsSection(m)}
${m.heldTo ? heldToSection(m.heldTo.rule, m.heldTo.runs, m.heldTo.proofs) : ''}
${runsTable(m)}
${proofsFirst ? '' : proofsTable(m)}
</main>
<footer>
<p>Built ${esc(m.builder.builtAt)} by Node ${esc(m.builder.nodeVersion)} · index data format ${m.format} (the rows as JSON in #index-data) · links are relative: keep the folder together.</p>
</footer>
<script type="application/json" id="index-data" data-format="${m.format}">${m.dataJson}</script>
</body>
</html>
`;
}
