// The JavaScript that runs in the report page, as a string inlined by page.ts.
//
// Plain browser JS (no build step, no module, no network): it decodes the
// embedded data (base64 → DecompressionStream('gzip') → JSON; the format is
// data.ts's, version DATA_FORMAT), draws the uPlot charts on one time axis
// (seconds since the run's start) with a synced cursor and synced drag-zoom,
// shades the phases, and makes the "download JSON" blob link. Everything the
// verdict says is already in the HTML tables: without JS, or in a browser
// without DecompressionStream, the page still reads, only the charts are missing.
//
// Which charts exist is decided by the builder (page.ts renders a
// `.chart[data-chart=…]` container only when its data is present, and a note
// otherwise); this script fills the containers it finds.
//
// Written without backticks or dollar-brace so it can live in a TS template literal.

import { DECODE_HELPERS } from './page-decode-script.ts';

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var MiB = 1048576;
  var statusEl = document.getElementById('charts-status');
  function note(msg) { if (statusEl) { statusEl.textContent = msg; statusEl.hidden = false; } }
  // Printing shows every table: closed <details> cannot be opened by CSS alone.
  window.addEventListener('beforeprint', function () {
    // (Not the tables behind the charts: the printed charts and the server-rendered tables say it.)
    var ds = document.querySelectorAll('details:not(.chart-data)');
    for (var i = 0; i < ds.length; i++) ds[i].open = true;
  });

  var dataEl = document.getElementById('data');
  if (!dataEl) return;
  if (dataEl.getAttribute('data-format') !== '1') { note('Charts not drawn: embedded data format ' + dataEl.getAttribute('data-format') + ' is unknown to this page.'); return; }
  if (typeof DecompressionStream === 'undefined' || typeof Blob === 'undefined' || typeof Response === 'undefined') {
    note('Charts not drawn: this browser has no DecompressionStream. The tables hold the verdict and the checkpoints.');
    return;
  }
  if (typeof uPlot === 'undefined') { note('Charts not drawn: the chart library did not load.'); return; }

` + DECODE_HELPERS + String.raw`
  function decodeTable(t) {
    var out = { n: t.n, factor: t.factor, t: col(t.t), phase: col(t.phase), cols: {} };
    Object.keys(t.cols).forEach(function (k) { out.cols[k] = col(t.cols[k]); });
    return out;
  }

  gunzipText(decodeBase64((dataEl.textContent || '').trim()))
    .then(function (text) {
      var raw = JSON.parse(text);
      if (raw.format !== 1) throw new Error('data format ' + raw.format + ' is not 1');
      var data = Object.assign({}, raw, { checkpoints: decodeTable(raw.checkpoints), samples: decodeTable(raw.samples) });
      offerDownload(data);
      start(data);
    })
    .catch(function (err) { note('Charts not drawn: the embedded data could not be read (' + (err && err.message ? err.message : err) + ').'); });

  function offerDownload(data) {
    var a = document.getElementById('download');
    if (!a) return;
    var blob = new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' });
    a.href = URL.createObjectURL(blob);
    a.hidden = false;
  }

  // ---- formatting -------------------------------------------------------
  function fmtT(s, clock) {
    if (s === null || s === undefined || !isFinite(s)) return '—';
    if (Math.abs(s) < 600 && !clock) return (Math.round(s * 10) / 10) + ' s';
    var sign = s < 0 ? '-' : '';
    s = Math.round(Math.abs(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var mm = (m < 10 && h > 0 ? '0' : '') + m, ss = (sec < 10 ? '0' : '') + sec;
    return sign + (h > 0 ? h + ':' + mm + ':' + ss : mm + ':' + ss);
  }
  function fmtNum(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var a = Math.abs(v);
    if (a !== 0 && a < 0.1 && digits > 0) return v.toPrecision(2);
    return a >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits);
  }
  var fmt = {
    mib: function (u, v) { return v === null || v === undefined ? '—' : fmtNum(v, 1) + ' MiB'; },
    count: function (u, v) { return v === null || v === undefined ? '—' : fmtNum(v, 0); },
    ms: function (u, v) { return v === null || v === undefined ? '—' : fmtNum(v, 1) + ' ms'; },
    rate: function (u, v) { return v === null || v === undefined ? '—' : fmtNum(v, 1) + '/s'; }
  };

  // ---- theme ------------------------------------------------------------
  function theme() {
    var cs = getComputedStyle(document.documentElement);
    function v(name) { return cs.getPropertyValue(name).trim(); }
    var palette = [];
    for (var i = 1; i <= 10; i++) palette.push(v('--c' + i));
    return {
      bg: v('--bg'), fg: v('--fg'), muted: v('--muted'), grid: v('--grid'), phaseFill: v('--phase-fill'), phaseLine: v('--phase-line'),
      warmFill: v('--warm-fill'), warmPoint: v('--warm-point'), fit: v('--fit'), band: v('--band'), mark: v('--mark'), palette: palette
    };
  }

  // ---- charts -----------------------------------------------------------
  var charts = [];
  var built = null;

  function start(data) {
    built = data;
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
      var rebuild = function () { build(); };
      if (mq.addEventListener) mq.addEventListener('change', rebuild);
    }
  }

  function widthOf(el) { return Math.max(320, Math.floor(el.clientWidth || 900)); }

  function build() {
    charts.forEach(function (c) { c.u.destroy(); });
    charts = [];
    var data = built;
    var th = theme();
    var xMax = (data.tMax || 0) / 1000;
    var phases = (data.phases.starts || []).map(function (p) { return { name: p.name, t: p.t / 1000 }; });
    var warmUntil = data.warmup && data.warmup.until !== null ? data.warmup.until / 1000 : null;
    var marks = (data.marks || []).map(function (e) { return { t: e.t / 1000, type: e.type, message: e.message }; });
    var ctx = { th: th, xMax: xMax, phases: phases, warmUntil: warmUntil, marks: marks };
    var makers = { memory: memoryChart, continuous: continuousChart, handles: handlesChart, tcp: tcpChart, load: loadChart, latency: latencyChart, eventloop: eventLoopChart, gauges: gaugesChart, gc: gcChart, faults: faultsChart };
    var els = document.querySelectorAll('.chart[data-chart]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var make = makers[el.getAttribute('data-chart')];
      if (!make) continue;
      var plot = el.querySelector('.plot');
      plot.textContent = '';
      try {
        var spec = make(data, ctx);
        if (!spec) { plot.textContent = 'No data for this chart.'; continue; }
        var u = new uPlot(options(spec, ctx, widthOf(plot)), spec.data, plot);
        charts.push({ u: u, el: plot });
        dataTable(el, spec);
      } catch (err) {
        plot.textContent = 'This chart could not be drawn: ' + (err && err.message ? err.message : err);
      }
    }
  }

  function seconds(ms) { return ms.map(function (v) { return v === null ? null : v / 1000; }); }
  function toMiB(a) { return a.map(function (v) { return v === null || v === undefined ? null : v / MiB; }); }
  function hasAny(a) { return !!a && a.some(function (v) { return v !== null && v !== undefined; }); }
  function hasNonZero(a) { return !!a && a.some(function (v) { return v !== null && v !== undefined && v !== 0; }); }
  function keysWith(cols, prefix) { return Object.keys(cols).filter(function (k) { return k.indexOf(prefix) === 0 && hasAny(cols[k]); }).sort(); }
  function color(th, i) { return th.palette[i % th.palette.length] || th.fg; }

  function line(label, values, stroke, extra) {
    return Object.assign({ label: label, values: values, stroke: stroke, width: 1.5, spanGaps: false }, extra || {});
  }

  // The x scale: every chart starts on [0, end of run] so the time axes line
  // up; a zoom (drag, synced) or a reset (double-click, synced) still works.
  function xRange(xMax) {
    return function (u, min, max) {
      var xs = u.data[0];
      if (xs.length > 0 && min === xs[0] && max === xs[xs.length - 1]) return [0, Math.max(xMax, max)];
      return [min, max];
    };
  }

  function options(spec, ctx, width) {
    var th = ctx.th;
    var axis = function (extra) {
      return Object.assign({ stroke: th.muted, grid: { stroke: th.grid, width: 1 }, ticks: { stroke: th.grid, width: 1 } }, extra);
    };
    // Time ticks at round seconds, minutes and hours rather than uPlot's decimal steps (2000 s).
    var incrs = [0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 43200, 86400, 172800];
    var axes = [axis({ values: function (u, vals) { var clock = u.scales.x.max - u.scales.x.min > 600; return vals.map(function (v) { return fmtT(v, clock); }); }, incrs: incrs, label: 'time since start', labelSize: 20 })];
    spec.axes.forEach(function (a, i) {
      axes.push(axis({ scale: a.scale, label: a.label, labelSize: 20, side: i === 0 ? 3 : 1, size: 60, grid: i === 0 ? { stroke: th.grid, width: 1 } : { show: false }, values: a.values }));
    });
    // Every chart gets the same left and right margins, a blank right axis when
    // it has one scale: otherwise the plots differ in width and the time axes
    // of the charts no longer line up under each other.
    if (spec.axes.length === 1) {
      axes.push({ scale: spec.axes[0].scale, side: 1, size: 60, label: '', labelSize: 20, stroke: th.muted, grid: { show: false }, ticks: { show: false },
        values: function (u, splits) { return splits.map(function () { return ''; }); } });
    }
    var scales = { x: { time: false, range: xRange(ctx.xMax) } };
    spec.axes.forEach(function (a) { scales[a.scale] = { auto: true, range: a.range }; });
    var series = [{ label: 'time', value: function (u, v) { return fmtT(v); } }];
    spec.series.forEach(function (s) {
      var o = { label: s.label, stroke: s.stroke, width: s.width, scale: s.scale, value: s.value, spanGaps: s.spanGaps, dash: s.dash, fill: s.fill, show: s.show !== false };
      // Points filled with the page background, so they read as rings in both themes.
      o.points = Object.assign({ fill: th.bg }, s.points || {});
      if (s.noLine) o.paths = function () { return null; };
      series.push(o);
    });
    return {
      width: width,
      height: spec.height || 260,
      cursor: { sync: { key: 'run', setSeries: false }, drag: { x: true, y: false } },
      legend: { live: true },
      scales: scales,
      axes: axes,
      series: series,
      bands: spec.bands || [],
      hooks: { drawClear: [function (u) { drawPhases(u, ctx, spec.warmup); }], draw: [function (u) { drawPhaseLabels(u, ctx); drawMarks(u, ctx); }] }
    };
  }

  // Warnings, skipped checkpoints, the outcome and inferred restarts: a dashed
  // vertical line with a triangle on top, at the same time on every chart
  // (the events table below says what each one was).
  function drawMarks(u, ctx) {
    if (ctx.marks.length === 0) return;
    var c = u.ctx, b = u.bbox, d = devicePixelRatio;
    c.save();
    c.beginPath();
    c.rect(b.left, b.top - 8 * d, b.width, b.height + 8 * d);
    c.clip();
    c.strokeStyle = ctx.th.mark;
    c.fillStyle = ctx.th.mark;
    c.lineWidth = 1.5 * d;
    ctx.marks.forEach(function (m) {
      if (m.t < u.scales.x.min || m.t > u.scales.x.max) return;
      var x = Math.round(u.valToPos(m.t, 'x', true)) + 0.5;
      c.setLineDash(m.type === 'outcome' ? [2 * d, 2 * d] : [5 * d, 3 * d]);
      c.beginPath();
      c.moveTo(x, b.top);
      c.lineTo(x, b.top + b.height);
      c.stroke();
      c.setLineDash([]);
      c.beginPath();
      c.moveTo(x - 5 * d, b.top);
      c.lineTo(x + 5 * d, b.top);
      c.lineTo(x, b.top + 7 * d);
      c.closePath();
      c.fill();
    });
    c.restore();
  }

  // ---- the table behind each chart -------------------------------------
  // Every chart has its figures as a table (for screen readers, for reading
  // exact values, for copying) and as CSV. Built when opened: a table of an
  // 8-hour run at 1 Hz is 28 800 rows, so the page shows at most TABLE_ROWS
  // of them (evenly spaced, said so) and the CSV holds every row.
  var TABLE_ROWS = 400;
  function cellText(s, v) {
    if (v === null || v === undefined) return '—';
    return s.value ? s.value(null, v) : String(v);
  }
  function csvOf(spec) {
    var head = ['time_s'].concat(spec.series.map(function (s) { return s.label; }));
    var lines = [head.map(csvCell).join(',')];
    var xs = spec.data[0];
    for (var i = 0; i < xs.length; i++) {
      var row = [xs[i]];
      for (var k = 0; k < spec.series.length; k++) { var v = spec.data[k + 1][i]; row.push(v === null || v === undefined ? '' : v); }
      lines.push(row.map(csvCell).join(','));
    }
    return lines.join('\n') + '\n';
  }
  function csvCell(v) {
    var s = String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function dataTable(figure, spec) {
    var old = figure.querySelector('details.chart-data');
    if (old) old.parentNode.removeChild(old);
    var det = document.createElement('details');
    det.className = 'chart-data';
    var sum = document.createElement('summary');
    var title = (figure.querySelector('h3') || {}).textContent || 'chart';
    sum.textContent = 'Data behind this chart (' + spec.data[0].length + ' rows)';
    det.appendChild(sum);
    var a = document.createElement('a');
    a.textContent = 'download CSV';
    a.className = 'csv';
    a.download = (figure.getAttribute('data-chart') || 'chart') + '.csv';
    a.href = '#';
    // The CSV is made when asked for: most readers never click it.
    a.addEventListener('click', function () {
      if (a.getAttribute('data-ready') === '1') return;
      a.href = URL.createObjectURL(new Blob([csvOf(spec)], { type: 'text/csv' }));
      a.setAttribute('data-ready', '1');
    });
    det.appendChild(a);
    det.addEventListener('toggle', function () {
      if (!det.open || det.querySelector('table')) return;
      var xs = spec.data[0], n = xs.length, step = Math.max(1, Math.ceil(n / TABLE_ROWS));
      var t = document.createElement('table');
      t.className = 'compact';
      var cap = document.createElement('caption');
      cap.textContent = title + (step > 1 ? ': every ' + step + 'th of ' + n + ' rows (the CSV has them all)' : '');
      t.appendChild(cap);
      var thead = document.createElement('thead'), hr = document.createElement('tr');
      ['time'].concat(spec.series.map(function (s) { return s.label; })).forEach(function (h) {
        var th = document.createElement('th'); th.scope = 'col'; th.textContent = h; hr.appendChild(th);
      });
      thead.appendChild(hr);
      t.appendChild(thead);
      var tb = document.createElement('tbody');
      for (var i = 0; i < n; i += step) {
        var tr = document.createElement('tr');
        var th0 = document.createElement('th'); th0.scope = 'row'; th0.textContent = fmtT(xs[i]); tr.appendChild(th0);
        for (var k = 0; k < spec.series.length; k++) {
          var td = document.createElement('td'); td.className = 'num'; td.textContent = cellText(spec.series[k], spec.data[k + 1][i]); tr.appendChild(td);
        }
        tb.appendChild(tr);
      }
      t.appendChild(tb);
      var wrap = document.createElement('div');
      wrap.className = 'scroll';
      wrap.appendChild(t);
      det.appendChild(wrap);
    });
    figure.appendChild(det);
  }

  function drawPhases(u, ctx, warmup) {
    var c = u.ctx, b = u.bbox, th = ctx.th;
    c.save();
    c.beginPath();
    c.rect(b.left, b.top, b.width, b.height);
    c.clip();
    ctx.phases.forEach(function (p, i) {
      var next = ctx.phases[i + 1];
      var x0 = u.valToPos(p.t, 'x', true);
      var x1 = u.valToPos(next ? next.t : Math.max(ctx.xMax, u.scales.x.max), 'x', true);
      if (i % 2 === 1) { c.fillStyle = th.phaseFill; c.fillRect(x0, b.top, x1 - x0, b.height); }
      c.strokeStyle = th.phaseLine;
      c.lineWidth = 1;
      c.beginPath();
      c.moveTo(Math.round(x0) + 0.5, b.top);
      c.lineTo(Math.round(x0) + 0.5, b.top + b.height);
      c.stroke();
    });
    if (warmup && ctx.warmUntil !== null) {
      // Warm-up checkpoints, not judged: a hatched band from the start.
      var w0 = u.valToPos(0, 'x', true), w1 = u.valToPos(ctx.warmUntil, 'x', true);
      c.fillStyle = th.warmFill;
      c.fillRect(w0, b.top, w1 - w0, b.height);
      c.strokeStyle = th.warmPoint;
      c.lineWidth = 1;
      c.beginPath();
      for (var x = w0 - b.height; x < w1; x += 10 * devicePixelRatio) {
        c.moveTo(Math.max(x, w0), b.top + b.height - (Math.max(x, w0) - x));
        c.lineTo(Math.min(x + b.height, w1), b.top + b.height - (Math.min(x + b.height, w1) - x));
      }
      c.globalAlpha = 0.35;
      c.stroke();
      c.globalAlpha = 1;
    }
    c.restore();
  }

  function drawPhaseLabels(u, ctx) {
    var c = u.ctx, b = u.bbox;
    c.save();
    c.beginPath();
    c.rect(b.left, b.top, b.width, b.height);
    c.clip();
    c.fillStyle = ctx.th.muted;
    c.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif';
    c.textBaseline = 'top';
    c.textAlign = 'left'; // uPlot leaves the last axis' alignment on the context
    // A label that would run into the previous one is left out (its phase is still shaded).
    var freeFrom = -Infinity;
    ctx.phases.forEach(function (p) {
      var x = u.valToPos(p.t, 'x', true) + 3 * devicePixelRatio;
      if (x < freeFrom) return;
      c.fillText(p.name, x, b.top + 3 * devicePixelRatio);
      freeFrom = x + c.measureText(p.name).width + 6 * devicePixelRatio;
    });
    c.restore();
  }

  var mibAxis = function (label, scale) { return { label: label, scale: scale || 'mib', values: function (u, v) { return v.map(function (x) { return fmtNum(x, x !== 0 && Math.abs(x) < 10 ? 1 : 0); }); } }; };
  var countAxis = function (label, scale) { return { label: label, scale: scale || 'n', values: function (u, v) { return v.map(function (x) { return fmtNum(x, 0); }); }, range: function (u, min, max) { return [Math.min(0, min), Math.max(1, max * 1.05)]; } }; };

  // (1) post-GC memory at checkpoints, with the verdict's Theil–Sen line for heapUsed.
  function memoryChart(data, ctx) {
    var cp = data.checkpoints, th = ctx.th;
    if (cp.n === 0) return null;
    var xs = seconds(cp.t), c = cp.cols;
    var judged = c.judged || [];
    var series = [], axes = [mibAxis('heapUsed (MiB)', 'heap')];
    var heap = c.heapUsed && hasAny(c.heapUsed) ? toMiB(c.heapUsed) : null;
    var pts = { show: true, size: 5 };
    if (heap) {
      series.push(line('heapUsed post-GC', heap, color(th, 0), { scale: 'heap', value: fmt.mib, points: pts, width: 2 }));
      series.push(line('warm-up (not judged)', heap.map(function (v, i) { return judged[i] === 1 ? null : v; }), th.warmPoint,
        { scale: 'heap', value: fmt.mib, noLine: true, points: { show: true, size: 9, width: 2, stroke: th.warmPoint, fill: 'transparent' } }));
    }
    var bands = [];
    if (heap && c.fit && hasAny(c.fit)) {
      var f = data.fit;
      var label = 'Theil–Sen fit' + (f ? ' (' + fmtNum(f.slope, 1) + ' ' + f.unit + ')' : '');
      series.push(line(label, toMiB(c.fit), th.fit, { scale: 'heap', value: fmt.mib, dash: [6, 4], width: 2, spanGaps: true, points: { show: false } }));
      if (c.fitHi && c.fitLo && hasAny(c.fitHi) && hasAny(c.fitLo)) {
        series.push(line('95 % interval high', toMiB(c.fitHi), th.band, { scale: 'heap', value: fmt.mib, width: 0.5, spanGaps: true, points: { show: false } }));
        series.push(line('95 % interval low', toMiB(c.fitLo), th.band, { scale: 'heap', value: fmt.mib, width: 0.5, spanGaps: true, points: { show: false } }));
        // uPlot's series indices count x as 0: high is series.length - 1, low is series.length.
        bands.push({ series: [series.length - 1, series.length], fill: th.band });
      }
    }
    var other = false;
    // external and rss on the right axis, drawn lighter: the verdict's fit is for heapUsed.
    var thin = { show: true, size: 4 };
    if (c.external && hasAny(c.external)) { series.push(line('external post-GC (right)', toMiB(c.external), color(th, 1), { scale: 'other', value: fmt.mib, points: thin, width: 1.2 })); other = true; }
    if (c.rss && hasAny(c.rss)) { series.push(line(heap ? 'rss post-GC (right)' : 'rss post-GC', toMiB(c.rss), color(th, 2), { scale: heap ? 'other' : 'heap', value: fmt.mib, points: heap ? thin : pts, width: heap ? 1.2 : 2 })); other = other || !!heap; }
    if (!heap) axes[0] = mibAxis('rss (MiB)', 'heap');
    if (other) axes.push(mibAxis('external, rss (MiB)', 'other'));
    if (series.length === 0) return null;
    return { data: [xs].concat(series.map(function (s) { return s.values; })), series: series, axes: axes, bands: bands, warmup: true, height: 320 };
  }

  // (2) continuous memory from samples (not post-GC: garbage included).
  function continuousChart(data, ctx) {
    var s = data.samples, c = s.cols, th = ctx.th, series = [];
    [['rss', 'rss'], ['heapTotal', 'heapTotal'], ['heapUsed', 'heapUsed'], ['external', 'external']].forEach(function (p, i) {
      if (c[p[0]] && hasAny(c[p[0]])) series.push(line(p[1], toMiB(c[p[0]]), color(th, [2, 3, 0, 1][i]), { scale: 'mib', value: fmt.mib }));
    });
    if (series.length === 0) return null;
    return { data: [seconds(s.t)].concat(series.map(function (x) { return x.values; })), series: series, axes: [mibAxis('MiB')] };
  }

  function countsChart(data, ctx, prefix, extra, axisLabel) {
    var s = data.samples, c = s.cols, th = ctx.th, series = [];
    keysWith(c, prefix).forEach(function (k, i) { series.push(line(k.slice(prefix.length), c[k], color(th, i), { scale: 'n', value: fmt.count })); });
    (extra || []).forEach(function (e) { if (c[e[0]] && hasAny(c[e[0]])) series.push(line(e[1], c[e[0]], th.fg, { scale: 'n', value: fmt.count, dash: [4, 3] })); });
    if (series.length === 0) return null;
    return { data: [seconds(s.t)].concat(series.map(function (x) { return x.values; })), series: series, axes: [countAxis(axisLabel)] };
  }

  // (3) handles by type (probe: getActiveResourcesInfo, before GC) and fds (/proc).
  function handlesChart(data, ctx) { return countsChart(data, ctx, 'res:', [['fds', 'fds (/proc)']], 'handles, fds'); }
  // (4) TCP sockets of the target by state (/proc).
  function tcpChart(data, ctx) { return countsChart(data, ctx, 'tcp:', [], 'sockets'); }

  // (5) throughput and errors per sample window.
  function loadChart(data, ctx) {
    var c = data.samples.cols, th = ctx.th, series = [];
    if (c.reqPerSec && hasAny(c.reqPerSec)) series.push(line('req/s', c.reqPerSec, color(th, 0), { scale: 'rate', value: fmt.rate, width: 2 }));
    [['errors', 'errors'], ['timeouts', 'timeouts'], ['s5xx', '5xx'], ['s4xx', '4xx'], ['mismatches', 'body mismatches']].forEach(function (p, i) {
      if (c[p[0]] && hasNonZero(c[p[0]])) series.push(line(p[1] + ' (per window)', c[p[0]], color(th, 3 + i), { scale: 'n', value: fmt.count }));
    });
    if (series.length === 0) return null;
    var axes = [countAxis('req/s', 'rate')];
    if (series.some(function (s) { return s.scale === 'n'; })) axes.push(countAxis('per sample window', 'n'));
    return { data: [seconds(data.samples.t)].concat(series.map(function (x) { return x.values; })), series: series, axes: axes };
  }

  // (6) client-side latency of the load generator.
  function latencyChart(data, ctx) {
    var c = data.samples.cols, th = ctx.th, series = [];
    [['p50', 'p50'], ['p99', 'p99'], ['latMax', 'max']].forEach(function (p, i) {
      if (c[p[0]] && hasAny(c[p[0]])) series.push(line('latency ' + p[1], c[p[0]], color(th, i), { scale: 'ms', value: fmt.ms, dash: p[0] === 'latMax' ? [3, 3] : undefined, show: p[0] !== 'latMax' }));
    });
    if (series.length === 0) return null;
    return { data: [seconds(data.samples.t)].concat(series.map(function (x) { return x.values; })), series: series, axes: [countAxis('ms', 'ms')] };
  }

  // (6b) event-loop delay inside the target (probe).
  function eventLoopChart(data, ctx) {
    var c = data.samples.cols, th = ctx.th, series = [];
    if (c.elP99 && hasAny(c.elP99)) series.push(line('event-loop delay p99', c.elP99, color(th, 4), { scale: 'ms', value: fmt.ms }));
    if (c.elMax && hasAny(c.elMax)) series.push(line('event-loop delay max', c.elMax, color(th, 5), { scale: 'ms', value: fmt.ms, dash: [3, 3], show: false }));
    if (series.length === 0) return null;
    return { data: [seconds(data.samples.t)].concat(series.map(function (x) { return x.values; })), series: series, axes: [countAxis('ms', 'ms')] };
  }

  // (6c) the target's own gauges from /metrics: drained checkpoints when they
  // carry them, else the samples. The builder kept the ones that moved; here
  // they are ranked by how far they moved and the first few shown.
  var GAUGES_SHOWN = 8;
  function gaugeName(key) {
    var s = key.slice(2), b = s.indexOf('{');
    var name = b < 0 ? s : s.slice(0, b);
    var vals = b < 0 ? [] : s.slice(b + 1, -1).split(/,(?=[A-Za-z_][A-Za-z0-9_]*=)/).map(function (kv) { var i = kv.indexOf('='); return kv.slice(i + 1).replace(/^"|"$/g, ''); });
    // relay_structure_entries{structure="inflight_requests"} reads as "inflight_requests".
    if (/_structure_entries$/.test(name) && vals.length === 1) return vals[0];
    return vals.length > 0 ? name + ' ' + vals.join(', ') : name;
  }
  function gaugesChart(data, ctx) {
    var cp = data.checkpoints, src = keysWith(cp.cols, 'm:').length > 0 ? cp : data.samples, th = ctx.th;
    var keys = keysWith(src.cols, 'm:');
    if (keys.length === 0) return null;
    var moved = function (a) {
      var first = null, min = Infinity, max = -Infinity;
      a.forEach(function (v) { if (v === null || v === undefined) return; if (first === null) first = v; if (v < min) min = v; if (v > max) max = v; });
      return max > min ? (max - min) / Math.max(1, Math.abs(first)) : 0;
    };
    keys.sort(function (a, b) { return moved(src.cols[b]) - moved(src.cols[a]) || (a < b ? -1 : 1); });
    var series = keys.map(function (k, i) {
      return line(gaugeName(k), src.cols[k], color(th, i), { scale: 'n', value: fmt.count, show: i < GAUGES_SHOWN, points: { show: src === cp, size: 5 } });
    });
    return { data: [seconds(src.t)].concat(series.map(function (x) { return x.values; })), series: series, axes: [countAxis(src === cp ? 'entries (drained)' : 'entries')], height: 300 };
  }

  // (6d) GC share of wall time and allocation per request, from the probe's
  // cumulative counters. A window that holds a checkpoint is left out: its
  // forced GCs are the harness's, not the target's. Allocation per request is
  // taken over ALLOC_SPAN windows: the probe's allocated-bytes figure is an
  // estimate that dips between GCs, and a drain window with a handful of
  // requests would divide a second of background allocation by almost nothing.
  // A counter going back (a restart) gives no value there.
  var ALLOC_SPAN = 5;
  function gcChart(data, ctx) {
    var s = data.samples, c = s.cols, th = ctx.th, ts = s.t, n = ts.length;
    var gc = c.gcMs, al = c.allocated, rq = c.requestsCompleted;
    var cpT = data.checkpoints.t.filter(function (v) { return v !== null; });
    function holdsCheckpoint(a, b) { return cpT.some(function (v) { return v > a && v <= b + 1000; }); }
    var share = [], perReq = [], drs = [];
    for (var i = 1; i < n; i++) if (rq && rq[i] !== null && rq[i - 1] !== null) drs.push(rq[i] - rq[i - 1]);
    drs.sort(function (a, b) { return a - b; });
    var typical = drs.length > 0 ? drs[Math.floor(drs.length / 2)] : 0;
    for (i = 0; i < n; i++) {
      var ok = i > 0 && ts[i] !== null && ts[i - 1] !== null && !holdsCheckpoint(ts[i - 1], ts[i]);
      var dt = ok ? ts[i] - ts[i - 1] : 0;
      var dg = ok && gc && gc[i] !== null && gc[i - 1] !== null ? gc[i] - gc[i - 1] : null;
      share.push(dt > 0 && dg !== null && dg >= 0 ? Math.min(100, (100 * dg) / dt) : null);
      var j = i - ALLOC_SPAN;
      var spanOk = j >= 0 && al && rq && al[i] !== null && al[j] !== null && rq[i] !== null && rq[j] !== null;
      var da = spanOk ? al[i] - al[j] : null, dr = spanOk ? rq[i] - rq[j] : null;
      perReq.push(da !== null && da >= 0 && dr !== null && dr > 0 && dr >= (ALLOC_SPAN * typical) / 4 ? da / dr : null);
    }
    var series = [];
    if (hasAny(share)) series.push(line('GC time (% of wall time)', share, color(th, 5), { scale: 'pct', value: function (u, v) { return v === null || v === undefined ? '—' : fmtNum(v, 2) + ' %'; } }));
    if (hasAny(perReq)) series.push(line('allocated per request (right)', perReq, color(th, 2), { scale: 'bytes', value: function (u, v) { return v === null || v === undefined ? '—' : fmtBytes(v); } }));
    if (series.length === 0) return null;
    var axes = [];
    if (hasAny(share)) axes.push({ label: 'GC, % of wall time', scale: 'pct', values: function (u, v) { return v.map(function (x) { return fmtNum(x, 1); }); }, range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } });
    if (hasAny(perReq)) axes.push({ label: 'allocated per request', scale: 'bytes', values: function (u, v) { return v.map(fmtBytes); }, range: function (u, min, max) { return [0, Math.max(1, max * 1.05)]; } });
    return { data: [seconds(ts)].concat(series.map(function (x) { return x.values; })), series: series, axes: axes };
  }
  function fmtBytes(v) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var a = Math.abs(v);
    if (a >= MiB) return fmtNum(v / MiB, 1) + ' MiB';
    if (a >= 1024) return fmtNum(v / 1024, a >= 10240 ? 0 : 1) + ' KiB';
    return fmtNum(v, 0) + ' B';
  }

  // (7) injected faults, cumulative by kind (the upstream's counters).
  function faultsChart(data, ctx) { return countsChart(data, ctx, 'fault:', [], 'faults injected (cumulative)'); }
})();
`;
