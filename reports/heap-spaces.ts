// heapUsed by V8 heap space in the report (harness/verdict/heap-spaces.ts):
// each space's slope, interval and share of the heap's slope, with what the
// space holds, so a reader tells kept objects (old_space) from a process
// warming up its code (code_space, trusted_space). From the verdict in the
// run folder, like the rest of the page.

import type { RunVerdict } from '../harness/verdict/index.ts';
import { SPACE_MEANING } from '../harness/verdict/heap-spaces.ts';
import { esc, num } from './html.ts';

function mib(b: number): string {
  return `${num(b / 2 ** 20, 2)} MiB`;
}

/** The section's HTML, or '' when the run has no split (older runs, no probe). Open when the heap's rise is real. */
export function heapSpacesSection(v: RunVerdict): string {
  const h = v.heapSpaces;
  const heap = v.memory.find((m) => m.signal === 'heapUsed');
  if (!h || !heap) return '';
  const rose = heap.lower !== null && heap.lower > 0;
  const rows = h.spaces
    .filter((s) => s.firstBytes > 0 || s.lastBytes > 0)
    .map(
      (s) =>
        `<tr><th scope="row" class="mono">${esc(s.space)}</th><td class="muted">${esc(SPACE_MEANING[s.space] ?? '')}</td><td class="num">${s.slope > 0 ? '+' : ''}${num(s.slope)} ${esc(heap.unit)}<span class="more muted small">[${num(s.lower)}, ${num(s.upper)}]</span></td><td class="num">${s.shareOfHeapSlope === null ? '—' : `${num(100 * s.shareOfHeapSlope, 0)} %`}</td><td class="num">${mib(s.firstBytes)} → ${mib(s.lastBytes)}</td></tr>`,
    )
    .join('\n');
  return `<details id="heap-spaces"${rose ? ' open' : ''}><summary>heapUsed by V8 heap space (${h.n} checkpoints${rose ? '; the heap rose: where' : ''})</summary>
<div class="scroll"><table id="heap-spaces-table">
<caption>Used bytes of each V8 heap space after each checkpoint's GC, regressed on the heap verdict's own points and axis. Objects a leak keeps are in old_space (large ones in large_object_space); code_space and trusted_space grow as a healthy process compiles more code. Attribution only: it never changes the verdict.</caption>
<thead><tr><th scope="col">space</th><th scope="col">holds</th><th scope="col" class="num">slope [95 % CI]</th><th scope="col" class="num">of the heap slope</th><th scope="col" class="num">first → last judged</th></tr></thead>
<tbody>
${rows}
</tbody></table></div></details>`;
}
