// The target's own vitals in the report (harness/verdict/vitals.ts): one row
// per judged series, named as the target names it (go_goroutines,
// python_asyncio_tasks, pprof:goroutines, a --judge-metric series), and a Go
// target's in-use heap by allocation site at the last checkpoint that read
// net/http/pprof, with the top site's slope. Built from the verdict and the
// checkpoints the run folder holds, like every other part of the page.

import type { Checkpoint } from '../harness/records.ts';
import type { RunVerdict } from '../harness/verdict/index.ts';
import { esc, num, statusClass } from './html.ts';

const badge = (status: string): string => `<span class="badge ${statusClass(status)}">${esc(status)}</span>`;

function bytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return '—';
  const a = Math.abs(b);
  if (a >= 2 ** 20) return `${num(b / 2 ** 20, 2)} MiB`;
  if (a >= 1024) return `${num(b / 1024, 1)} KiB`;
  return `${num(b, 0)} B`;
}

function growth(s: NonNullable<RunVerdict['vitals']>['signals'][number]): string {
  if (s.kind === 'level') return s.delta === null ? '—' : `Δ ${s.delta > 0 ? '+' : ''}${num(s.delta, 0)}`;
  if (s.slope === null) return '—';
  // The interval on its own line: the table then fits 1 280 px with the reason in view.
  const ci = s.lower === null ? '' : `<span class="more muted small">[${num(s.lower)}, ${num(s.upper)}]</span>`;
  return `${s.slope > 0 ? '+' : ''}${num(s.slope)} ${esc(s.unit)}${ci}`;
}

/** First → last judged value; byte series in KiB/MiB, so the table fits a laptop screen without scrolling. */
function firstLast(s: NonNullable<RunVerdict['vitals']>['signals'][number]): string {
  if (s.first === null) return '—';
  const isBytes = s.unit.startsWith('B/');
  return isBytes ? `${bytes(s.first)} → ${bytes(s.last)}` : `${num(s.first, 0)} → ${num(s.last, 0)}`;
}

/** The section's HTML, or '' when the run has no vitals. */
/**
 * `rawProfiles`: the run folder's raw pprof files as links relative to the
 * page (pprof/heap-<seq>.pb.gz, pprof/goroutine-<seq>.txt), oldest first.
 */
export function vitalsSection(v: RunVerdict, checkpoints: readonly Checkpoint[], rawProfiles: readonly string[] = []): string {
  const vitals = v.vitals;
  const lastHeap = [...checkpoints].reverse().find((c) => c.pprof?.heap)?.pprof?.heap ?? null;
  if (!vitals && lastHeap === null) return '';
  const parts: string[] = [];
  if (vitals && vitals.signals.length > 0) {
    const rows = vitals.signals
      .map(
        (s) =>
          `<tr><th scope="row"><span class="mono">${esc(s.key)}</span><span class="more muted small">${esc(s.kind)} · ${s.source === 'pprof' ? 'net/http/pprof' : '/metrics'}${s.chosen ? ' · --judge-metric' : ''}</span></th><td>${badge(s.status)}</td><td class="num">${growth(s)}</td><td class="num">${s.floor === null ? '—' : num(s.floor, s.floor < 10 ? 1 : 0)}</td><td class="num">${firstLast(s)}</td><td class="num">${s.n}</td><td class="reason">${esc(s.reason)}</td></tr>`,
      )
      .join('\n');
    parts.push(`<h3>Target vitals: ${badge(vitals.status)}</h3>
<div class="scroll"><table id="vitals-table">
<caption>The target's own series at the drained checkpoints: slope on the requests axis (counts per 1 000 requests, bytes per request; the memory rule) or level (Δ against the first judged checkpoint; the handle rule).</caption>
<thead><tr><th scope="col">series <span class="muted small">(rule · source)</span></th><th scope="col">status</th><th scope="col" class="num">growth [95 % CI]</th><th scope="col" class="num">δ / allowance</th><th scope="col" class="num">first → last</th><th scope="col" class="num">n</th><th scope="col">deciding reason</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`);
  }
  if (lastHeap !== null) {
    const top = vitals?.heapTop ?? null;
    const rows = lastHeap.sites
      .map((s, i) => `<tr><td class="num">${i + 1}</td><th scope="row" class="mono">${esc(s.site)}</th><td class="num">${bytes(s.inuseBytes)}</td><td class="num">${num(s.inuseObjects, 0)}</td><td class="mono small">${esc(s.callers.slice(0, 2).join(' ← '))}</td></tr>`)
      .join('\n');
    const slope = top && top.slope !== null ? `; top site ${esc(top.site)}: ${top.slope > 0 ? '+' : ''}${bytes(top.slope)} per 1 000 requests [${bytes(top.lower)}, ${bytes(top.upper)}] over ${top.n} checkpoints (shown, not judged: the heap profile is sampled)` : '';
    parts.push(`<h3>Go heap in use by site (net/http/pprof, after a GC)</h3>
<div class="scroll"><table id="pprof-heap-table">
<caption>The last checkpoint's heap profile: ${bytes(lastHeap.inuseBytes)} in use over ${lastHeap.siteCount} sites${slope}.</caption>
<thead><tr><th scope="col" class="num">#</th><th scope="col">allocation site</th><th scope="col" class="num">in use</th><th scope="col" class="num">objects</th><th scope="col">called from</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`);
  }
  if (rawProfiles.length > 0) {
    const judged = [...checkpoints].sort((a, b) => a.seq - b.seq)[v.warmup.dropped];
    parts.push(rawProfilesLine(rawProfiles, judged?.seq ?? null));
  }
  return parts.join('\n');
}

/**
 * Links to the raw profiles, and the `go tool pprof` line that diffs the heap
 * at the first judged checkpoint (or the last kept before it: warm-up growth is
 * not the leak) against the last one.
 */
function rawProfilesLine(files: readonly string[], firstJudgedSeq: number | null): string {
  const seqOf = (f: string): number => Number(/-(\d+)\.(?:pb\.gz|txt)$/.exec(f)?.[1] ?? Number.NaN);
  const sorted = [...files].sort((a, b) => seqOf(a) - seqOf(b) || a.localeCompare(b));
  const heaps = sorted.filter((f) => f.endsWith('.pb.gz'));
  const links = sorted.map((f) => `<a class="mono small" href="${esc(f)}">${esc(f.slice(f.lastIndexOf('/') + 1))}</a>`).join(' ');
  const before = firstJudgedSeq === null ? [] : heaps.filter((f) => seqOf(f) <= firstJudgedSeq);
  const base = before[before.length - 1] ?? heaps[0];
  const last = heaps[heaps.length - 1];
  const diff = base !== undefined && last !== undefined && base !== last ? `<br>What the judged window kept on the Go heap, by site: <code>go tool pprof -top -base ${esc(base)} ${esc(last)}</code>` : '';
  return `<p class="small" id="pprof-raw">Raw net/http/pprof answers as the target wrote them (the first and the latest checkpoints'): ${links}${diff}</p>`;
}
