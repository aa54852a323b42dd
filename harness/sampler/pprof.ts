// A Go target's net/http/pprof, read at drained checkpoints: the goroutine
// count (`/debug/pprof/goroutine?debug=1`, whose first line is `goroutine
// profile: total N`) and the in-use heap per allocation site
// (`/debug/pprof/heap?gc=1`: Go runs a GC first, the Go analogue of the probe's
// forced GC, so in-use figures are what survived it). The profile is decoded
// here (pprof-profile.ts); no Go toolchain is run.
//
// The raw answers are kept too (`saveDir`, the run folder's pprof/): the heap
// profile of each checkpoint as Go wrote it (heap-<seq>.pb.gz, for
// `go tool pprof -base pprof/heap-3.pb.gz pprof/heap-12.pb.gz` the morning
// after) and the goroutine dump grouped by stack (goroutine-<seq>.txt: which
// stack the 169 000 goroutines sit in). Bounded: the first KEEP_FIRST and the
// last KEEP_LAST checkpoints' files stay, the ones between are deleted as the
// run goes (a 2-hour run does not write 500 profiles).
//
// Each read opens its own connection and closes it, like the /metrics scrape
// (harness/run/target-sources.ts): a kept harness connection would sit in the
// target's goroutine, fd and socket counts.

import { readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, request } from 'undici';
import type { PprofCheckpoint } from '../records.ts';
import { decodeProfileBytes, goroutineTotal, heapSummary } from './pprof-profile.ts';
import { shownUrl } from './target-metrics.ts';

export interface PprofSourceOptions {
  /** Per request, ms. A heap profile of a large Go heap takes a while to write. Default 10 s. */
  timeoutMs?: number;
  /** Sites kept per checkpoint, largest in-use first. Default 10. */
  topSites?: number;
  /** Where the raw profiles are written (created on first write); none when absent. */
  saveDir?: string;
}

/** Raw profiles kept: the first checkpoints' (the baseline candidates) and the latest ones. */
export const KEEP_FIRST = 4;
export const KEEP_LAST = 4;

export class PprofSource {
  /** The net/http/pprof base, e.g. http://127.0.0.1:8080/debug/pprof. */
  readonly base: string;
  private readonly timeoutMs: number;
  private readonly topSites: number;
  private readonly saveDir: string | undefined;
  /** Checkpoint seqs whose raw files were written, in order. */
  private readonly saved: number[] = [];

  constructor(base: string, options: PprofSourceOptions = {}) {
    this.base = base.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.topSites = options.topSites ?? 10;
    this.saveDir = options.saveDir;
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
    return (await this.goroutineDump()).count;
  }

  private async goroutineDump(): Promise<{ count: number | string; body: Buffer | null }> {
    try {
      const res = await this.get('/goroutine?debug=1');
      if (res.status !== 200) return { count: `goroutine: HTTP ${res.status}`, body: null };
      const n = goroutineTotal(res.body.toString('utf8', 0, Math.min(res.body.length, 200)));
      return n === null ? { count: 'goroutine: not a `goroutine profile: total N` answer', body: null } : { count: n, body: res.body };
    } catch (err) {
      return { count: `goroutine: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, body: null };
    }
  }

  /** True when the base answers like net/http/pprof: tried once at start when the URL was derived. */
  async available(): Promise<boolean> {
    return typeof (await this.goroutines()) === 'number';
  }

  /** Goroutines and the post-GC heap by site. A part that fails is null, with `error` saying why. */
  /** `seq`: the checkpoint's, naming its raw files when saveDir is set. */
  async checkpoint(seq?: number): Promise<PprofCheckpoint> {
    const errors: string[] = [];
    const dump = await this.goroutineDump();
    const g = dump.count;
    if (typeof g === 'string') errors.push(g);
    let heap: PprofCheckpoint['heap'] = null;
    let heapRaw: Buffer | null = null;
    try {
      const res = await this.get('/heap?gc=1');
      if (res.status !== 200) errors.push(`heap: HTTP ${res.status}`);
      else {
        heapRaw = res.body;
        heap = heapSummary(decodeProfileBytes(res.body), this.topSites);
      }
    } catch (err) {
      errors.push(`heap: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (seq !== undefined && this.saveDir !== undefined && (heapRaw !== null || dump.body !== null)) {
      const failed = this.save(seq, heapRaw, dump.body);
      if (failed !== null) errors.push(failed);
    }
    return { goroutines: typeof g === 'number' ? g : null, heap, ...(errors.length > 0 ? { error: `${shownUrl(this.base)}: ${errors.join('; ')}` } : {}) };
  }

  /** Writes this checkpoint's raw files and deletes those no longer kept; an error in words, or null. */
  private save(seq: number, heap: Buffer | null, goroutines: Buffer | null): string | null {
    const dir = this.saveDir!;
    try {
      mkdirSync(dir, { recursive: true });
      if (heap !== null) writeFileSync(join(dir, `heap-${seq}.pb.gz`), heap);
      if (goroutines !== null) writeFileSync(join(dir, `goroutine-${seq}.txt`), goroutines);
      this.saved.push(seq);
      if (this.saved.length > KEEP_FIRST + KEEP_LAST) {
        const drop = this.saved.splice(KEEP_FIRST, 1)[0]!;
        for (const name of readdirSync(dir)) if (name === `heap-${drop}.pb.gz` || name === `goroutine-${drop}.txt`) rmSync(join(dir, name), { force: true });
      }
      return null;
    } catch (err) {
      return `saving raw profiles in ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  }
}
