// attribution.json as the lines under a verdict (CLI, proofs) and as the
// compact summary summary.json carries. Pure: record in, text out.

import type { AttributionRecord } from './record.ts';
import type { RetainedRow } from './types.ts';

/** Rows per part in the CLI: the on-call engineer's first screen, not the whole table (the report has it). */
const CLI_ROWS = 3;
/** Handle and socket groups shown in the CLI from this many added. */
export const MIN_HANDLE_DELTA = 3;

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const signed = (n: number): string => `${n >= 0 ? '+' : '−'}${int(Math.abs(n))}`;

export function bytesText(n: number): string {
  const a = Math.abs(n);
  const sign = n < 0 ? '−' : '';
  if (a >= 1024 * 1024) return `${sign}${(a / 1048576).toFixed(1)} MiB`;
  if (a >= 1024) return `${sign}${(a / 1024).toFixed(1)} KiB`;
  return `${sign}${Math.round(a)} B`;
}

export function perRequestText(bytesPerRequest: number | null): string {
  if (bytesPerRequest === null) return '';
  const a = Math.abs(bytesPerRequest);
  return a >= 10_240 ? `${bytesText(bytesPerRequest)}/request` : `${bytesPerRequest.toFixed(a >= 100 ? 0 : 1)} B/request`;
}

const perThousandText = (n: number | null): string => (n === null ? '' : ` (${n >= 10 ? Math.round(n) : n.toFixed(1)}/1k requests)`);

/** The rows worth a line: something was added (a class that only shrank is not what leaks). */
export function growingRows(rows: readonly RetainedRow[]): RetainedRow[] {
  return rows.filter((r) => r.countDelta > 0 && r.selfBytesDelta > 0);
}

export function retainedRowText(r: RetainedRow): string {
  const steady = r.steady ? '' : ' (not in every window)';
  const where = r.location ? ` at ${r.location}` : '';
  const path = r.retainerPath ? `  ← ${r.retainerPath.text}` : '';
  const retained = r.retainedBytesPerRequest !== null && r.retainedBytesPerRequest !== undefined ? `, retaining ${perRequestText(r.retainedBytesPerRequest)}` : '';
  return `${r.name}${where}: ${signed(r.countDelta)} objects${perThousandText(r.countPerThousandRequests)}, ${perRequestText(r.bytesPerRequest)} self${retained}${steady}${path}`;
}

/** The lines printed under the verdict. Empty when there is nothing to say. */
export function attributionLines(record: AttributionRecord): string[] {
  if (record.status === 'unavailable') return [`attribution: ${record.reason ?? 'not available'}`];
  const w = record.window;
  const lines = [
    `attribution (after the judged run, never judged: ${record.snapshots.length} heap snapshots${w ? `, ${int(w.requests)} requests in ${w.windows} windows of ${Math.round(w.ms / w.windows / 1000)} s` : ''}):`,
  ];
  const retained = record.retained;
  if (retained) {
    const rows = growingRows(retained.named).slice(0, CLI_ROWS);
    if (rows.length === 0) lines.push(`  retained: no named class grew (heap ${bytesText(retained.totalSelfBytesDelta)}${retained.bytesPerRequest !== null ? `, ${perRequestText(retained.bytesPerRequest)}` : ''})`);
    if (rows.length > 0 && retained.bytesPerRequest !== null) lines.push(`  heap between the first and the last snapshot: ${perRequestText(retained.bytesPerRequest)} (self bytes of every object)`);
    for (const [i, r] of rows.entries()) lines.push(`  ${i === 0 ? 'retained ' : '         '} ${retainedRowText(r)}`);
    for (const [i, t] of retained.timers.filter((t) => t.countDelta > 0).slice(0, CLI_ROWS).entries()) {
      lines.push(`  ${i === 0 ? 'timers   ' : '         '} ${t.callback}${t.location ? ` (${t.location})` : ''}: ${signed(t.countDelta)} timers${perThousandText(t.countPerThousandRequests)}`);
    }
  }
  // One handle more over the windows is a timer or socket of the moment, not a trend: the JSON keeps it.
  for (const [i, h] of (record.handles?.growing ?? []).filter((g) => g.delta >= MIN_HANDLE_DELTA).slice(0, CLI_ROWS).entries()) {
    lines.push(`  ${i === 0 ? 'handles  ' : '         '} ${h.type}${h.endpoint ? ` ${h.endpoint}` : ''}${h.referenced ? '' : ' (unref\'d)'}: ${signed(h.delta)}${perThousandText(h.perThousandRequests)}`);
  }
  for (const [i, p] of (record.sockets?.growing ?? []).filter((g) => g.delta >= MIN_HANDLE_DELTA).slice(0, CLI_ROWS).entries()) {
    const states = Object.entries(p.states).map(([s, n]) => `${n} ${s}`).join(', ');
    lines.push(`  ${i === 0 ? 'sockets  ' : '         '} ${p.peer}: ${signed(p.delta)}${perThousandText(p.perThousandRequests)} (${states}${p.unreadBytes > 0 ? `; ${bytesText(p.unreadBytes)} unread` : ''})`);
  }
  const alloc = record.allocations;
  if (alloc) {
    for (const [i, a] of alloc.top.slice(0, CLI_ROWS).entries()) {
      lines.push(`  ${i === 0 ? 'allocated' : '         '} ${a.frame}: ${perRequestText(a.bytesPerRequest)}, ${(a.share * 100).toFixed(0)} % of allocation${a.alloc !== a.frame ? ` (via ${a.alloc})` : ''}`);
    }
  }
  for (const e of record.errors) lines.push(`  note: ${e}`);
  lines.push(`  ${record.snapshots.some((s) => s.kept) ? `snapshots kept in ${record.snapshots[0]!.file.split('/')[0]}/ (they hold the target's memory, keys included)` : 'snapshots removed once diffed (--keep-snapshots keeps them for DevTools)'}; attribution.json has every row`);
  return lines;
}

/** What summary.json carries: the top rows, not the whole diff. */
export function attributionSummary(record: AttributionRecord): unknown {
  return {
    status: record.status,
    trigger: record.trigger,
    ...(record.reason ? { reason: record.reason } : {}),
    requests: record.window?.requests ?? null,
    retained: record.retained ? growingRows(record.retained.named).slice(0, CLI_ROWS).map((r) => ({ name: r.name, countDelta: r.countDelta, bytesPerRequest: r.bytesPerRequest, retainedBytesPerRequest: r.retainedBytesPerRequest ?? null, path: r.retainerPath?.text ?? null, location: r.location ?? null })) : null,
    timers: record.retained ? record.retained.timers.filter((t) => t.countDelta > 0).slice(0, CLI_ROWS) : null,
    handles: record.handles?.growing.slice(0, CLI_ROWS) ?? null,
    allocated: record.allocations?.top.slice(0, CLI_ROWS).map((a) => ({ frame: a.frame, bytesPerRequest: a.bytesPerRequest, share: a.share })) ?? null,
    errors: record.errors,
  };
}
