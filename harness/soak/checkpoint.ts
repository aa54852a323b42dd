// The drained post-GC checkpoint: the series the verdict is computed from.
// Continuous samples (sampling.ts) show the run as it goes; checkpoints are
// taken with the load idle, the target drained and garbage collected, so what
// is left between two of them is what the events in between kept.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Checkpoint, Counts } from '../records.ts';
import type { TargetSources } from '../run/target-sources.ts';
import type { ProbeClient } from '../sampler/probe-client.ts';
import { readProc } from '../sampler/proc.ts';
import type { RunContext } from './context.ts';
import type { Targets } from './targets.ts';

type ProbeCheckpoint = Awaited<ReturnType<ProbeClient['checkpoint']>>;

/**
 * A drained checkpoint: the load is idle (between segments). Wait for the
 * target's in-flight requests to reach 0 and its non-listening TCP sockets
 * to close (keep-alive timeouts; CLOSE_WAIT excepted, see stillClosingTcp),
 * then GC twice through the probe and record.
 */
export async function takeCheckpoint(ctx: RunContext, t: Targets, seq: number): Promise<void> {
  const tMs = ctx.now();
  const drainMs = await drain(ctx, t.sources!);
  if (drainMs === null) return;
  let cp: ProbeCheckpoint | null = null;
  if (t.probe) cp = await t.probe.checkpoint();
  const [relay, proc] = await Promise.all([t.sources!.metrics(), readProc(t.pid, { excludeFds: t.probeOwnFds })]);
  const faults = await t.sources!.faults();
  const totals = ctx.state.load?.totals() ?? { requestsCompleted: 0, events: {} };
  const record: Checkpoint = {
    kind: 'checkpoint',
    seq,
    t: tMs,
    phase: ctx.state.phaseName,
    requestsCompleted: totals.requestsCompleted,
    // `requests` too, so costs the catalog states per request are checked like any other event.
    events: { ...(faults ?? {}), ...totals.events, requests: totals.requestsCompleted },
    drainMs,
    // Without a probe only /proc is known (procOnly): rss from it, zeros for the heap and GC.
    memory: cp?.memory ?? { rss: proc.rss, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
    preGcMemory: cp?.preGcMemory ?? { rss: proc.rss, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
    resourcesBeforeGc: cp?.resourcesBeforeGc ?? {},
    resourcesAfterGc: cp?.resourcesAfterGc ?? {},
    fds: proc.fds,
    tcp: proc.tcp,
    relay,
    gc: cp ? { count: cp.gc.count, timeMs: cp.gc.timeMs, majorCount: cp.gc.majorCount } : { count: 0, timeMs: 0 },
    ...(cp ? { forcedGcMs: cp.forcedGcMs } : {}),
    allocatedBytes: cp?.allocatedBytes ?? 0,
    procOnly: cp === null,
  };
  ctx.folder.checkpoint(record);
  ctx.state.checkpointsWritten++;
  ctx.progress?.note(
    `checkpoint ${seq}: ${(record.memory.heapUsed / 1048576).toFixed(1)} MiB heap, ${(record.memory.rss / 1048576).toFixed(1)} MiB rss, ${proc.fds} fds, ${openTcp(proc.tcp)} tcp open, ${totals.requestsCompleted} requests (drain ${drainMs} ms)`,
  );
}

/**
 * Poll until in-flight is 0 and no TCP socket is still closing, or the drain
 * cap passes (the checkpoint is then taken anyway). Returns the drain's
 * length, or null if the run was aborted meanwhile (no checkpoint then).
 */
async function drain(ctx: RunContext, sources: TargetSources): Promise<number | null> {
  const drainStart = performance.now();
  const drainMax = ctx.options.drainMaxMs ?? 6_000;
  for (;;) {
    const [relay, proc] = await Promise.all([sources.metrics(), sources.proc()]);
    const inflight = relay ? (relay['relay_inflight_requests'] ?? 0) : 0;
    const open = proc ? stillClosingTcp(proc.tcp) : 0;
    if ((inflight === 0 && open === 0) || performance.now() - drainStart > drainMax) break;
    if (ctx.signal.aborted) return null;
    await sleep(200);
  }
  return Math.round(performance.now() - drainStart);
}

function openTcp(tcp: Counts): number {
  let n = 0;
  for (const [state, count] of Object.entries(tcp)) if (state !== 'LISTEN') n += count;
  return n;
}

/**
 * Sockets a drain waits for: open ones, except CLOSE_WAIT. A CLOSE_WAIT socket's
 * peer has already closed; a correct target closes its side within
 * milliseconds, one that leaks it never will, and waiting only burns the drain
 * cap at every checkpoint (measured: an error-body leaky run held ≈ 1 000
 * CLOSE_WAIT sockets and spent 2 s on each of its 17 drains). They still count
 * in the checkpoint's TCP states.
 */
function stillClosingTcp(tcp: Counts): number {
  let n = 0;
  for (const [state, count] of Object.entries(tcp)) if (state !== 'LISTEN' && state !== 'CLOSE_WAIT') n += count;
  return n;
}
