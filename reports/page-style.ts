// The report's own CSS (uPlot's stylesheet is inlined next to it). Light and
// dark themes from prefers-color-scheme: the chart script reads the same custom
// properties, so canvases follow the theme too. Status colours are paired with
// the status word everywhere (colour is never the only signal), and the print
// stylesheet drops the interactive bits and keeps tables and charts whole.

export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --grid: rgba(0,0,0,0.08);
  --leak-bg: #ffebe9; --leak-fg: #a40e26; --leak-bd: #cf222e;
  --ok-bg: #dafbe1; --ok-fg: #116329; --ok-bd: #1a7f37;
  --unsure-bg: #fff8c5; --unsure-fg: #7d4e00; --unsure-bd: #bf8700;
  --partial-bg: #fff1e5; --partial-fg: #8a3c00; --partial-bd: #e16f24;
  --native-bg: #ddf4ff; --native-fg: #0a3069;
  --phase-fill: rgba(84,174,255,0.08); --phase-line: rgba(87,96,106,0.35);
  --warm-fill: rgba(140,149,159,0.16); --warm-point: #8c959f; --fit: #cf222e; --band: rgba(207,34,46,0.14); --mark: #bf3989;
  --c1: #0969da; --c2: #bc4c00; --c3: #8250df; --c4: #1a7f37; --c5: #bf3989; --c6: #9a6700; --c7: #0598bc; --c8: #cf222e; --c9: #57606a; --c10: #6639ba;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22; --grid: rgba(255,255,255,0.08);
    --leak-bg: #3b1219; --leak-fg: #ffa198; --leak-bd: #f85149;
    --ok-bg: #0f2d1a; --ok-fg: #7ee787; --ok-bd: #3fb950;
    --unsure-bg: #342a06; --unsure-fg: #f2cc60; --unsure-bd: #d29922;
    --partial-bg: #3d1f00; --partial-fg: #ffa657; --partial-bd: #db6d28;
    --native-bg: #0c2d6b; --native-fg: #a5d6ff;
    --phase-fill: rgba(56,139,253,0.10); --phase-line: rgba(145,152,161,0.40);
    --warm-fill: rgba(110,118,129,0.22); --warm-point: #8b949e; --fit: #ff7b72; --band: rgba(255,123,114,0.16); --mark: #ff7eb6;
    --c1: #58a6ff; --c2: #ffa657; --c3: #bc8cff; --c4: #3fb950; --c5: #ff7eb6; --c6: #e3b341; --c7: #39c5cf; --c8: #ff7b72; --c9: #9198a1; --c10: #d2a8ff;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0 auto; max-width: 1280px; padding: 16px 24px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 18px; margin: 0 0 8px; font-weight: 600; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 16px 0 6px; }
code, pre, .mono { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 4px 0; }
a { color: var(--c1); }
.muted { color: var(--muted); }
.banner { border: 2px solid; border-radius: 8px; padding: 12px 16px; margin: 8px 0 12px; }
.banner .word { font-size: 26px; font-weight: 800; letter-spacing: 0.03em; }
.banner p { margin: 4px 0 0; }
.banner .why { font-size: 15px; font-weight: 500; }
#verdict.status-leak { background: var(--leak-bg); color: var(--leak-fg); border-color: var(--leak-bd); }
#verdict.status-no-leak { background: var(--ok-bg); color: var(--ok-fg); border-color: var(--ok-bd); }
#verdict.status-inconclusive, #verdict.status-unknown { background: var(--unsure-bg); color: var(--unsure-fg); border-color: var(--unsure-bd); }
#partial { background: var(--partial-bg); color: var(--partial-fg); border-color: var(--partial-bd); border-style: dashed; }
#partial .word { font-size: 16px; }
#partial ul { margin: 4px 0 0; padding-left: 20px; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-weight: 700; font-size: 12px; border: 1px solid; white-space: nowrap; }
.badge.status-leak { background: var(--leak-bg); color: var(--leak-fg); border-color: var(--leak-bd); }
.badge.status-no-leak { background: var(--ok-bg); color: var(--ok-fg); border-color: var(--ok-bd); }
.badge.status-inconclusive { background: var(--unsure-bg); color: var(--unsure-fg); border-color: var(--unsure-bd); }
.badge.status-native-growth { background: var(--native-bg); color: var(--native-fg); border-color: var(--native-fg); }
.badge.status-not-measured { color: var(--muted); border-color: var(--line); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: var(--panel); }
tbody th { background: transparent; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { text-align: left; color: var(--muted); padding: 2px 0 6px; caption-side: top; }
tr.warmup td { color: var(--muted); }
.reason { min-width: 300px; }
.reason .more, th .more, td.num .more { display: block; color: var(--muted); font-size: 12.5px; margin-top: 2px; font-weight: normal; }
.small { font-size: 12.5px; }
#phase-load-table td.mix { min-width: 210px; }
#phase-load-table strong.below, #served.not-served { color: var(--leak-fg); }
#served.not-served { background: var(--leak-bg); border: 1px solid var(--leak-bd); border-radius: 6px; padding: 6px 10px; }
#phase-load-table td.plan { min-width: 130px; }
#phase-load-table td, #phase-load-table th { padding: 4px 6px; }
#phase-load-table td, #phase-load-table th { white-space: nowrap; }
#phase-load-table td.mix, #phase-load-table td.plan { white-space: normal; }
table.compact { width: auto; min-width: 50%; }
.scroll { overflow-x: auto; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-word; }
dl.facts ul { margin: 0; padding-left: 18px; }
.chart, .chart-skipped { margin: 14px 0 22px; break-inside: avoid; page-break-inside: avoid; }
.chart h3 { margin-bottom: 2px; }
.chart .caption { margin: 2px 0 6px; color: var(--muted); font-size: 12.5px; }
.chart .plot { min-height: 40px; }
.chart details.chart-data { margin: 2px 0 0; font-size: 12.5px; }
.chart details.chart-data summary { font-weight: 500; color: var(--muted); display: inline; }
.chart details.chart-data a.csv { margin-left: 12px; }
.chart details.chart-data .scroll { max-height: 360px; overflow: auto; }
tr.warn td { color: var(--partial-fg); }
.skipped { color: var(--muted); font-style: italic; margin: 6px 0; }
#charts-status { background: var(--panel); border: 1px solid var(--line); padding: 6px 10px; border-radius: 6px; }
ul.findings { margin: 4px 0; padding-left: 20px; }
details { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 32px; padding-top: 8px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12.5px; }
.uplot { font-family: inherit; }
.u-legend { font-size: 12px; color: var(--fg); }
.u-legend .u-marker { border-radius: 2px; }
.u-select { background: rgba(127,127,127,0.15); }
@media print {
  :root { color-scheme: light; }
  html, body { background: #fff !important; color: #000 !important; }
  body { max-width: none; padding: 0; font-size: 11px; }
  #download, .no-print, noscript, details.chart-data { display: none !important; }
  details > :not(summary) { display: block; }
  details summary { list-style: none; }
  .banner { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .chart canvas { max-width: 100% !important; height: auto !important; }
  .u-over, .u-cursor-x, .u-cursor-y, .u-select { display: none !important; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;
