// Allocation sites in the report (harness/verdict/sites.ts): the sites whose
// live bytes grow, with their slope, interval and share of the heap's slope,
// and what the heap held by site at the last checkpoint. From the verdict in
// the run folder, like every other part of the page.

import type { RunVerdict } from '../harness/verdict/index.ts';
import { esc, num } from './html.ts';

function bytes(b: number): string {
  const a = Math.abs(b);
  if (a >= 2 ** 20) return `${num(b / 2 ** 20, 1)} MiB`;
  if (a >= 1024) return `${num(b / 1024, 1)} KiB`;
  return `${num(b, 0)} B`;
}

/** The section's HTML, or '' when the run read no allocation sites. */
export function sitesSection(v: RunVerdict): string {
  const s = v.sites;
  if (!s) return '';
  const every = `${num(s.intervalBytes / 1024, 0)} KiB`;
  const heapLeaks = v.memory.find((m) => m.signal === 'heapUsed')?.status === 'LEAK';
  // `allocs ?? []`: a summary.json written by an earlier build of this section.
  const allocated = (f: string, allocs: readonly string[] | undefined) => {
    const others = (allocs ?? []).filter((a) => a !== f);
    return `<span class="mono">${esc(f)}</span>${others.length === 0 ? '' : `<span class="more muted small">allocating: ${esc(others.slice(0, 3).join(', '))}${others.length > 3 ? ', …' : ''}</span>`}`;
  };
  const frame = (f: string, alloc: string) => `<span class="mono">${esc(f)}</span>${alloc === f ? '' : `<span class="more muted small">allocated in ${esc(alloc)}</span>`}`;
  const parts: string[] = [];
  if (s.growing.length > 0) {
    const rows = s.growing
      .map(
        (g, i) =>
          `<tr><td class="num">${i + 1}</td><th scope="row">${allocated(g.frame, g.allocs)}</th><td class="num">+${num(g.slope)} B/request<span class="more muted small">[${num(g.lower)}, ${num(g.upper)}]</span></td><td class="num">${g.shareOfHeapSlope === null ? '—' : `${num(100 * g.shareOfHeapSlope, 0)} %`}</td><td class="num">${bytes(g.firstBytes)} → ${bytes(g.lastBytes)}</td></tr>`,
      )
      .join('\n');
    parts.push(`<h3>Allocation sites growing</h3>
<div class="scroll"><table id="sites-table">
<caption>Live bytes by allocation site after each checkpoint's GC (V8's sampling heap profiler in the probe, one sample per ${every}), regressed on the requests like the heap: the sites above ${num(s.floor)} B/request with an interval above 0, over ${s.n} checkpoints. Where the kept objects were allocated, not who holds them.</caption>
<thead><tr><th scope="col" class="num">#</th><th scope="col">site <span class="muted small">(innermost own frame)</span></th><th scope="col" class="num">slope [95 % CI]</th><th scope="col" class="num">of the heap slope</th><th scope="col" class="num">first → last</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`);
  } else if (heapLeaks) {
    parts.push(`<p id="sites-none">No allocation site grows above ${num(s.floor)} B/request at one sample per ${every}: the kept bytes are off the JS heap, or too few for this resolution over the judged window.</p>`);
  }
  const top = s.top.map((t) => `<tr><th scope="row">${frame(t.frame, t.alloc)}</th><td class="num">${bytes(t.bytes)}</td></tr>`).join('\n');
  parts.push(`<details id="sites-top"><summary>What the heap held by site at the last checkpoint (${bytes(s.totalBytes)} sampled)</summary>
<div class="scroll"><table><thead><tr><th scope="col">site</th><th scope="col" class="num">live</th></tr></thead><tbody>
${top}
</tbody></table></div></details>`);
  return parts.join('\n');
}
