// A Go target's net/http/pprof, read at drained checkpoints: the goroutine
// count (`/debug/pprof/goroutine?debug=1`, whose first line is `goroutine
// profile: total N`) and the in-use heap per allocation site
// (`/debug/pprof/heap?gc=1`: Go runs a GC first, the Go analogue of the probe's
// forced GC, so in-use figures are what survived it). The profile is decoded
// here (pprof-profile.ts); no Go toolchain is run.
//
// Each read opens its own connection and closes it, like the /metrics scrape
// (harness/run/target-sources.ts): a kept harness connection would sit in the
// target's goroutine, fd and socket counts.

import { Client, request } from 'undici';
import type { PprofCheckpoint } from '../records.ts';
import { decodeProfileBytes, goroutineTotal, heapSummary } from './pprof-profile.ts';
import { shownUrl } from './target-metrics.ts';

export interface PprofSourceOptions {
  /** Per request, ms. A heap profile of a large Go heap takes a while to write. Default 10 s. */
  timeoutMs?: number;
  /** Sites kept per checkpoint, largest in-use first. Default 10. */
  topSites?: number;
}

export class PprofSource {
  /** The net/http/pprof base, e.g. http://127.0.0.1:8080/debug/pprof. */
  readonly base: string;
  private readonly timeoutMs: number;
  private readonly topSites: number;

  constructor(base: string, options: PprofSourceOptions = {}) {
    this.base = base.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.topSites = options.topSites ?? 10;
  }

  private async get(path: string): Promise<{ status: number; body: Buffer }> {
    const url = `${this.base}${path}`;
    const client = new Client(new URL(url).origin);
    try {
      const res = await request(url, { dispatcher: client, signal: AbortSignal.timeout(this.timeoutMs) });
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, body };
    } finally {
      client.destroy().catch(() => {});
    }
  }

  /** The goroutine count, or an error in words (never throws). */
  async goroutines(): Promise<number | string> {
    try {
      const res = await this.get('/goroutine?debug=1');
      if (res.status !== 200) return `goroutine: HTTP ${res.status}`;
      const n = goroutineTotal(res.body.toString('utf8', 0, Math.min(res.body.length, 200)));
      return n ?? 'goroutine: not a `goroutine profile: total N` answer';
    } catch (err) {
      return `goroutine: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  }

  /** True when the base answers like net/http/pprof: tried once at start when the URL was derived. */
  async available(): Promise<boolean> {
    return typeof (await this.goroutines()) === 'number';
  }

  /** Goroutines and the post-GC heap by site. A part that fails is null, with `error` saying why. */
  async checkpoint(): Promise<PprofCheckpoint> {
    const errors: string[] = [];
    const g = await this.goroutines();
    if (typeof g === 'string') errors.push(g);
    let heap: PprofCheckpoint['heap'] = null;
    try {
      const res = await this.get('/heap?gc=1');
      if (res.status !== 200) errors.push(`heap: HTTP ${res.status}`);
      else heap = heapSummary(decodeProfileBytes(res.body), this.topSites);
    } catch (err) {
      errors.push(`heap: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return { goroutines: typeof g === 'number' ? g : null, heap, ...(errors.length > 0 ? { error: `${shownUrl(this.base)}: ${errors.join('; ')}` } : {}) };
  }
}
