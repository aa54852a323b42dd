// The attribution tail: after the judged run, never inside it. The target is
// drained and idle after its last checkpoint; the tail takes a heap snapshot,
// drives the same scenario's measured phases (scaled down) for a window,
// drains, snapshots again, and once more: three snapshots, two windows. It
// also reads the target's libuv handles and TCP peers at the first and last
// snapshot, and runs the sampling heap profiler with collected objects kept
// over both windows (an allocation profile: churn that retains nothing still
// shows where it allocates). The snapshots are diffed out of process once the
// target has stopped (harness/attribute/run-diff.ts): parsing two relay-sized
// snapshots takes ~400 MiB, which must not sit in the harness's own figures.
//
// Why after, not during: a snapshot blocks the target's loop for seconds and
// raised peak rss by 257–634 MB in the field notes. Samples stop before the
// tail (the sampler is told to), so no figure the verdict reads contains it.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeHandles, ProbeSnapshot } from '../probe/protocol.ts';
import type { AllocationSites, SocketPeer } from '../records.ts';
import { ATTRIBUTION_DIR, RUN_FILES } from '../run/run-folder.ts';
import { allocationProfile, growingHandles, growingPeers } from '../attribute/growth.ts';
import type { AttributionRecord, AttributionTrigger } from '../attribute/record.ts';
import { runDiffProcess } from '../attribute/run-diff.ts';
import { applyProfile } from './target-profile.ts';
import { applyFaultPlan } from './drive.ts';
import { drain, peersOf } from './checkpoint.ts';
import type { RunContext } from './context.ts';
import type { Targets } from './targets.ts';
import { PROJECT_ROOT } from './paths.ts';

/** Requests a window aims for: 5 000 at 450 B/request (inflight-map) is 2.2 MB between snapshots, far above their noise. */
export const ATTRIBUTION_WINDOW_REQUESTS = 5_000;
/** Bounds on one window's load time. */
const MIN_WINDOW_MS = 5_000;
const MAX_WINDOW_MS = 30_000;
/** No phase of a window shorter than this: a segment of a few hundred ms is mostly ramp. */
const MIN_PHASE_SLICE_MS = 1_000;
/**
 * The allocation profile's sampling interval over the windows. Outside the
 * judged run its cost only slows the window (bench:probe: +13 % CPU/request at
 * 32 KiB); 64 KiB gives ≥ 10 samples per request for a relay allocating MBs
 * per request (account-clone at 5 000 accounts) and ~1 per 64 KiB otherwise.
 */
const ALLOCATION_INTERVAL_BYTES = 64 * 1024;

/** The part of the tail done while the target runs; finishAttribution completes it after the target stopped. */
export interface TailDraft {
  record: AttributionRecord;
  files: string[];
  started: number;
  /** The snapshots' folder, when this tail made it (only that is removed afterwards). */
  dir: string | null;
}

/** The one line a run prints when the target cannot be attributed, e.g. a Go relay without the probe. */
export function unavailableLine(ctx: Pick<RunContext, 'target' | 'options'>): string {
  if (ctx.options.probe === false) return 'attribution needs a Node target with the probe (--no-probe was given)';
  return ctx.target.kind === 'relay'
    ? 'attribution needs the probe in the target, and it is not connected'
    : 'attribution needs a Node target with the probe (this target has none: not a Node process, or NODE_OPTIONS ignored); for a Go target, pprof/ holds heap profiles to diff with go tool pprof -base';
}

function emptyRecord(trigger: AttributionTrigger): AttributionRecord {
  return {
    recordVersion: 1,
    nodeVersion: process.version,
    status: 'ok',
    trigger,
    window: null,
    snapshots: [],
    retained: null,
    handles: null,
    sockets: null,
    allocations: null,
    errors: [],
    tailMs: 0,
    diffMs: null,
  };
}

/**
 * Snapshots, windows, handles and the allocation profile, with the target
 * still running. Never throws: what fails is written in the record's errors
 * and the tail goes on with what it has (a snapshot that cannot be written
 * ends the snapshots, not the run).
 */
export async function runAttributionTail(ctx: RunContext, t: Targets, trigger: AttributionTrigger): Promise<TailDraft> {
  const started = performance.now();
  const record = emptyRecord(trigger);
  const files: string[] = [];
  const probe = t.probe;
  if (!probe || probe.closed) {
    record.status = 'unavailable';
    record.reason = unavailableLine(ctx);
    return { record, files, started, dir: null };
  }
  const dir = join(ctx.folder.dir, ATTRIBUTION_DIR);
  const load = ctx.state.load;
  const windowMs = windowLength(ctx);
  const windows = 2;
  const say = (line: string): void => ctx.progress?.note(`attribution: ${line}`);
  ctx.event('info', `attribution tail (${trigger}): 3 heap snapshots around 2 load windows of ${Math.round(windowMs / 1000)} s, after the judged run`, { trigger, windowMs });
  let handlesBefore: ProbeHandles | null = null;
  let peersBefore: SocketPeer[] | null = null;
  let allocations: AllocationSites | null = null;
  const requestsAt = (): number => load?.totals().requestsCompleted ?? 0;
  const firstRequests = requestsAt();
  let made: string | null = null;
  let lastRequests = firstRequests;
  try {
    if (existsSync(dir)) throw new Error(`${ATTRIBUTION_DIR}/ already exists in the run folder: no snapshots written over it`);
    mkdirSync(dir);
    made = dir;
    handlesBefore = await probe.handles().catch((err: Error) => (record.errors.push(`handles: ${err.message}`), null));
    peersBefore = peersOf(t);
    for (let i = 0; i <= windows; i++) {
      if (ctx.signal.aborted) throw new Error('interrupted');
      if (i === windows) {
        // Read before the last snapshot: writing one allocates, and would show in the profile.
        allocations = await probe.profile().catch((err: Error) => (record.errors.push(`allocation profile: ${err.message}`), null));
      }
      const snap = await takeSnapshot(probe, join(dir, `heap-${i}.heapsnapshot`));
      files.push(snap.path);
      record.snapshots.push({ file: `${ATTRIBUTION_DIR}/heap-${i}.heapsnapshot`, bytes: snap.bytes, ms: Math.round(snap.ms), heapUsed: snap.heapUsed, kept: false });
      say(`snapshot ${i + 1}/3: ${(snap.bytes / 1048576).toFixed(1)} MiB in ${(snap.ms / 1000).toFixed(1)} s (heap ${(snap.heapUsed / 1048576).toFixed(1)} MiB)`);
      if (i === 0) {
        const status = await probe.sites(ALLOCATION_INTERVAL_BYTES, { includeCollected: true }).catch((err: Error) => ({ active: false, error: err.message }));
        if (!status.active) record.errors.push(`allocation profile: ${'error' in status ? status.error : 'could not start'}`);
      }
      if (i < windows) {
        if (!load) throw new Error('no load driver');
        // No load against a target that went away (a snapshot's rss spike can end it).
        if (probe.closed) throw new Error('the probe connection closed (the target exited?)');
        await driveWindow(ctx, t, windowMs);
        const drained = await drain(ctx, t, -1);
        if (drained === null) throw new Error('interrupted');
        lastRequests = requestsAt();
        say(`window ${i + 1}/${windows}: ${lastRequests - firstRequests} requests since snapshot 1`);
      }
    }
    const handlesAfter = await probe.handles().catch((err: Error) => (record.errors.push(`handles: ${err.message}`), null));
    if (handlesBefore && handlesAfter) {
      const growing = growingHandles(handlesBefore, handlesAfter, lastRequests - firstRequests).map((g) => ({ ...g, endpoint: namedEndpoint(g.endpoint, t) }));
      record.handles = { before: handlesBefore.total, after: handlesAfter.total, growing };
    }
    const peersAfter = peersOf(t);
    if (peersBefore && peersAfter) record.sockets = { growing: growingPeers(peersBefore, peersAfter, lastRequests - firstRequests) };
  } catch (err) {
    const message = (err as Error).message;
    // A target that died mid-tail (a snapshot's rss spike can OOM it) still leaves what was taken.
    record.errors.push(message === 'interrupted' ? 'interrupted during the tail' : `tail stopped: ${message}`);
  }
  const requests = lastRequests - firstRequests;
  record.window = { requests, ms: windowMs * windows, windows };
  if (allocations) record.allocations = allocationProfile(allocations, requests);
  record.tailMs = Math.round(performance.now() - started);
  return { record, files, started, dir: made };
}

/**
 * After the target stopped: diff the snapshots out of process, remove them
 * (unless kept: they hold the target's memory, its keys included), write
 * attribution.json. Never throws.
 */
export async function finishAttribution(ctx: RunContext, draft: TailDraft): Promise<AttributionRecord> {
  const { record, files } = draft;
  if (record.status !== 'unavailable') {
    if (files.length >= 2) {
      ctx.progress?.note(`attribution: diffing ${files.length} snapshots out of process…`);
      const t0 = performance.now();
      try {
        record.retained = await runDiffProcess(files, { requests: record.window?.requests ?? null, projectRoot: PROJECT_ROOT });
      } catch (err) {
        record.errors.push(`snapshot diff: ${(err as Error).message}`);
      }
      record.diffMs = Math.round(performance.now() - t0);
    } else {
      record.errors.push(`snapshot diff: ${files.length} snapshot${files.length === 1 ? '' : 's'} written, 2 needed`);
    }
    const keep = ctx.options.keepSnapshots === true;
    for (const s of record.snapshots) s.kept = keep;
    if (!keep && draft.dir !== null) rmSync(draft.dir, { recursive: true, force: true });
    if (record.errors.length > 0) record.status = record.retained || record.handles || record.allocations ? 'partial' : 'unavailable';
    if (record.status === 'unavailable' && !record.reason) record.reason = record.errors.join('; ');
  }
  ctx.folder.writeJson(RUN_FILES.attribution, record);
  return record;
}

/** The peers the harness knows by name: its fake upstream, and its own load on the target's port. */
function namedEndpoint(endpoint: string, t: Targets): string {
  const upstreamPort = t.upstream ? new URL(t.upstream.url).port : null;
  const targetPort = t.url ? new URL(t.url).port : null;
  if (upstreamPort && endpoint.endsWith(`:${upstreamPort}`) && endpoint.startsWith('remote ')) return `${endpoint} (fake upstream)`;
  if (targetPort && endpoint === `clients of :${targetPort}`) return `${endpoint} (the load)`;
  return endpoint;
}

async function takeSnapshot(probe: NonNullable<Targets['probe']>, path: string): Promise<ProbeSnapshot> {
  try {
    return await probe.snapshot(path);
  } catch (err) {
    rmSync(path, { force: true });
    throw new Error(`heap snapshot ${path.split('/').pop()} could not be written: ${(err as Error).message}`);
  }
}

/** One window's load time: ATTRIBUTION_WINDOW_REQUESTS at the rate the run achieved, bounded. */
function windowLength(ctx: RunContext): number {
  if (ctx.options.attributeWindowMs !== undefined) return ctx.options.attributeWindowMs;
  const requests = ctx.state.load?.totals().requestsCompleted ?? 0;
  const seconds = ctx.state.loadElapsedMs / 1000;
  const rate = seconds > 0 ? requests / seconds : 0;
  const ms = rate > 0 ? (ATTRIBUTION_WINDOW_REQUESTS / rate) * 1000 : MAX_WINDOW_MS;
  return Math.round(Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, ms)));
}

/**
 * The scenario's measured phases in order, each for a slice of the window in
 * proportion to its length (at least MIN_PHASE_SLICE_MS), each with its own
 * fault plan: the same mix and faults as the judged run, shorter.
 */
async function driveWindow(ctx: RunContext, t: Targets, windowMs: number): Promise<void> {
  const load = ctx.state.load!;
  const phases = ctx.scenario.phases
    .filter((p) => p.measured && p.kind !== 'warm-up')
    .map((p) => ({ phase: p, fit: applyProfile(p, ctx.profile) }))
    .filter((p) => !p.fit.empty);
  if (phases.length === 0) return;
  const total = phases.reduce((n, p) => n + p.phase.durationMs, 0);
  for (const { phase, fit } of phases) {
    if (ctx.signal.aborted) return;
    const ms = Math.max(MIN_PHASE_SLICE_MS, Math.round((windowMs * phase.durationMs) / total));
    await applyFaultPlan(ctx, t, phase.name, phase.faults ?? { rules: [] });
    ctx.state.phaseName = `attribution: ${phase.name}`;
    await load.runSegment(fit.phase, ms, ctx.signal);
  }
}
