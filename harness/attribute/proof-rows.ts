// A proof's attribution: the leaky run's culprit rows next to the same rows
// in the fixed run, so the proof shows the culprit going flat (issue #15:
// "every proof shows the culprit's rows going flat in the fixed run"). Pure:
// the two attribution.json records in, lines out. Never judged: the proof's
// status comes from the verdicts alone.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '../run/run-folder.ts';
import { growingRows, MIN_HANDLE_DELTA, perRequestText } from './format.ts';
import type { AttributionRecord } from './record.ts';

/** attribution.json of a run folder, or null (no tail ran, or an older run). */
export function readAttribution(runDir: string): AttributionRecord | null {
  const file = join(runDir, RUN_FILES.attribution);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AttributionRecord;
  } catch {
    return null;
  }
}

export interface ProofAttributionRow {
  part: 'retained' | 'timers' | 'handles' | 'allocated';
  /** The class, timer callback, handle group or allocating frame. */
  name: string;
  leaky: string;
  fixed: string;
  /** The leaky side's retainer path or location, when known. */
  where?: string;
}

const perK = (n: number | null): string => (n === null ? '' : ` (${n >= 10 ? Math.round(n) : n.toFixed(1)}/1k requests)`);
const signed = (n: number): string => `${n >= 0 ? '+' : '−'}${Math.abs(Math.round(n)).toLocaleString('en-US')}`;

/** Rows for the leaky run's top culprit in each part, with the fixed run's figure for the same name. */
export function proofAttributionRows(leaky: AttributionRecord | null, fixed: AttributionRecord | null): ProofAttributionRow[] {
  if (!leaky || leaky.status === 'unavailable') return [];
  const rows: ProofAttributionRow[] = [];
  const fixedMissing = !fixed || fixed.status === 'unavailable' ? 'not attributed in the fixed run' : null;
  const top = leaky.retained ? growingRows(leaky.retained.named)[0] : undefined;
  if (top) {
    const same = fixed?.retained?.named.find((r) => r.name === top.name);
    rows.push({
      part: 'retained',
      name: top.name,
      leaky: `${signed(top.countDelta)} objects${perK(top.countPerThousandRequests)}, retaining ${perRequestText(top.retainedBytesPerRequest ?? top.bytesPerRequest)}`,
      fixed: fixedMissing ?? (same ? `${signed(same.countDelta)} objects${perK(same.countPerThousandRequests)}, retaining ${perRequestText(same.retainedBytesPerRequest ?? same.bytesPerRequest)}` : 'not among the rows that changed (flat)'),
      ...(top.retainerPath ? { where: top.retainerPath.text } : top.location ? { where: top.location } : {}),
    });
  }
  const timer = leaky.retained?.timers.find((t) => t.countDelta > 0);
  if (timer) {
    const same = fixed?.retained?.timers.find((t) => t.callback === timer.callback && t.location === timer.location);
    rows.push({
      part: 'timers',
      name: `${timer.callback}${timer.location ? ` (${timer.location})` : ''}`,
      leaky: `${signed(timer.countDelta)} timers${perK(timer.countPerThousandRequests)}`,
      fixed: fixedMissing ?? (same ? `${signed(same.countDelta)} timers${perK(same.countPerThousandRequests)}` : 'none added'),
    });
  }
  // As in the CLI lines: one handle more over the windows is a timer or socket of the moment, not a culprit.
  const handle = leaky.handles?.growing.find((h) => h.delta >= MIN_HANDLE_DELTA);
  if (handle) {
    const same = fixed?.handles?.growing.find((h) => h.type === handle.type && h.endpoint === handle.endpoint && h.referenced === handle.referenced);
    rows.push({
      part: 'handles',
      name: `${handle.type}${handle.endpoint ? ` ${handle.endpoint}` : ''}${handle.referenced ? '' : " (unref'd)"}`,
      leaky: `${signed(handle.delta)}${perK(handle.perThousandRequests)}`,
      fixed: fixedMissing ?? (same ? `${signed(same.delta)}${perK(same.perThousandRequests)}` : 'none added'),
    });
  }
  const alloc = leaky.allocations?.top[0];
  if (alloc) {
    const same = fixed?.allocations?.top.find((a) => a.frame === alloc.frame);
    const total = fixed?.allocations ? `; all sites ${perRequestText(fixed.allocations.bytesPerRequest)}` : '';
    rows.push({
      part: 'allocated',
      name: alloc.frame,
      leaky: `${perRequestText(alloc.bytesPerRequest)}, ${(alloc.share * 100).toFixed(0)} % of allocation; all sites ${perRequestText(leaky.allocations!.bytesPerRequest)}`,
      fixed: fixedMissing ?? (same ? `${perRequestText(same.bytesPerRequest)}, ${(same.share * 100).toFixed(0)} % of allocation${total}` : `not among the top sites${total}`),
    });
  }
  return rows;
}

export function proofAttributionLines(rows: readonly ProofAttributionRow[]): string[] {
  return rows.map((r) => `${r.part.padEnd(9)} ${r.name}: leaky ${r.leaky} → fixed ${r.fixed}${r.where ? `  ← ${r.where}` : ''}`);
}

