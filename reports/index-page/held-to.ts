// An index whose runs are held to a baseline chosen by the caller (`merge`:
// the previous night's run of the same scenario+variant, or `--baseline`)
// instead of the group's first NO-LEAK run (trend.ts). The caller judges; this
// file carries its judgement into the page: the types buildIndex accepts, and
// the table that shows every comparison with its numbers (regressed or not),
// so a reader sees what was compared with what, not only what failed.

import { esc } from '../html.ts';

/** One thing compared: a memory signal's interval, a handle type, a proof. */
export interface HeldToCheck {
  /** `heapUsed`, `handles Timeout`, `proof inflight-map`. */
  what: string;
  /** The figure now and in the baseline, as shown (`6.0 [4.0, 8.0] B/request`, `LEAK Δ +40`, `holds`). */
  now: string;
  before: string;
  regressed: boolean;
  /** In words, with the numbers (δ included). */
  text: string;
}

export interface HeldToResult {
  /** The run (or proof record) it was held to; null when there was none (`note` says why). */
  against: { label: string; startedAt: string | null; where: string; host: string | null } | null;
  note: string | null;
  checks: HeldToCheck[];
}

export interface IndexBaseline {
  /** What each run is held to, in words, completing "held to …" ("the previous run of its scenario and leak variants"). */
  rule: string;
  /** By run folder (absolute path, as the index scans it). A run absent was not compared. */
  runs: ReadonlyMap<string, HeldToResult>;
  /** By proof record (absolute path of `<variant>-proof.json`). */
  proofs: ReadonlyMap<string, HeldToResult>;
}

/** The regressions of a result, as one line; null when none. */
export function regressionText(r: HeldToResult | undefined): string | null {
  const texts = (r?.checks ?? []).filter((c) => c.regressed).map((c) => c.text);
  return texts.length === 0 ? null : texts.join('; ');
}

export interface HeldToRow {
  /** Anchor of the run or proof row in the page. */
  id: string;
  label: string;
  group: string;
  result: HeldToResult;
}

function badgeHtml(regressed: boolean): string {
  return regressed ? '<span class="badge status-regressed">REGRESSED</span>' : '<span class="badge status-no-regression">no regression</span>';
}

function againstHtml(r: HeldToResult): string {
  if (r.against === null) return `<span class="muted">${esc(r.note ?? 'nothing to compare with')}</span>`;
  const a = r.against;
  const when = a.startedAt === null ? '' : ` <span class="small-note">${esc(a.startedAt.replace('T', ' ').slice(0, 16))}Z${a.host ? ` · ${esc(a.host)}` : ''}</span>`;
  return `<span class="mono" title="${esc(a.where)}">${esc(a.label)}</span>${when}`;
}

function checksHtml(r: HeldToResult): string {
  if (r.checks.length === 0) return '<span class="muted">—</span>';
  // The regressed checks first and in full; the others as one short line each.
  const sorted = [...r.checks].sort((a, b) => Number(b.regressed) - Number(a.regressed));
  return sorted.map((c) => `<span class="check${c.regressed ? ' bad' : ''}">${c.regressed ? '✖' : '✓'} ${esc(c.regressed ? c.text : `${c.what}: ${c.now} (was ${c.before})`)}</span>`).join('');
}

/** The section listing every comparison: run, group, held to, result, each check with its numbers. */
export function heldToSection(rule: string, runs: readonly HeldToRow[], proofs: readonly HeldToRow[]): string {
  const row = (h: HeldToRow): string => {
    const regressed = h.result.checks.some((c) => c.regressed);
    return `<tr${regressed ? ' class="regressed"' : ''}><td><a href="#${esc(h.id)}">${esc(h.label)}</a></td><td>${esc(h.group)}</td><td class="wrap">${againstHtml(h.result)}</td><td>${h.result.against === null ? '' : badgeHtml(regressed)}</td><td class="wrap checks">${checksHtml(h.result)}</td></tr>`;
  };
  const all = [...runs, ...proofs];
  const body = all.filter((h) => h.result.against !== null).map(row).join('\n');
  const n = all.filter((h) => h.result.checks.some((c) => c.regressed)).length;
  // Runs and proofs with nothing to compare with: one line naming them, not a row each.
  const byNote = new Map<string, HeldToRow[]>();
  for (const h of all.filter((x) => x.result.against === null)) {
    const note = h.result.note ?? 'not compared';
    byNote.set(note, [...(byNote.get(note) ?? []), h]);
  }
  const notCompared = [...byNote].map(([note, hs]) => `<p class="muted not-compared">Not compared (${esc(note)}): ${hs.map((h) => `<a href="#${esc(h.id)}">${esc(h.label)}</a>`).join(', ')}.</p>`).join('\n');
  return `<section id="held-to" data-regressions="${n}">
<h2>Against the baseline</h2>
<p class="muted">Each run is held to ${esc(rule)}. A run regresses when a memory signal's 95 % interval moved above the baseline's by more than δ (its lower bound minus the baseline's upper bound exceeds the signal's floor), or a handle type is LEAK now and was not before; a proof regresses when it held before and fails now.</p>
<div class="scroll"><table id="held-to-table">
<thead><tr><th scope="col">run or proof</th><th scope="col">scenario · leak variants</th><th scope="col">held to</th><th scope="col">result</th><th scope="col">checks (now, and the baseline's)</th></tr></thead>
<tbody>
${body || '<tr><td colspan="5" class="muted">No run or proof had an earlier one of its group to be held to.</td></tr>'}
</tbody></table></div>
${notCompared}
</section>`;
}

export const HELD_TO_STYLE = `
.badge.status-no-regression { background: var(--ok-bg); color: var(--ok-fg); border-color: var(--ok-bd); }
#held-to-table td.checks { min-width: 360px; }
#held-to-table .check { display: block; font-size: 12.5px; }
#held-to-table .check.bad { color: var(--leak-fg); font-weight: 600; }
`;
