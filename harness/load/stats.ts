// Load-side statistics, shared by every generator of one LoadDriver.
// Memory is bounded for hours: counters plus one HDR histogram (node:perf_hooks,
// fixed size whatever the sample count) that is reset at every window() call,
// so percentiles are per window and no per-request sample is ever kept.

import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import type { LoadWindow } from '../records.ts';

/** Latencies are recorded in microseconds, 1 µs … 1 h, 3 significant figures. */
const HIGHEST_US = 3_600_000_000;

type StatusClass = '2xx' | '3xx' | '4xx' | '5xx';

/**
 * The first response of each kind the load did not expect: a non-2xx status,
 * or a 2xx whose body failed the checks (`mismatch`). It is what tells a user
 * why a target did not serve the load (`{"error":"missing x-provider header"}`)
 * when the counts only say "100 % 400". `body` is the first BODY_HEAD_BYTES of
 * the body as received: not redacted here (the load does not know the run's
 * keys); the run folder and the progress line redact it.
 */
export interface UnexpectedResponse {
  status: number;
  mismatch: boolean;
  /** How many responses of this status (and mismatch-ness) the load got so far. */
  count: number;
  body: string;
}

/**
 * The harness event for a chat completion (JSON, SSE, idempotent, retried or
 * stream-abort) the target answered with a non-2xx status: the triggering
 * event of costs that grow per error answer (the inflight-error-path variant).
 * Requests that got no response at all are failures, not this event.
 */
export const CHAT_ERROR_EVENT = 'chat-error';

/** Bytes of an unexpected body kept: enough for a gateway's JSON error, not a 256 KiB error page. */
export const BODY_HEAD_BYTES = 300;
/** Distinct (status, mismatch) kinds kept: a target answers with a handful of codes; 400 … 599 all at once is not worth more memory. */
const MAX_UNEXPECTED_KINDS = 12;

function emptyWindow() {
  return { requests: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, errors: 0, timeouts: 0, mismatches: 0 };
}

export class LoadStats {
  readonly #latency: RecordableHistogram = createHistogram({ lowest: 1, highest: HIGHEST_US, figures: 3 });
  #window = emptyWindow();
  #windowStart = performance.now();
  #completed = 0;
  readonly #events = new Map<string, number>();
  /** Harness-side triggers in progress right now (a relay scan between its POST and its `done`). */
  readonly #running = new Map<string, number>();
  /** Keyed `400` or `200!` (a mismatching 2xx); bounded by MAX_UNEXPECTED_KINDS. */
  readonly #unexpected = new Map<string, UnexpectedResponse>();

  /**
   * A response arrived. `latencyMs` null keeps it out of the percentiles
   * (streams we abort on purpose). `verified` false: a 2xx whose body failed
   * verification counts as a mismatch, not as a 2xx.
   */
  response(status: number, latencyMs: number | null, verified = true): void {
    this.#completed++;
    const w = this.#window;
    w.requests++;
    if (status >= 200 && status < 300 && !verified) {
      w.mismatches++;
    } else if (status >= 200 && status < 600) {
      w.status[`${Math.floor(status / 100)}xx` as StatusClass]++;
    }
    if (latencyMs !== null) {
      const us = Math.round(latencyMs * 1000);
      this.#latency.record(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us);
    }
  }

  /**
   * Whether unexpected(status) would keep a body: callers that must read a
   * body on purpose (an undici error body is drained unread) ask first, so
   * the hot path of a serving target costs one map lookup.
   */
  wantsBody(status: number, mismatch = false): boolean {
    return !this.#unexpected.has(`${status}${mismatch ? '!' : ''}`) && this.#unexpected.size < MAX_UNEXPECTED_KINDS;
  }

  /**
   * A response the load did not expect (non-2xx, or a 2xx that failed its
   * body check), recorded besides response(): counted per kind, and the first
   * body of each kind kept (its first BODY_HEAD_BYTES).
   */
  unexpected(status: number, body: string | null, mismatch = false): void {
    const key = `${status}${mismatch ? '!' : ''}`;
    const seen = this.#unexpected.get(key);
    if (seen !== undefined) {
      seen.count++;
      return;
    }
    if (this.#unexpected.size >= MAX_UNEXPECTED_KINDS) return;
    this.#unexpected.set(key, { status, mismatch, count: 1, body: (body ?? '').slice(0, BODY_HEAD_BYTES) });
  }

  /** Every kind of unexpected response so far, in the order first seen (copies). */
  unexpectedResponses(): UnexpectedResponse[] {
    return [...this.#unexpected.values()].map((u) => ({ ...u }));
  }

  /** No (complete) response: connection error, cut response, or a client-side timeout. */
  failure(kind: 'error' | 'timeout'): void {
    this.#window.errors++;
    if (kind === 'timeout') this.#window.timeouts++;
  }

  /** A harness-side triggering event (`sse-abort`, `api-call`, ...). */
  event(name: string, count = 1): void {
    this.#events.set(name, (this.#events.get(name) ?? 0) + count);
  }

  /**
   * A trigger that lasts (a relay scan) started / ended. A sample taken in
   * between says so (LoadWindow.running), so a level read only while the
   * trigger runs can keep just those samples (verdict/level.ts).
   */
  begin(name: string): void {
    this.#running.set(name, (this.#running.get(name) ?? 0) + 1);
  }

  end(name: string): void {
    const n = (this.#running.get(name) ?? 0) - 1;
    if (n > 0) this.#running.set(name, n);
    else this.#running.delete(name);
  }

  /** Everything since the previous call, then a fresh window. */
  window(): LoadWindow {
    const now = performance.now();
    const seconds = Math.max(1e-3, (now - this.#windowStart) / 1000);
    const h = this.#latency;
    const empty = h.count === 0;
    const w = this.#window;
    const out: LoadWindow = {
      requests: w.requests,
      reqPerSec: Math.round((w.requests / seconds) * 10) / 10,
      latencyMs: {
        p50: empty ? 0 : h.percentile(50) / 1000,
        p99: empty ? 0 : h.percentile(99) / 1000,
        max: empty ? 0 : h.max / 1000,
      },
      status: { ...w.status },
      errors: w.errors,
      timeouts: w.timeouts,
      mismatches: w.mismatches,
      ...(this.#running.size > 0 ? { running: Object.fromEntries(this.#running) } : {}),
    };
    h.reset();
    this.#window = emptyWindow();
    this.#windowStart = now;
    return out;
  }

  /** Cumulative: completed requests (every status), harness-side events and the unexpected responses. */
  totals(): { requestsCompleted: number; events: Record<string, number>; unexpected: UnexpectedResponse[] } {
    return { requestsCompleted: this.#completed, events: Object.fromEntries(this.#events), unexpected: this.unexpectedResponses() };
  }
}
