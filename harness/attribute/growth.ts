// What grew between the attribution tail's first and last look: libuv handle
// groups (process.report) and TCP peers (/proc), per 1 000 requests of the
// window. Pure: the tail hands it the two readings.

import type { ProbeHandles } from '../probe/protocol.ts';
import type { AllocationSites, SocketPeer } from '../records.ts';
import type { AllocationProfile, HandleGrowth, PeerGrowth } from './record.ts';

const perThousand = (delta: number, requests: number): number | null => (requests > 0 ? (delta * 1000) / requests : null);

/** Handle groups whose count rose, most first. A group new at the end counts from 0. */
export function growingHandles(before: ProbeHandles, after: ProbeHandles, requests: number): HandleGrowth[] {
  const key = (g: { type: string; referenced: boolean; endpoint: string }): string => `${g.type}\u0000${g.referenced}\u0000${g.endpoint}`;
  const was = new Map(before.groups.map((g) => [key(g), g.count]));
  const out: HandleGrowth[] = [];
  for (const g of after.groups) {
    const delta = g.count - (was.get(key(g)) ?? 0);
    if (delta > 0) out.push({ ...g, delta, perThousandRequests: perThousand(delta, requests) });
  }
  return out.sort((a, b) => b.delta - a.delta);
}

/** Peers with more sockets at the end, most first. */
export function growingPeers(before: readonly SocketPeer[], after: readonly SocketPeer[], requests: number): PeerGrowth[] {
  const was = new Map(before.map((p) => [p.peer, p.sockets]));
  const out: PeerGrowth[] = [];
  for (const p of after) {
    const delta = p.sockets - (was.get(p.peer) ?? 0);
    if (delta > 0) out.push({ peer: p.peer, delta, states: p.states, unreadBytes: p.unreadBytes, perThousandRequests: perThousand(delta, requests) });
  }
  return out.sort((a, b) => b.delta - a.delta);
}

/** Rows shown per allocation profile. */
const TOP_ALLOCATION_ROWS = 10;

/**
 * The allocation profile by the target's own frame, per request: the probe
 * keys sites by (innermost own frame, allocating frame); one own function
 * allocates through several builtins (a clone is `{...a}` plus the arrays it
 * copies), so rows add up per own frame and keep the largest allocating frame
 * as the example. The probe sends its 40 largest pairs: rows are a lower bound
 * for frames whose pairs fell below that cut.
 */
export function allocationProfile(profile: AllocationSites, requests: number): AllocationProfile {
  const total = profile.totalBytes;
  const byFrame = new Map<string, { frame: string; alloc: string; bytes: number; largest: number }>();
  for (const s of profile.top) {
    const row = byFrame.get(s.frame);
    if (!row) byFrame.set(s.frame, { frame: s.frame, alloc: s.alloc, bytes: s.bytes, largest: s.bytes });
    else {
      row.bytes += s.bytes;
      if (s.bytes > row.largest) {
        row.largest = s.bytes;
        row.alloc = s.alloc;
      }
    }
  }
  const rows = [...byFrame.values()].sort((a, b) => b.bytes - a.bytes).slice(0, TOP_ALLOCATION_ROWS);
  return {
    intervalBytes: profile.intervalBytes,
    totalBytes: total,
    bytesPerRequest: requests > 0 ? total / requests : null,
    top: rows.map((r) => ({
      frame: r.frame,
      alloc: r.alloc,
      bytes: r.bytes,
      bytesPerRequest: requests > 0 ? r.bytes / requests : null,
      share: total > 0 ? r.bytes / total : 0,
    })),
  };
}
