// attribution.json: what the attribution tail found after the judged run.
// Never judged: the verdict comes from the checkpoints alone; this says which
// object, allocated where, held by whom, for the on-call engineer's next
// question after "heapUsed LEAK 451 B/request".

import type { AllocationSite, SocketPeer } from '../records.ts';
import type { ProbeHandleGroup } from '../probe/protocol.ts';
import type { SnapshotDiffResult } from './types.ts';

/** Why the tail ran. */
export type AttributionTrigger = 'leak' | 'asked' | 'proof';

export interface AttributionRecord {
  recordVersion: 1;
  nodeVersion: string;
  /** ok: snapshots diffed; partial: some parts failed (see errors); unavailable: nothing could be taken (see reason). */
  status: 'ok' | 'partial' | 'unavailable';
  trigger: AttributionTrigger;
  /** When unavailable: why, in one line the CLI prints. */
  reason?: string;
  /** Load between the first and the last snapshot: the same scenario's measured phases, scaled down. */
  window: { requests: number; ms: number; windows: number } | null;
  snapshots: { file: string; bytes: number; ms: number; heapUsed: number; kept: boolean }[];
  /** The snapshot diff (harness/attribute/snapshot-diff.ts), out of process. */
  retained: SnapshotDiffResult | null;
  /** libuv handles (process.report) at the first and the last snapshot, and the groups that grew. */
  handles: { before: number; after: number; growing: HandleGrowth[] } | null;
  /** TCP sockets by peer from /proc at the first and the last snapshot, and the peers that grew. */
  sockets: { growing: PeerGrowth[] } | null;
  /** Allocation profile over the window (collected objects included: pprof's cumulative view), by site. */
  allocations: AllocationProfile | null;
  /** What failed, part by part (a snapshot that could not be written, a diff that ran out of time). */
  errors: string[];
  /** Wall time of the tail, ms, load windows and snapshots included (the diff runs after the target stopped). */
  tailMs: number;
  diffMs: number | null;
}

export interface HandleGrowth extends ProbeHandleGroup {
  delta: number;
  perThousandRequests: number | null;
}

export interface PeerGrowth {
  peer: string;
  delta: number;
  /** Sockets to that peer at the end, by TCP state. */
  states: SocketPeer['states'];
  unreadBytes: number;
  perThousandRequests: number | null;
}

export interface AllocationProfile {
  intervalBytes: number;
  totalBytes: number;
  bytesPerRequest: number | null;
  top: AllocationRow[];
}

export interface AllocationRow extends Pick<AllocationSite, 'frame' | 'alloc'> {
  bytes: number;
  bytesPerRequest: number | null;
  /** Share of all sampled allocation in the window. */
  share: number;
}
