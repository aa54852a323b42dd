// The relay's own health scan: POST /v0/management/health-scan, then poll
// GET /v0/management/health-scan/:id until `done`, pause, repeat. A scan keeps
// working inside the relay after our requests end, so we do not start one that
// would not finish before the segment ends (estimated from the previous scan)
// and, when stopped, wait (up to the grace) for a running scan to finish:
// a checkpoint must not measure a relay in the middle of a scan.
// Event `relay-scan` per completed scan.

import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { parseObject } from './payloads.ts';
import type { TargetPool } from './target-pool.ts';

export const HEALTH_SCAN_PATH = '/v0/management/health-scan';
const POLL_MS = 250;

export interface RelayScanState {
  /** Duration of the last completed scan, ms (0 before the first). */
  lastScanMs: number;
}

export interface RelayScanOptions {
  concurrency: number;
  pauseMs: number;
  /** When the segment's load ends (performance.now() clock). */
  endsAt: number;
}

export async function runRelayScans(
  target: TargetPool,
  managementKey: string,
  options: RelayScanOptions,
  state: RelayScanState,
  stop: AbortSignal,
  kill: AbortSignal,
): Promise<void> {
  const headers = { authorization: `Bearer ${managementKey}`, 'content-type': 'application/json' };
  const wait = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }).then(() => true, () => false);
  while (!stop.aborted && performance.now() + state.lastScanMs < options.endsAt) {
    const t0 = performance.now();
    const started = await target.exchange(
      { method: 'POST', path: HEALTH_SCAN_PATH, headers, body: JSON.stringify({ concurrency: options.concurrency }) },
      kill,
    );
    const id = started?.text ? parseObject(started.text)?.id : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') return; // not supported or failed: recorded already
    // Samples taken until the poll sees `done` (≤ POLL_MS late) say a scan is running.
    target.stats.begin('relay-scan');
    try {
      // Poll even after `stop` (until `kill`): the scan runs inside the relay either way.
      for (;;) {
        if (!(await wait(POLL_MS, kill))) return;
        const res = await target.exchange({ method: 'GET', path: `${HEALTH_SCAN_PATH}/${encodeURIComponent(String(id))}`, headers }, kill);
        if (res === null || res.status >= 400) return;
        if (res.text !== null && parseObject(res.text)?.state === 'done') break;
      }
    } finally {
      target.stats.end('relay-scan');
    }
    state.lastScanMs = performance.now() - t0;
    target.stats.event('relay-scan');
    if (!(await wait(options.pauseMs, stop))) return;
  }
}
