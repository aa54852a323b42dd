// The JavaScript of the proof page, as a string inlined by page.ts. Plain
// browser JS, no module, no network, like reports/page-script.ts: it decodes
// the embedded data (base64 → DecompressionStream('gzip') → JSON, the proof
// data format of proof-report.ts) and draws both runs overlaid with uPlot, on
// requests completed (how the comparison aligns them) or, switched, on time.
// The charts of a level-under-load or churn proof's evidence are in
// script-evidence.ts, spliced in below.
//
// Two runs have different x values: each chart's rows are both runs'
// checkpoints merged in x order, every row holding one run's values and null
// for the other's series; lines span those gaps.
//
// Written without backticks or dollar-brace so it can live in a TS template literal.

import { DECODE_HELPERS } from '../page-decode-script.ts';
import { EVIDENCE_CHARTS } from './script-evidence.ts';

export const PROOF_SCRIPT = String.raw`
(function () {
  'use strict';
  var MiB = 1048576;
  var statusEl = document.getElementById('charts-status');
  function note(msg) { if (statusEl) { statusEl.textContent = msg; statusEl.hidden = false; } }
  window.addEventListener('beforeprint', function () {
    var ds = document.querySelectorAll('details');
    for (var i = 0; i < ds.length; i++) ds[i].open = true;
  });

  var dataEl = document.getElementById('data');
  if (!dataEl) return;
  if (dataEl.getAttribute('data-format') !== '1' || dataEl.getAttribute('data-kind') === null) { note('Charts not drawn: embedded data format ' + dataEl.getAttribute('data-format') + ' is unknown to this page.'); return; }
  if (typeof DecompressionStream === 'undefined' || typeof Blob === 'undefined' || typeof Response === 'undefined') {
    note('Charts not drawn: this browser has no DecompressionStream. The tables hold the comparison and the checkpoints.');
    return;
  }
  if (typeof uPlot === 'undefined') { note('Charts not drawn: the chart library did not load.'); return; }

` + DECODE_HELPERS + String.raw`
  function decodeTable(t) {
    var out = { n: t.n, t: col(t.t), phase: col(t.phase), cols: {} };
    Object.keys(t.cols).forEach(function (k) { out.cols[k] = col(t.cols[k]); });
    return out;
  }

  gunzipText(decodeBase64((dataEl.textContent || '').trim()))
    .then(function (text) {
      var raw = JSON.parse(text);
      if (raw.format !== 1) throw new Error('data format ' + raw.format + ' is not 1');
      var decodeRuns = function (runs) { return runs.map(function (r) { return Object.assign({}, r, { table: r.table ? decodeTable(r.table) : null }); }); };
      var data = Object.assign({}, raw, { runs: decodeRuns(raw.runs) });
      // The evidence of a level-under-load or churn proof: its own tables (samples, windows).
      if (raw.level) data.level = Object.assign({}, raw.level, { runs: decodeRuns(raw.level.runs) });
      if (raw.churn) data.churn = Object.assign({}, raw.churn, { runs: decodeRuns(raw.churn.runs) });
      offerDownload(data);
      start(data);
    })
    .catch(function (err) { note('Charts not drawn: the embedded data could not be read (' + (err && err.message ? err.message : err) + ').'); });

  function offerDownload(data) {
    var a = document.getElementById('download');
    if (!a) return;
    a.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' }));
    a.hidden = false;
  }

  // ---- formatting -------------------------------------------------------
  function fmtNum(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var a = Math.abs(v);
    if (a !== 0 && a < 0.1 && digits > 0) return v.toPrecision(2);
    return a >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits);
  }
  function fmtT(s, clock) {
    if (s === null || s === undefined || !isFinite(s)) return '—';
    if (Math.abs(s) < 600 && !clock) return (Math.round(s * 10) / 10) + ' s';
    s = Math.round(Math.abs(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h > 0 ? h + ':' + (m < 10 ? '0' : '') + m + ':' + (sec < 10 ? '0' : '') + sec : m + ':' + (sec < 10 ? '0' : '') + sec;
  }
  function fmtCount(v) { return v === null || v === undefined ? '—' : fmtNum(v, Number.isInteger(v) ? 0 : 1); }
  function fmtK(v) {
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(a % 1e6 === 0 ? 0 : 1) + 'M';
    if (a >= 1e3) return (v / 1e3).toFixed(a % 1e3 === 0 ? 0 : 1) + 'k';
    return String(v);
  }
  var fmt = {
    mib: function (u, v) { return v === null || v === undefined ? '—' : fmtNum(v, 2) + ' MiB'; },
    count: function (u, v) { return fmtCount(v); }
  };
  function slopeText(f) {
    if (!f) return '';
    var d = f.unit.indexOf('per ') === 0 ? 2 : 1;
    var ci = f.lower !== null && f.upper !== null ? ' [' + fmtNum(f.lower, d) + ', ' + fmtNum(f.upper, d) + ']' : '';
    return fmtNum(f.slope, d) + ci + ' ' + f.unit;
  }

  // ---- theme ------------------------------------------------------------
  function theme() {
    var cs = getComputedStyle(document.documentElement);
    function v(name) { return cs.getPropertyValue(name).trim(); }
    return {
      bg: v('--bg'), fg: v('--fg'), muted: v('--muted'), grid: v('--grid'), delta: v('--delta'),
      run: { leaky: { line: v('--leaky'), band: v('--leaky-band') }, fixed: { line: v('--fixed'), band: v('--fixed-band') } }
    };
  }

  // ---- charts -----------------------------------------------------------
  var charts = [];
  var built = null;
  var mode = 'requests';

  function start(data) {
    built = data;
    var sw = document.getElementById('x-switch');
    if (sw) {
      sw.hidden = false;
      sw.addEventListener('change', function (e) {
        var t = e.target;
        if (t && t.name === 'x-axis' && t.checked) { mode = t.value === 'time' ? 'time' : 'requests'; build(); }
      });
      var checked = sw.querySelector('input[name="x-axis"]:checked');
      if (checked && checked.value === 'time') mode = 'time';
    }
    build();
    if (typeof ResizeObserver !== 'undefined') {
      var host = document.getElementById('charts');
      var last = host ? host.clientWidth : 0;
      new ResizeObserver(function () {
        var w = host.clientWidth;
        if (w === last) return;
        last = w;
        charts.forEach(function (c) { c.u.setSize({ width: widthOf(c.el), height: c.u.height }); });
      }).observe(host);
    }
    if (window.matchMedia) {
      var mq = window.matchMedia('(prefers-color-scheme: dark)');
      if (mq.addEventListener) mq.addEventListener('change', function () { build(); });
    }
  }

  function widthOf(el) { return Math.max(280, Math.floor(el.clientWidth || 900)); }

  function build() {
    charts.forEach(function (c) { c.u.destroy(); });
    charts = [];
    var data = built;
    var ctx = { th: theme(), mode: mode, alignment: data.alignment };
    var els = document.querySelectorAll('.chart[data-chart]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var id = el.getAttribute('data-chart');
      var plot = el.querySelector('.plot');
      plot.textContent = '';
      try {
        var spec = id === 'signal' ? signalChart(data, ctx) : id === 'memory' ? memoryChart(data, ctx) : id.indexOf('handle:') === 0 ? handleChart(data, ctx, id.slice(7))
          : id === 'level' ? levelChart(data, ctx) : id === 'churn:alloc' ? churnChart(data, ctx, 'bytesPerRequest') : id === 'churn:gc' ? churnChart(data, ctx, 'gcMicrosPerRequest') : null;
        if (!spec) { plot.textContent = 'No data for this chart.'; continue; }
        var u = new uPlot(options(spec, ctx, widthOf(plot)), assemble(spec.tables || data.runs.map(function (r) { return r.table; }), spec), plot);
        // Helper series (band edges, hollow rings) stay out of the legend.
        var rows = u.root.querySelectorAll('.u-legend .u-series');
        spec.series.forEach(function (s, k) { if (s.legend === false && rows[k + 1]) rows[k + 1].style.display = 'none'; });
        charts.push({ u: u, el: plot });
      } catch (err) {
        plot.textContent = 'This chart could not be drawn: ' + (err && err.message ? err.message : err);
      }
    }
  }

  // A table's x: requests completed (its 'requests' column), or seconds since the run's start.
  function tableX(t) {
    if (!t) return [];
    if (mode === 'time') return t.t.map(function (v) { return v === null ? null : v / 1000; });
    return t.cols.requests || [];
  }

  // Both runs' rows merged in x order: a row holds its run's values, null elsewhere.
  // With spec.gaps the other run's rows are undefined instead, which uPlot always
  // spans, so a series' own nulls can break its line (spanGaps false).
  function assemble(tables, spec) {
    var rows = [];
    tables.forEach(function (t, p) {
      tableX(t).forEach(function (x, i) { if (x !== null && x !== undefined && isFinite(x)) rows.push({ x: x, p: p, i: i }); });
    });
    rows.sort(function (a, b) { return a.x - b.x || a.p - b.p || a.i - b.i; });
    var other = spec.gaps ? undefined : null;
    var out = [rows.map(function (r) { return r.x; })];
    spec.series.forEach(function (s) {
      out.push(rows.map(function (r) { if (r.p !== s.part) return other; var v = s.values[r.i]; return v === undefined ? null : v; }));
    });
    return out;
  }

  function toMiB(a) { return (a || []).map(function (v) { return v === null || v === undefined ? null : v / MiB; }); }
  function ident(a) { return a || []; }
  function hasAny(a) { return !!a && a.some(function (v) { return v !== null && v !== undefined; }); }

  function line(part, label, values, stroke, extra) {
    return Object.assign({ part: part, label: label, values: values, stroke: stroke, width: 2, spanGaps: true, scale: 'y' }, extra || {});
  }
  /** Hollow rings over the checkpoints the comparison did not judge. */
  function rings(part, label, values, judged, stroke, th, scale, value) {
    if (!built.alignment) return null; // no comparison: nothing was judged, no point is singled out
    return line(part, label, values.map(function (v, i) { return judged[i] === 1 ? null : v; }), stroke,
      { noLine: true, legend: false, scale: scale, value: value, points: { show: true, size: 9, width: 2, stroke: stroke, fill: th.bg } });
  }
  function pushIf(a, x) { if (x) a.push(x); }
  function runLabel(run) { return run.role === 'leaky' ? 'leaky (A)' : 'fixed (B)'; }

  // Tick labels with as many decimals as the ticks need (52.5 must not read 53).
  function tickDigits(vals) {
    for (var d = 0; d < 6; d++) {
      var p = Math.pow(10, d);
      if (vals.every(function (v) { return v === null || Math.abs(Math.round(v * p) / p - v) <= 1e-9 * Math.max(1, Math.abs(v)); })) return d;
    }
    return 6;
  }
  function ticks(u, v) { var d = tickDigits(v); return v.map(function (x) { return fmtNum(x, d); }); }
  var mibAxis = function (label, scale) { return { label: label, scale: scale, values: ticks }; };
  var countAxis = function (label, scale) { return { label: label, scale: scale, values: ticks, range: function (u, min, max) { return [Math.min(0, min), Math.max(1, max * 1.05)]; } }; };

  // (1) the proof's own signal: both runs, each with its fit and band over its judged window, δ.
  function signalChart(data, ctx) {
    var th = ctx.th, sig = data.signal, bytes = sig.unit === 'bytes';
    var conv = bytes ? toMiB : ident, value = bytes ? fmt.mib : fmt.count;
    var name = sig.handle || sig.key;
    var series = [], bands = [], hlines = [];
    data.runs.forEach(function (run, p) {
      var c = run.table.cols, colr = th.run[run.role];
      var vals = conv(c.sig);
      if (!hasAny(vals)) return;
      series.push(line(p, runLabel(run) + ' ' + name, vals, colr.line, { value: value, points: { show: true, size: 6, fill: colr.line } }));
      pushIf(series, rings(p, 'not judged', vals, c.judged || [], colr.line, th, 'y', value));
      if (run.fit && hasAny(c.fit)) {
        series.push(line(p, runLabel(run) + ' Theil–Sen fit ' + slopeText(run.fit), conv(c.fit), colr.line, { value: value, dash: [7, 4], width: 1.5, points: { show: false } }));
        if (hasAny(c.fitHi) && hasAny(c.fitLo)) {
          series.push(line(p, '95 % high', conv(c.fitHi), colr.band, { value: value, width: 0.5, points: { show: false }, legend: false }));
          series.push(line(p, '95 % low', conv(c.fitLo), colr.band, { value: value, width: 0.5, points: { show: false }, legend: false }));
          bands.push({ series: [series.length - 1, series.length], fill: colr.band });
        }
      }
      // A drained level proof: the count each checkpoint is held against (checkpoint 0, before load).
      var lv = data.level;
      if (lv && lv.where === 'drained' && lv.runs[p] && !bytes) {
        var base = lv.runs[p].figures.baseline;
        series.push(line(p, runLabel(run) + ' pre-load ' + name + ': ' + fmtCount(base), vals.map(function () { return base; }), colr.line, { value: value, dash: [2, 3], width: 1.5, points: { show: false } }));
        hlines.push({ y: base, stroke: colr.line, below: run.role === 'fixed', label: runLabel(run) + ' pre-load: ' + fmtCount(base) });
      }
      if (run.role === 'fixed' && run.floor && hasAny(c.delta)) {
        series.push(line(p, 'δ ' + fmtNum(run.floor.value, 0) + ' ' + run.floor.unit + ': the slope a leak must clear', conv(c.delta), th.delta, { value: value, dash: [2, 4], width: 1.5, points: { show: false } }));
      }
    });
    if (series.length === 0) return null;
    var axes = [bytes ? mibAxis(name + ' (MiB)', 'y') : countAxis(name, 'y')];
    // Two runs with the same baseline: one label says it.
    if (hlines.length === 2 && hlines[0].y === hlines[1].y) hlines = [{ y: hlines[0].y, stroke: th.muted, below: true, label: 'pre-load (both runs): ' + fmtCount(hlines[0].y) }];
    return { series: series, bands: bands, axes: axes, height: 340, cut: true, hlines: hlines.length > 0 ? hlines : null };
  }

  // (2) post-GC heapUsed (left) and rss (right) of both runs.
  function memoryChart(data, ctx) {
    var th = ctx.th, series = [];
    data.runs.forEach(function (run, p) {
      var c = run.table.cols, colr = th.run[run.role];
      if (hasAny(c.heapUsed)) {
        var heap = toMiB(c.heapUsed);
        series.push(line(p, runLabel(run) + ' heapUsed', heap, colr.line, { scale: 'heap', value: fmt.mib, points: { show: true, size: 5, fill: colr.line } }));
        pushIf(series, rings(p, 'not judged', heap, c.judged || [], colr.line, th, 'heap', fmt.mib));
      }
      if (hasAny(c.rss)) series.push(line(p, runLabel(run) + ' rss (right)', toMiB(c.rss), colr.line, { scale: 'rss', value: fmt.mib, dash: [3, 3], width: 1.2, points: { show: true, size: 3 } }));
    });
    if (series.length === 0) return null;
    var axes = [mibAxis('heapUsed (MiB)', 'heap')];
    if (series.some(function (s) { return s.scale === 'rss'; })) axes.push(mibAxis('rss (MiB)', 'rss'));
    if (!series.some(function (s) { return s.scale === 'heap'; })) axes = [mibAxis('rss (MiB)', 'rss')];
    return { series: series, bands: [], axes: axes, height: 280, cut: true };
  }

  function handleColumn(key) { return key === 'fds' || key.indexOf('tcp:') === 0 ? key : 'res:' + key; }

  // (3) one handle type of both runs (small multiples: the signal's type, fds, TCP states, changed types).
  function handleChart(data, ctx, key) {
    var th = ctx.th, series = [];
    data.runs.forEach(function (run, p) {
      var c = run.table.cols, colr = th.run[run.role];
      var vals = c[handleColumn(key)];
      if (!hasAny(vals)) return;
      series.push(line(p, runLabel(run), vals, colr.line, { value: fmt.count, width: 1.5, points: { show: true, size: 4, fill: colr.line } }));
      pushIf(series, rings(p, 'not judged', vals, c.judged || [], colr.line, th, 'y', fmt.count));
    });
    if (series.length === 0) return null;
    return { series: series, bands: [], axes: [countAxis(key, 'y')], height: 200, cut: true };
  }

  // The hovered row belongs to one run: every other series reads its own nearest row (the
  // rows interleave, so within two rows), and the legend shows both runs at the cursor.
  function nearestOwnRow(u, si, hi) {
    var ys = u.data[si], xs = u.data[0];
    if (si === 0 || ys[hi] !== null && ys[hi] !== undefined) return hi;
    var best = hi, dist = Infinity;
    for (var k = Math.max(0, hi - 2); k <= Math.min(ys.length - 1, hi + 2); k++) {
      if (ys[k] === null || ys[k] === undefined) continue;
      var d = Math.abs(xs[k] - xs[hi]);
      if (d < dist) { dist = d; best = k; }
    }
    return best;
  }

  function xRange(u, min, max) {
    var xs = u.data[0];
    if (xs.length > 0 && min === xs[0] && max === xs[xs.length - 1]) return [Math.min(0, min), max > 0 ? max : 1];
    return [min, max];
  }

  function options(spec, ctx, width) {
    var th = ctx.th;
    var axis = function (extra) { return Object.assign({ stroke: th.muted, grid: { stroke: th.grid, width: 1 }, ticks: { stroke: th.grid, width: 1 } }, extra); };
    var xAxis = ctx.mode === 'time'
      ? axis({ label: 'time since the run\'s start', labelSize: 20, values: function (u, vals) { var clock = u.scales.x.max - u.scales.x.min > 600; return vals.map(function (v) { return fmtT(v, clock); }); },
          incrs: [0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400] })
      : axis({ label: 'requests completed', labelSize: 20, values: function (u, vals) { return vals.map(fmtK); } });
    var axes = [xAxis];
    spec.axes.forEach(function (a, i) {
      axes.push(axis({ scale: a.scale, label: a.label, labelSize: 20, side: i === 0 ? 3 : 1, size: 60, grid: i === 0 ? { stroke: th.grid, width: 1 } : { show: false }, values: a.values }));
    });
    // A blank right axis when there is one scale: the plots keep the same width and their x axes line up.
    if (spec.axes.length === 1) {
      axes.push({ scale: spec.axes[0].scale, side: 1, size: 60, label: '', labelSize: 20, stroke: th.muted, grid: { show: false }, ticks: { show: false }, values: function (u, s) { return s.map(function () { return ''; }); } });
    }
    var scales = { x: { time: false, range: xRange } };
    // A log axis (a.log) when one run's figures are tens of times the other's: both stay readable.
    spec.axes.forEach(function (a) { scales[a.scale] = a.log ? { auto: true, distr: 3, log: 10 } : { auto: true, range: a.range }; });
    var series = [{ label: ctx.mode === 'time' ? 'time' : 'requests', value: function (u, v) { return ctx.mode === 'time' ? fmtT(v) : fmtCount(v); } }];
    spec.series.forEach(function (s) {
      var o = { label: s.label, stroke: s.stroke, width: s.width, scale: s.scale, value: s.value, spanGaps: s.spanGaps, dash: s.dash, show: s.show !== false };
      o.points = Object.assign({ fill: th.bg }, s.points || {});
      if (s.noLine) o.paths = function () { return null; };
      series.push(o);
    });
    var o = {
      width: width,
      height: spec.height || 260,
      cursor: { sync: { key: 'proof', setSeries: false }, drag: { x: true, y: false }, dataIdx: nearestOwnRow },
      legend: { live: true },
      scales: scales,
      axes: axes,
      series: series,
      bands: spec.bands || [],
      hooks: { draw: [function (u) { if (spec.cut) drawCut(u, ctx); if (spec.hlines) drawHlines(u, ctx, spec.hlines); if (spec.strips) drawStrips(u, ctx, spec.strips); }] }
    };
    // Room above the plot for the phase strips (uPlot's padding: top, right, bottom, left; null = its own).
    if (spec.strips) o.padding = [spec.strips.length * STRIP_H + 12, null, null, null];
    return o;
  }

` + EVIDENCE_CHARTS + String.raw`

  // Requests mode: where the aligned range ends (checkpoints past it are not judged).
  function drawCut(u, ctx) {
    if (ctx.mode !== 'requests' || !ctx.alignment) return;
    var r = ctx.alignment.requests, b = u.bbox, c = u.ctx;
    if (!(r >= u.scales.x.min && r <= u.scales.x.max)) return;
    var x = Math.round(u.valToPos(r, 'x', true)) + 0.5;
    c.save();
    c.strokeStyle = ctx.th.muted;
    c.lineWidth = 1;
    c.setLineDash([4, 4]);
    c.beginPath();
    c.moveTo(x, b.top);
    c.lineTo(x, b.top + b.height);
    c.stroke();
    c.setLineDash([]);
    c.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif';
    c.textBaseline = 'top';
    // Labelled mid-height on a background patch: growth lines run through the corners.
    var text = 'both reached ' + fmtNum(r, 0);
    var pad = 3 * devicePixelRatio, w = c.measureText(text).width, h = 13 * devicePixelRatio;
    var right = x + pad + w + pad <= b.left + b.width;
    var x0 = right ? x + pad : x - pad - w, y0 = b.top + b.height / 2 - h / 2;
    c.globalAlpha = 0.85;
    c.fillStyle = ctx.th.bg;
    c.fillRect(x0 - pad, y0 - pad / 2, w + 2 * pad, h + pad);
    c.globalAlpha = 1;
    c.fillStyle = ctx.th.muted;
    c.textAlign = 'left';
    c.fillText(text, x0, y0);
    c.restore();
  }
})();
`;
