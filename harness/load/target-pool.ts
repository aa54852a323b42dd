// One undici Pool to the relay for a custom driver, plus the one way every
// driver exchanges a request: time it, consume or destroy every body (an
// unread body pins its socket: the very bug seed 002 is about), verify 2xx
// bodies, and record the outcome in LoadStats. Never throws.

import { Pool } from 'undici';
import { performance } from 'node:perf_hooks';
import { BODY_HEAD_BYTES, type LoadStats } from './stats.ts';

export interface Exchange {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Judges a 2xx body; false → mismatch. Omit to accept any 2xx. */
  verify?: (text: string) => boolean;
}

export interface ExchangeResult {
  status: number;
  /** The body text of a 2xx, else null (non-2xx bodies are drained unread). */
  text: string | null;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Records a failed exchange: our own kill is an event (the segment ran out of grace), not a target error. */
export function recordFailure(stats: LoadStats, err: unknown, kill: AbortSignal): void {
  if (kill.aborted) {
    stats.event('load-killed');
    return;
  }
  const code = (err as { code?: unknown })?.code;
  stats.failure(typeof code === 'string' && TIMEOUT_CODES.has(code) ? 'timeout' : 'error');
}

export class TargetPool {
  readonly pool: Pool;
  readonly stats: LoadStats;
  /** The target's path prefix (`/gateway`), '' at the root: every path this pool sends is under it. */
  readonly basePath: string;

  constructor(url: string, stats: LoadStats, options: { connections: number; timeoutMs: number; basePath?: string }) {
    this.stats = stats;
    this.basePath = options.basePath ?? '';
    this.pool = new Pool(url, {
      connections: options.connections,
      pipelining: 1,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /**
   * One request, fully consumed. null when no response arrived (already
   * recorded). `giveUpAfterMs`: the client hangs up after that long, as an SDK
   * timeout does; that is the scenario's behaviour, an event
   * `client-gave-up`, not a target error.
   */
  async exchange(x: Exchange, kill: AbortSignal, giveUpAfterMs: number | null = null): Promise<ExchangeResult | null> {
    const t0 = performance.now();
    const giveUp = giveUpAfterMs === null ? null : AbortSignal.timeout(giveUpAfterMs);
    try {
      const signal = giveUp === null ? kill : AbortSignal.any([kill, giveUp]);
      const res = await this.pool.request({ method: x.method, path: this.basePath + x.path, headers: x.headers, body: x.body, signal });
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const text = await res.body.text();
        const verified = x.verify === undefined || x.verify(text);
        this.stats.response(res.statusCode, performance.now() - t0, verified);
        if (!verified) this.stats.unexpected(res.statusCode, text, true);
        return { status: res.statusCode, text };
      }
      // Read to the end (not dump(): it destroys the socket after 128 KiB, and
      // the relay may legitimately pass a large error body through). The head
      // is kept only for the first response of a status (stats.ts).
      const keep = this.stats.wantsBody(res.statusCode);
      let head = '';
      for await (const chunk of res.body) {
        if (keep && head.length < BODY_HEAD_BYTES) head += (chunk as Buffer).toString('utf8');
      }
      this.stats.response(res.statusCode, performance.now() - t0);
      this.stats.unexpected(res.statusCode, keep ? head : null);
      return { status: res.statusCode, text: null };
    } catch (err) {
      if (giveUp?.aborted === true && !kill.aborted) this.stats.event('client-gave-up');
      else recordFailure(this.stats, err, kill);
      return null;
    }
  }

  /** Graceful close; destroys whatever is left after `graceMs`. */
  async close(graceMs = 1_000): Promise<void> {
    const timer = setTimeout(() => void this.pool.destroy().catch(() => {}), graceMs);
    try {
      await this.pool.close();
    } catch {
      // destroyed by the timer: fine
    } finally {
      clearTimeout(timer);
    }
  }
}
