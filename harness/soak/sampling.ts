// Continuous sampling: every sample interval, while the load runs, one reading
// of /proc, the probe, the target's /metrics and the upstream's fault counts,
// written to samples.jsonl and shown on the progress line. These show the run
// as it goes; the verdict is computed from the drained checkpoints
// (checkpoint.ts), which this loop runs alongside.

import type { ContinuousSample, Counts } from '../records.ts';
import type { Progress } from '../progress.ts';
import type { TargetSources } from '../run/target-sources.ts';
import type { RunContext } from './context.ts';

/** Sample until the run's signal aborts. A failed sample is a warning, not the end of the run. */
export async function runSampler(ctx: RunContext, sources: TargetSources): Promise<void> {
  if (ctx.options.sampling === false) return;
  const every = ctx.options.sampleIntervalMs ?? 2_000;
  const signal = ctx.signal;
  while (!signal.aborted) {
    const started = performance.now();
    try {
      await takeSample(ctx, sources);
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

export async function takeSample(ctx: RunContext, sources: TargetSources): Promise<void> {
  const { proc, probe, relay, faults } = await sources.readAll();
  const st = ctx.state;
  const load = st.load ? st.load.window() : null;
  const requestsCompleted = st.load?.totals().requestsCompleted ?? 0;
  const record: ContinuousSample = { kind: 'sample', t: ctx.now(), phase: st.phaseName, proc, probe, relay, load, faults, requestsCompleted };
  ctx.folder.sample(record);
  st.samplesWritten++;
  ctx.progress?.update({
    elapsedMs: st.loadElapsedMs + (st.segment ? Math.min(st.segment.lengthMs, performance.now() - st.segment.startedAt) : 0),
    totalMs: ctx.scenario.durationMs,
    phase: st.phaseName,
    reqPerSec: load?.reqPerSec ?? 0,
    requests: requestsCompleted,
    errors: (load?.errors ?? 0) + (load?.mismatches ?? 0) + (load?.status['5xx'] ?? 0),
    rss: proc?.rss ?? probe?.memory.rss ?? 0,
    heapUsed: probe?.memory.heapUsed ?? null,
    handles: probe ? sumCounts(probe.resources) : null,
    fds: proc?.fds ?? null,
    faults: faults ? sumCounts(faults) : null,
    nextCheckpointMs: st.nextCheckpointMs,
    checkpoints: st.checkpointsWritten,
  });
  ctx.options.onProgress?.(ctx.progress?.last ?? ({} as Progress));
}

function sumCounts(c: Counts): number {
  let n = 0;
  for (const v of Object.values(c)) n += v;
  return n;
}
