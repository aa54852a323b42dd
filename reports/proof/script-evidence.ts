// The proof page's charts of the evidence a level-under-load or churn proof
// rests on, spliced into script.ts's function scope (they use its helpers:
// line, rings, hasAny, tableX, fmtNum, countAxis, ...):
//  - level: the signal's count in every continuous sample of both runs, the
//    counted phases thick, warm-up / cool-down thin; the deciding phase's
//    leaky median and fixed p90 as dashed lines, labelled at the right edge;
//    each run's phases as a strip above the plot (A above, B below);
//  - churn: allocated bytes (or GC µs) per request per window, the windows
//    the ratio used filled, the others hollow, each run's Σ / Σ dashed.
//
// Written without backticks or dollar-brace so it can live in a TS template literal.

export const EVIDENCE_CHARTS = String.raw`
  // ---- the evidence of a level-under-load or churn proof -----------------
  var STRIP_H = 15;

  // A table's phases as segments in x order: each from its first row to the next phase's first row.
  function phaseSegments(t, names, counted, deciding) {
    var xs = tableX(t), ph = t.phase, segs = [];
    for (var i = 0; i < xs.length; i++) {
      if (xs[i] === null || xs[i] === undefined) continue;
      var last = segs[segs.length - 1];
      if (last && last.idx === ph[i]) { last.x1 = xs[i]; last.counted = last.counted || counted[i] === 1; continue; }
      if (last) last.x1 = xs[i];
      var name = names[ph[i]] || '?';
      segs.push({ idx: ph[i], name: name, x0: xs[i], x1: xs[i], counted: counted[i] === 1, deciding: name === deciding });
    }
    return segs;
  }

  // A constant series over one run's rows: a level drawn as a line, named in the legend.
  function levelLine(part, label, y, rows, stroke, value) {
    return line(part, label, rows.map(function () { return y; }), stroke, { value: value, dash: [8, 4], width: 1.5, points: { show: false } });
  }

  function levelChart(data, ctx) {
    var lv = data.level;
    if (!lv || lv.where !== 'under-load') return null;
    var th = ctx.th, series = [], tables = [], strips = [], bar = lv.bar;
    lv.runs.forEach(function (run, p) {
      var t = run.table;
      tables.push(t);
      if (!t || !hasAny(t.cols.count)) return;
      var colr = th.run[run.role], counted = t.cols.counted || [], vals = t.cols.count;
      var isIn = function (i) { return counted[i] === 1; };
      series.push(line(p, runLabel(run) + ' ' + lv.key + ' (counted phases)', vals.map(function (v, i) { return isIn(i) ? v : null; }), colr.line, { value: fmt.count, width: 2, spanGaps: false, points: { show: false } }));
      // Warm-up and cool-down, joined to the counted line at the phase boundary.
      series.push(line(p, runLabel(run) + ' warm-up, cool-down (not counted)', vals.map(function (v, i) { return !isIn(i) || !isIn(i - 1) || !isIn(i + 1) ? v : null; }), colr.line, { value: fmt.count, width: 1, dash: [2, 3], spanGaps: false, points: { show: false } }));
      if (bar) {
        var y = run.role === 'leaky' ? bar.leakyMedian : bar.fixedP90;
        var what = run.role === 'leaky' ? 'median' : 'p90 (the bar)';
        series.push(levelLine(p, runLabel(run) + ' ' + what + ' in ' + bar.phase + ': ' + fmtNum(y, 1), y, vals, colr.line, fmt.count));
      }
      strips.push({ label: run.role === 'leaky' ? 'A' : 'B', color: colr, segs: phaseSegments(t, data.phases, counted, bar ? bar.phase : null) });
    });
    if (series.length === 0) return null;
    var hlines = [];
    if (bar) {
      var low = Math.min(bar.leakyMedian, bar.fixedP90);
      hlines.push({ y: bar.leakyMedian, stroke: th.run.leaky.line, below: bar.leakyMedian === low && bar.leakyMedian !== bar.fixedP90, label: 'leaky (A) median in ' + bar.phase + ': ' + fmtNum(bar.leakyMedian, 1) });
      hlines.push({ y: bar.fixedP90, stroke: th.run.fixed.line, below: bar.fixedP90 === low, label: 'fixed (B) p90 in ' + bar.phase + ', the bar: ' + fmtNum(bar.fixedP90, 1) });
    }
    return { series: series, bands: [], axes: [countAxis(lv.key, 'y')], height: 340, tables: tables, gaps: true, hlines: hlines, strips: strips };
  }

  function churnChart(data, ctx, key) {
    var ch = data.churn;
    if (!ch) return null;
    var gc = key === 'gcMicrosPerRequest';
    var th = ctx.th, series = [], tables = [], hlines = [];
    var value = gc
      ? function (u, v) { return v === null || v === undefined ? '—' : fmtNum(v, 2) + ' µs'; }
      : function (u, v) { return v === null || v === undefined ? '—' : fmtNum(v, 0) + ' B'; };
    ch.runs.forEach(function (run, p) {
      var t = run.table;
      tables.push(t);
      if (!t || !hasAny(t.cols[key])) return;
      var colr = th.run[run.role], vals = t.cols[key];
      series.push(line(p, runLabel(run) + (gc ? ' GC time / request' : ' allocated / request'), vals, colr.line, { value: value, width: 1.5, points: { show: true, size: 5, fill: colr.line } }));
      pushIf(series, rings(p, 'not used', vals, t.cols.used || [], colr.line, th, 'y', value));
      var total = gc ? run.gcMicrosPerRequest : run.bytesPerRequest;
      if (total !== null && total !== undefined) {
        series.push(levelLine(p, runLabel(run) + ' Σ / Σ over the used windows: ' + value(null, total), total, vals, colr.line, value));
        hlines.push({ y: total, stroke: colr.line, label: runLabel(run) + ' ' + value(null, total) + ' / request' });
      }
    });
    if (series.length === 0) return null;
    if (hlines.length === 2) { var lo = Math.min(hlines[0].y, hlines[1].y); hlines.forEach(function (h) { h.below = h.y === lo && hlines[0].y !== hlines[1].y; }); }
    // One run allocating tens of times what the other does flattens it to the axis on a linear
    // scale: then a log scale, on which the ratio is the distance between the dashed lines.
    var pos = [], all = true;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v !== undefined) { if (v > 0) pos.push(v); else all = false; } }); });
    var totals = hlines.map(function (h) { return h.y; });
    var log = all && pos.length > 0 && totals.length === 2 && Math.min(totals[0], totals[1]) > 0 && Math.max(totals[0], totals[1]) / Math.min(totals[0], totals[1]) >= 8;
    var axis = countAxis((gc ? 'GC µs / request' : 'allocated B / request') + (log ? ', log scale' : ''), 'y');
    if (log) axis.log = true;
    // On a log axis only the powers of ten are labelled (uPlot also hands the minor ticks, some as null).
    var label = gc ? function (x) { return fmtNum(x, 2); } : fmtK;
    if (log) axis.values = function (u, v) { return v.map(function (x) { if (x === null || !(x > 0)) return ''; var l = Math.log10(x); return Math.abs(l - Math.round(l)) < 1e-9 ? label(x) : ''; }); };
    else if (!gc) axis.values = function (u, v) { return v.map(fmtK); };
    return { series: series, bands: [], axes: [axis], height: 280, tables: tables, hlines: hlines };
  }

  // Labels of the dashed level lines at the plot's right edge: above the line, or below it for the lower of two.
  function drawHlines(u, ctx, hl) {
    var c = u.ctx, b = u.bbox, d = devicePixelRatio, lh = 13 * d, pad = 3 * d;
    c.save();
    c.font = (11 * d) + 'px system-ui, sans-serif';
    c.textAlign = 'right';
    c.textBaseline = 'top';
    hl.forEach(function (h) {
      var y = u.valToPos(h.y, 'y', true);
      if (!(y >= b.top && y <= b.top + b.height)) return;
      var w = c.measureText(h.label).width, x1 = b.left + b.width - pad;
      var top = h.below ? y + 2 * d : y - lh - 2 * d;
      top = Math.max(b.top, Math.min(b.top + b.height - lh, top));
      c.globalAlpha = 0.85;
      c.fillStyle = ctx.th.bg;
      c.fillRect(x1 - w - pad, top - d, w + 2 * pad, lh + 2 * d);
      c.globalAlpha = 1;
      c.fillStyle = h.stroke;
      c.fillText(h.label, x1, top);
    });
    c.restore();
  }

  // Each run's phases as a strip above the plot: counted phases in the run's tint, the deciding one outlined.
  function drawStrips(u, ctx, strips) {
    var c = u.ctx, b = u.bbox, d = devicePixelRatio, th = ctx.th, h = STRIP_H * d;
    c.save();
    c.setLineDash([]);
    c.font = (10.5 * d) + 'px system-ui, sans-serif';
    c.textBaseline = 'middle';
    strips.forEach(function (s, r) {
      var y = b.top - (strips.length - r) * h - 6 * d;
      c.fillStyle = s.color.line;
      c.textAlign = 'right';
      c.fillText(s.label, b.left - 5 * d, y + h / 2);
      s.segs.forEach(function (g) {
        var x0 = Math.max(b.left, u.valToPos(g.x0, 'x', true)), x1 = Math.min(b.left + b.width, u.valToPos(g.x1, 'x', true));
        if (!(x1 - x0 > 2 * d)) return;
        c.fillStyle = g.counted ? s.color.band : th.grid;
        c.fillRect(x0, y + d, x1 - x0 - d, h - 2 * d);
        if (g.deciding) {
          c.strokeStyle = s.color.line;
          c.lineWidth = 1.5 * d;
          c.strokeRect(x0 + 0.75 * d, y + 1.75 * d, x1 - x0 - 2.5 * d, h - 3.5 * d);
        }
        var w = c.measureText(g.name).width;
        if (w + 8 * d <= x1 - x0) {
          c.fillStyle = g.counted ? th.fg : th.muted;
          c.textAlign = 'left';
          c.fillText(g.name, x0 + 4 * d, y + h / 2);
        }
      });
    });
    c.restore();
  }
`;
