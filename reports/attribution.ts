// The attribution tail in the reports (harness/attribute/record.ts): on a run
// page, what the snapshot diff, the timers, the handles and the allocation
// profile found after the judged run; on a proof page, the leaky run's
// culprit rows next to the fixed run's. Read from attribution.json in the run
// folder, like every other part of the page. Never a verdict: the section
// says so.

import type { AttributionRecord } from '../harness/attribute/record.ts';
import type { RetainedRow } from '../harness/attribute/types.ts';
import { growingRows, perRequestText } from '../harness/attribute/format.ts';
import type { ProofAttributionRow } from '../harness/attribute/proof-rows.ts';
import { esc, num } from './html.ts';

function bytes(b: number): string {
  const a = Math.abs(b);
  if (a >= 2 ** 20) return `${num(b / 2 ** 20, 1)} MiB`;
  if (a >= 1024) return `${num(b / 1024, 1)} KiB`;
  return `${num(b, 0)} B`;
}

const perK = (n: number | null): string => (n === null ? '—' : num(n, n >= 10 ? 0 : 1));

function retainedRows(rows: readonly RetainedRow[]): string {
  return rows
    .map(
      (r) =>
        `<tr><th scope="row"><span class="mono">${esc(r.name)}</span>${r.location ? `<span class="more muted small">${esc(r.location)}</span>` : ''}${r.steady ? '' : '<span class="more muted small">not in every window</span>'}</th><td class="num">+${num(r.countDelta, 0)}</td><td class="num">${perK(r.countPerThousandRequests)}</td><td class="num">${bytes(r.selfBytesDelta)}</td><td class="num">${esc(perRequestText(r.bytesPerRequest) || '—')}</td><td class="mono small">${r.retainerPath ? esc(r.retainerPath.text) : '—'}</td></tr>`,
    )
    .join('\n');
}

/** The run page's section; '' when no tail ran. */
export function attributionSection(a: AttributionRecord | null): string {
  if (a === null) return '';
  if (a.status === 'unavailable') {
    return `<section id="attribution"><h2>What leaks, and where</h2><p id="attribution-unavailable">${esc(a.reason ?? 'No attribution.')}</p></section>`;
  }
  const w = a.window;
  const intro = `<p class="muted">After the judged run (never inside it, never judged): ${a.snapshots.length} heap snapshots of the drained target around ${w ? `${w.windows} load windows of the same scenario, ${num(w.requests, 0)} requests in all` : 'load windows'}; diffed out of process once the target had stopped. Snapshots ${a.snapshots.some((s) => s.kept) ? 'kept in attribution/ (they hold the target\'s memory, keys included: do not upload them)' : 'removed once diffed (--keep-snapshots keeps them for DevTools)'}.</p>`;
  const parts: string[] = [intro];
  const r = a.retained;
  if (r) {
    const named = growingRows(r.named);
    const head = '<thead><tr><th scope="col">class or shape</th><th scope="col" class="num">Δ objects</th><th scope="col" class="num">per 1k requests</th><th scope="col" class="num">Δ self bytes</th><th scope="col" class="num">per request</th><th scope="col">retainer path (one shortest, from a GC root)</th></tr></thead>';
    parts.push(
      named.length === 0
        ? `<p id="attribution-none">No named class grew between the snapshots (heap ${bytes(r.totalSelfBytesDelta)} over the windows).</p>`
        : `<h3>Retained: named classes</h3><div class="scroll"><table id="attribution-retained"><caption>Objects added between the first and the last snapshot, by constructor or object shape (V8 internals apart, below).</caption>${head}<tbody>
${retainedRows(named)}
</tbody></table></div>`,
    );
    const internal = growingRows(r.internal);
    if (internal.length > 0) {
      parts.push(`<details id="attribution-internal"><summary>V8 internals that grew (strings, arrays, code: what the classes above hold)</summary><div class="scroll"><table>${head}<tbody>
${retainedRows(internal)}
</tbody></table></div></details>`);
    }
    const timers = r.timers.filter((t) => t.countDelta > 0);
    if (timers.length > 0) {
      parts.push(`<h3>Timers added</h3><div class="scroll"><table id="attribution-timers"><thead><tr><th scope="col">callback</th><th scope="col" class="num">Δ timers</th><th scope="col" class="num">per 1k requests</th></tr></thead><tbody>
${timers.map((t) => `<tr><th scope="row" class="mono">${esc(t.callback)}${t.location ? ` <span class="muted">(${esc(t.location)})</span>` : ''}</th><td class="num">+${num(t.countDelta, 0)}</td><td class="num">${perK(t.countPerThousandRequests)}</td></tr>`).join('\n')}
</tbody></table></div>`);
    }
  }
  const handles = a.handles?.growing ?? [];
  const sockets = a.sockets?.growing ?? [];
  if (handles.length > 0 || sockets.length > 0) {
    const h = handles.map((g) => `<tr><th scope="row" class="mono">${esc(`${g.type}${g.endpoint ? ` ${g.endpoint}` : ''}`)}${g.referenced ? '' : ' <span class="muted">(unref\'d)</span>'}</th><td>libuv (process.report)</td><td class="num">+${num(g.delta, 0)}</td><td class="num">${perK(g.perThousandRequests)}</td><td>—</td></tr>`);
    const s = sockets.map((p) => `<tr><th scope="row" class="mono">${esc(p.peer)}</th><td>TCP (/proc)</td><td class="num">+${num(p.delta, 0)}</td><td class="num">${perK(p.perThousandRequests)}</td><td class="small">${esc(Object.entries(p.states).map(([k, n]) => `${n} ${k}`).join(', '))}${p.unreadBytes > 0 ? `; ${esc(bytes(p.unreadBytes))} unread` : ''}</td></tr>`);
    parts.push(`<h3>Handles added</h3><div class="scroll"><table id="attribution-handles"><thead><tr><th scope="col">handle group or peer</th><th scope="col">source</th><th scope="col" class="num">Δ</th><th scope="col" class="num">per 1k requests</th><th scope="col">states</th></tr></thead><tbody>
${[...h, ...s].join('\n')}
</tbody></table></div>`);
  }
  const al = a.allocations;
  if (al && al.top.length > 0) {
    parts.push(`<h3>Allocated per request, by site</h3><div class="scroll"><table id="attribution-allocated"><caption>V8's sampling heap profiler with collected objects kept (one sample per ${num(al.intervalBytes / 1024, 0)} KiB): where the windows allocated, retained or not (pprof's cumulative view). All sites: ${esc(perRequestText(al.bytesPerRequest) || '—')}.</caption><thead><tr><th scope="col">site <span class="muted small">(innermost own frame)</span></th><th scope="col" class="num">per request</th><th scope="col" class="num">share</th></tr></thead><tbody>
${al.top.map((t) => `<tr><th scope="row"><span class="mono">${esc(t.frame)}</span>${t.alloc !== t.frame ? `<span class="more muted small">via ${esc(t.alloc)}</span>` : ''}</th><td class="num">${esc(perRequestText(t.bytesPerRequest) || '—')}</td><td class="num">${num(100 * t.share, 0)} %</td></tr>`).join('\n')}
</tbody></table></div>`);
  }
  if (a.errors.length > 0) parts.push(`<ul class="findings" id="attribution-errors">${a.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`);
  return `<section id="attribution"><h2>What leaks, and where</h2>\n${parts.join('\n')}\n</section>`;
}

/** The proof page's section: each part's culprit, leaky next to fixed; '' when neither run was attributed. */
export function proofAttributionSection(rows: readonly ProofAttributionRow[]): string {
  if (rows.length === 0) return '';
  return `<section id="attribution"><h2>What leaks, and where: leaky → fixed</h2>
<p class="muted">From each run's attribution tail (after its judged window, never judged): the leaky run's top row per part, and the same row in the fixed run.</p>
<div class="scroll"><table id="proof-attribution"><thead><tr><th scope="col">part</th><th scope="col">culprit</th><th scope="col">leaky</th><th scope="col">fixed</th><th scope="col">held by / at</th></tr></thead><tbody>
${rows.map((r) => `<tr><td>${esc(r.part)}</td><th scope="row" class="mono">${esc(r.name)}</th><td>${esc(r.leaky)}</td><td>${esc(r.fixed)}</td><td class="mono small">${r.where ? esc(r.where) : '—'}</td></tr>`).join('\n')}
</tbody></table></div>
</section>`;
}
