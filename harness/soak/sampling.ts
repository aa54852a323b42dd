// Continuous sampling: every sample interval, while the load runs, one reading
// of /proc, the probe, the target's /metrics and the upstream's fault counts,
// written to samples.jsonl and shown on the progress line. These show the run
// as it goes; the verdict is computed from the drained checkpoints
// (checkpoint.ts), which this loop runs alongside.

import { SoakError } from '../errors.ts';
import type { ContinuousSample, Counts, LoadWindow } from '../records.ts';
import { ReachabilityWatch } from './reachability.ts';
import { oneLine, ServingWatch } from './serving-watch.ts';
import type { Progress } from '../progress.ts';
import type { TargetSources } from '../run/target-sources.ts';
import type { RunContext } from './context.ts';

/** Sample until the run's signal aborts. A failed sample is a warning, not the end of the run. */
export async function runSampler(ctx: RunContext, sources: TargetSources, signal: AbortSignal = ctx.signal): Promise<void> {
  if (ctx.options.sampling === false) return;
  const every = ctx.options.sampleIntervalMs ?? 2_000;
  const reachability = new ReachabilityWatch();
  const serving = new ServingWatch();
  while (!signal.aborted) {
    const started = performance.now();
    try {
      const sample = await takeSample(ctx, sources, serving);
      const unreachable = sample.load ? reachability.observe(sample.load, sample.loadElapsedMs) : null;
      if (unreachable) ctx.stopRun(new SoakError('SOAK_ERR_TARGET_UNREACHABLE', `${unreachable.reason} (${ctx.meta.target.url ?? 'no URL'})`));
    } catch (err) {
      if (signal.aborted) break;
      ctx.event('warning', `sample failed: ${(err as Error).message}`);
    }
    await waitOrAbort(Math.max(0, every - (performance.now() - started)), signal);
  }
}

/**
 * Wait `ms`, or less if `signal` aborts first. The listener goes away with the
 * wait: one left per sample would pile up 43 200 listeners on the run's signal
 * over a 24-h soak.
 */
function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((r) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      r();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** One continuous sample, written and shown; returns its load window and the load time it ends at. */
export async function takeSample(ctx: RunContext, sources: TargetSources, serving = new ServingWatch()): Promise<{ load: LoadWindow | null; loadElapsedMs: number }> {
  const { proc, probe, relay, faults } = await sources.readAll();
  const st = ctx.state;
  const load = st.load ? st.load.window() : null;
  const requestsCompleted = st.load?.totals().requestsCompleted ?? 0;
  const record: ContinuousSample = { kind: 'sample', t: ctx.now(), phase: st.phaseName, proc, probe, relay, load, faults, requestsCompleted };
  ctx.folder.sample(record);
  st.samplesWritten++;
  // Failures the fault plan did not inject, and the loud line when the target is not serving (serving-watch.ts).
  const served = serving.observe(load, faults, st.load?.totals().unexpected ?? []);
  for (const u of served.firstSeen) {
    ctx.event('info', `first unexpected response: ${u.status}${u.mismatch ? ' (body failed the checks)' : ''}: ${oneLine(u.body)}`, { unexpectedResponse: u });
  }
  if (served.warning !== null) ctx.event('warning', served.warning, { notServing: true });
  const loadElapsedMs = st.loadElapsedMs + (st.segment ? Math.min(st.segment.lengthMs, performance.now() - st.segment.startedAt) : 0);
  ctx.progress?.update({
    elapsedMs: loadElapsedMs,
    totalMs: ctx.scenario.durationMs,
    phase: st.phaseName,
    reqPerSec: load?.reqPerSec ?? 0,
    requests: requestsCompleted,
    errors: served.errors,
    rss: proc?.rss ?? probe?.memory.rss ?? 0,
    heapUsed: probe?.memory.heapUsed ?? null,
    handles: probe ? sumCounts(probe.resources) : null,
    fds: proc?.fds ?? null,
    faults: faults ? sumCounts(faults) : null,
    nextCheckpointMs: st.nextCheckpointMs,
    checkpoints: st.checkpointsWritten,
  });
  ctx.options.onProgress?.(ctx.progress?.last ?? ({} as Progress));
  return { load, loadElapsedMs };
}

function sumCounts(c: Counts): number {
  let n = 0;
  for (const v of Object.values(c)) n += v;
  return n;
}
