// Which allocation sites grow: the probe's sampling heap profiler gives live
// bytes per (own frame, allocating frame) at every drained checkpoint
// (records.ts AllocationSites); each site's series is regressed on the run's
// requests like any other signal (Theil–Sen with its interval, trend.ts), and
// the sites whose slope is above the floor with an interval above zero are
// named, with B/request and their share of the heap's slope. Attribution, not
// a verdict: it never changes the run's status. It names where the kept
// objects were allocated, not who holds them (that is a heap snapshot's
// retainer path).
//
// Resolution: one sample per `intervalBytes` (512 KiB by default) allocated,
// weighted by V8 to stand for that many bytes, so a site's series moves in
// steps of about the interval: a leak has to add a few intervals over the
// judged window to be seen (≈ 15 MB at 512 KiB, field notes), which the
// verdict text says.

import type { Checkpoint } from '../records.ts';
import { estimateTrend, hasSpread, partOfHeap, type HeapPart } from './trend.ts';

/** A site: its slope in B/request; first and last are 0 where the site was not among the recorded top. */
export interface SiteVerdict extends HeapPart {
  /** The innermost frame in the target's own code, `function (file:line)`: the site. */
  frame: string;
  /** The frames that allocated under it (a builtin such as `set` or `structuredClone` included), most live bytes first. */
  allocs: string[];
}

export interface SitesVerdict {
  intervalBytes: number;
  /** Judged checkpoints that carried sites. */
  n: number;
  /** Sites growing above the floor, largest slope first (at most MAX_GROWING). */
  growing: SiteVerdict[];
  /** The floor a site's slope must pass, B/request. */
  floor: number;
  /** The largest sites at the last checkpoint, growing or not (at most MAX_TOP): what the heap holds. */
  top: { frame: string; alloc: string; bytes: number }[];
  /** The last checkpoint's sampled live bytes in all. */
  totalBytes: number;
}

export const MAX_GROWING = 10;
export const MAX_TOP = 10;
/** A site must have this many judged checkpoints with figures to get a slope. */
export const MIN_SITE_CHECKPOINTS = 5;

/** A checkpoint's live bytes per site (own frame), summed over its allocating frames. */
function bySite(c: Checkpoint): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const s of c.sites?.top ?? []) {
    let allocs = out.get(s.frame);
    if (!allocs) out.set(s.frame, (allocs = new Map()));
    allocs.set(s.alloc, (allocs.get(s.alloc) ?? 0) + s.bytes);
  }
  return out;
}

const total = (allocs: Map<string, number> | undefined): number => {
  let sum = 0;
  for (const v of allocs?.values() ?? []) sum += v;
  return sum;
};

/**
 * `judged`: the post-warm-up checkpoints in seq order; `heapSlope`: the
 * heapUsed verdict's slope (B/request), for the share; `floor`: the smallest
 * slope named (default: a quarter of the heap floor, so the culprit of a
 * leak at the floor is named). A site is the innermost frame of the target's
 * own code: the allocating frames under it (the record's constructor, the
 * Map's `set` growing its table) are one site's bytes.
 */
export function judgeSites(judged: readonly Checkpoint[], heapSlope: number | null, floor: number): SitesVerdict | null {
  const points = judged.filter((c) => c.sites !== undefined && c.sites.top.length > 0);
  const last = points[points.length - 1]?.sites;
  if (!last) return null;
  const x = points.map((c) => c.requestsCompleted);
  const sites = points.map(bySite);
  const lastSites = sites[sites.length - 1]!;
  const growing: SiteVerdict[] = [];
  if (points.length >= MIN_SITE_CHECKPOINTS && hasSpread(x)) {
    // Candidates: every site in the last checkpoint's top (a growing site ends up there).
    for (const [frame, allocs] of lastSites) {
      const y = sites.map((m) => total(m.get(frame)));
      const t = estimateTrend(x, y, { bootstrapSeed: `sites:${frame}` });
      if (!(t.slope >= floor) || !(t.ci.lower > 0)) continue;
      growing.push({ frame, allocs: [...allocs.entries()].sort((a, b) => b[1] - a[1]).map(([alloc]) => alloc), ...partOfHeap(t, y, heapSlope) });
    }
  }
  growing.sort((a, b) => b.slope - a.slope);
  return {
    intervalBytes: last.intervalBytes,
    n: points.length,
    growing: growing.slice(0, MAX_GROWING),
    floor,
    top: last.top.slice(0, MAX_TOP).map((s) => ({ frame: s.frame, alloc: s.alloc, bytes: s.bytes })),
    totalBytes: last.totalBytes,
  };
}

/**
 * One site's trend over `judged` (the proof's "the same row in the fixed run"):
 * its live bytes per checkpoint (0 where absent from the recorded top), or
 * null when the run has too few checkpoints with sites.
 */
export function siteTrend(judged: readonly Checkpoint[], frame: string): { slope: number; lower: number; upper: number; lastBytes: number } | null {
  const points = judged.filter((c) => c.sites !== undefined);
  const x = points.map((c) => c.requestsCompleted);
  if (points.length < MIN_SITE_CHECKPOINTS || !hasSpread(x)) return null;
  const y = points.map((c) => total(bySite(c).get(frame)));
  const t = estimateTrend(x, y, { bootstrapSeed: `sites:${frame}` });
  return { slope: t.slope, lower: t.ci.lower, upper: t.ci.upper, lastBytes: y[y.length - 1]! };
}
