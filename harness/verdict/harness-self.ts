// The harness judged on itself (issue #16): its own post-GC heap, rss, active
// handles and fds at the same drained checkpoints as the target, with the
// same rules (memory.ts slopes against the default floors, handles.ts
// persistence). A harness that grows over a long soak is reported as the
// harness's problem: this verdict never enters the target's status or
// reasons, so a leak in the load generator cannot be blamed on the relay, and
// a relay's leak cannot hide behind the harness's growth.

import type { Checkpoint, HarnessSelfSample } from '../records.ts';
import { judgeHandles, type HandleTypeVerdict } from './handles.ts';
import { DEFAULT_FLOORS, judgeMemorySignal, type SignalVerdict } from './memory.ts';
import type { Status } from './types.ts';

export interface HarnessSelfVerdict {
  status: Status;
  /** heapUsed and rss of the harness process, B/request. */
  memory: SignalVerdict[];
  /** 'handles' (active resources) and 'fds'. */
  handles: HandleTypeVerdict[];
  /** False when the harness could not force a GC: heap figures include garbage (wider intervals). */
  gc: boolean;
}

export interface HarnessSelfOptions {
  minJudgedSeconds?: number;
  minJudgedRequests?: number;
}

/** A checkpoint carrying the harness's figures in place of the target's: the rules then apply unchanged. */
function carrier(c: Checkpoint, h: HarnessSelfSample): Checkpoint {
  const memory = { rss: h.rss, heapUsed: h.heapUsed, heapTotal: 0, external: h.external, arrayBuffers: h.arrayBuffers };
  return { ...c, memory, preGcMemory: memory, resourcesBeforeGc: {}, resourcesAfterGc: { handles: h.handles }, fds: h.fds ?? 0, tcp: {}, procOnly: false };
}

/** `judged`: the post-warm-up checkpoints in seq order. Null when none carries the harness's figures (older runs). */
export function judgeHarnessSelf(judged: readonly Checkpoint[], options: HarnessSelfOptions = {}): HarnessSelfVerdict | null {
  const points = judged.filter((c) => c.harness !== undefined);
  if (points.length === 0) return null;
  const carried = points.map((c) => carrier(c, c.harness!));
  const memory = (['heapUsed', 'rss'] as const).map((signal) =>
    judgeMemorySignal(carried, signal, { floors: { [signal]: DEFAULT_FLOORS[signal] }, ...options, bootstrapSeed: `harness:${signal}` }),
  );
  const fdsKnown = points.every((c) => c.harness!.fds !== null);
  const handles = judgeHandles(carried, { ...options }).types.filter((t) => t.type === 'handles' || (t.type === 'fds' && fdsKnown));
  const all = [...memory.map((m) => m.status), ...handles.map((h) => h.status)];
  const status: Status = all.includes('LEAK') ? 'LEAK' : all.every((s) => s === 'NO-LEAK') ? 'NO-LEAK' : 'INCONCLUSIVE';
  return { status, memory, handles, gc: points.every((c) => c.harness!.gc) };
}
