// Everything a continuous sample reads about the target, in one place, so a
// soak run and bench:probe (which measures the cost of exactly this) share it:
// /proc (any process), the in-target probe (Node targets), the relay's
// /metrics, and the upstream's injected-fault counts.

import { Client, request } from 'undici';
import type { Counts, ProbeSample, ProcSample } from '../records.ts';
import { readProc } from '../sampler/proc.ts';
import type { ProbeClient } from '../sampler/probe-client.ts';
import { scrapeMetrics } from '../sampler/prometheus.ts';
import type { PprofSource } from '../sampler/pprof.ts';

export interface SourceReadings {
  proc: ProcSample | null;
  probe: ProbeSample | null;
  relay: Record<string, number> | null;
  faults: Counts | null;
}

export class TargetSources {
  readonly pid: number;
  readonly targetUrl: string;
  readonly upstreamUrl: string | null;
  probe: ProbeClient | null;
  /** Cleared when the target has no /metrics, so it is not asked again. */
  hasMetrics = true;
  /** --target-metrics: scraped instead of `<targetUrl>/metrics` (harness/soak/vitals.ts). */
  metricsUrl: string | null = null;
  /** A Go target's net/http/pprof, read at checkpoints (--target-pprof). */
  pprof: PprofSource | null = null;
  /** The probe's own fds in the target (its Unix sockets), left out of fd counts. */
  excludeFds: number[] = [];
  private lastFaults: Counts | null = null;

  constructor(options: { pid: number; targetUrl: string; upstreamUrl: string | null; probe: ProbeClient | null }) {
    this.pid = options.pid;
    this.targetUrl = options.targetUrl;
    this.upstreamUrl = options.upstreamUrl;
    this.probe = options.probe;
  }

  /** `tcpStates: false` skips the TCP state table (the costly part with many sockets); fds are always counted. */
  proc(options: { tcpStates?: boolean } = {}): Promise<ProcSample | null> {
    return readProc(this.pid, { excludeFds: this.excludeFds, ...options }).catch(() => null);
  }

  probeSample(): Promise<ProbeSample | null> {
    return this.probe ? this.probe.sample().catch(() => null) : Promise.resolve(null);
  }

  /**
   * The target's /metrics on a connection opened for this scrape and closed
   * after it: a persistent harness connection would sit in the target's socket
   * and handle counts, and keep checkpoint drains from ever seeing zero open
   * sockets.
   */
  async metrics(): Promise<Record<string, number> | null> {
    if (!this.hasMetrics || !(this.metricsUrl ?? this.targetUrl)) return null;
    const url = this.metricsUrl ?? `${this.targetUrl}/metrics`;
    const client = new Client(new URL(url).origin);
    try {
      return await scrapeMetrics(url, { timeoutMs: 5_000, dispatcher: client });
    } catch {
      return null;
    } finally {
      client.destroy().catch(() => {});
    }
  }

  /** Cumulative injected-fault counts by kind; the last known counts if the upstream does not answer. */
  async faults(): Promise<Counts | null> {
    if (!this.upstreamUrl) return null;
    try {
      const res = await request(`${this.upstreamUrl}/__upstream/stats`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
      const stats = (await res.body.json()) as { faults?: Counts };
      this.lastFaults = stats.faults ?? {};
    } catch {
      // keep the last known counts
    }
    return this.lastFaults;
  }

  async readAll(): Promise<SourceReadings> {
    const [proc, probe, relay, faults] = await Promise.all([this.proc(), this.probeSample(), this.metrics(), this.faults()]);
    return { proc, probe, relay, faults };
  }
}
