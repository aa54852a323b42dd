// The proof page's CSS, on top of the run report's (reports/page-style.ts: the
// themes, tables, badges, print rules). The two runs have one colour each,
// everywhere (cards, swatches, chart series): leaky orange, fixed blue, a pair
// that stays apart for the common colour-vision deficiencies; lines also differ
// in the legend text, so colour is never the only signal.

export const PROOF_STYLE = `
:root {
  --leaky: #bc4c00; --fixed: #0969da; --leaky-band: rgba(188,76,0,0.14); --fixed-band: rgba(9,105,218,0.14); --delta: #57606a;
}
@media (prefers-color-scheme: dark) {
  :root { --leaky: #ffa657; --fixed: #58a6ff; --leaky-band: rgba(255,166,87,0.16); --fixed-band: rgba(88,166,255,0.16); --delta: #9198a1; }
}
#proof.tone-ok { background: var(--ok-bg); color: var(--ok-fg); border-color: var(--ok-bd); }
#proof.tone-bad { background: var(--leak-bg); color: var(--leak-fg); border-color: var(--leak-bd); }
#proof.tone-unsure { background: var(--unsure-bg); color: var(--unsure-fg); border-color: var(--unsure-bd); }
#proof.tone-partial { background: var(--partial-bg); color: var(--partial-fg); border-color: var(--partial-bd); border-style: dashed; }
#proof .rule { font-size: 13px; margin-top: 8px; }
#proof .note { font-style: italic; }
#proof ul.more-reasons { margin: 4px 0 0; padding-left: 20px; }
.badge.tone-ok { background: var(--ok-bg); color: var(--ok-fg); border-color: var(--ok-bd); }
.badge.tone-bad { background: var(--leak-bg); color: var(--leak-fg); border-color: var(--leak-bd); }
.badge.tone-unsure { background: var(--unsure-bg); color: var(--unsure-fg); border-color: var(--unsure-bd); }
.badge.tone-native { background: var(--native-bg); color: var(--native-fg); border-color: var(--native-fg); }
.badge.tone-muted { color: var(--muted); border-color: var(--line); }
h2 .badge { font-size: 13px; vertical-align: 2px; }
.runs { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.run { border: 1px solid var(--line); border-top: 4px solid var(--leaky); border-radius: 6px; padding: 4px 14px 8px; min-width: 0; }
.run-fixed { border-top-color: var(--fixed); }
.run h3 { margin-top: 8px; }
.run p { margin: 4px 0; }
.run .line { word-break: break-word; }
.partial-note { color: var(--partial-fg); }
dl.facts.short { grid-template-columns: max-content 1fr; font-size: 13px; margin-top: 8px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.swatch-leaky { background: var(--leaky); }
.swatch-fixed { background: var(--fixed); }
.x-switch { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 8px 0; font-size: 13px; }
.x-switch[hidden] { display: none; }
.x-switch label { cursor: pointer; }
.chart-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 16px; }
.chart-grid .chart, .chart-grid .chart-skipped { margin: 6px 0 14px; min-width: 0; }
h3.grid-title { margin-top: 20px; }
tr.own th, tr.own td { background: var(--panel); }
.chart details.figures { margin: 4px 0 0; font-size: 12.5px; }
.chart details.figures summary { color: var(--muted); font-weight: 500; }
.chart details.figures .scroll { max-height: 420px; overflow: auto; }
.chart details.figures td.mono { white-space: nowrap; }
#churn-table tr.ratio th, #churn-table tr.ratio td { font-weight: 600; }
#level-table, #churn-table { font-size: 13px; }
#level-table tbody th, #churn-table tbody th { white-space: nowrap; }
#churn-table tr.ratio th { white-space: normal; }
#churn-table td.spread { white-space: normal; min-width: 9em; }
#churn-table thead th, #level-table thead th { white-space: normal; }
.why-line { font-weight: 500; }
.nowrap { white-space: nowrap; }
ul.warnings { color: var(--partial-fg); padding-left: 20px; }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.side-by-side table.compact { width: 100%; }
@media (max-width: 860px) {
  .runs, .chart-grid, .side-by-side { grid-template-columns: 1fr; }
}
@media print {
  .runs, .chart-grid, .side-by-side { grid-template-columns: 1fr 1fr; }
  #proof, .badge, .swatch, .run { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .chart details.figures .scroll { max-height: none; overflow: visible; }
}
`;
