// Leak variants on the upstream side, each driven K times against the real
// fake upstream (mocks/) over real sockets, leaky and fixed: the leaky build
// must show exactly the catalog's cost (pinned connections, armed
// timers, concurrent probes, idle sockets) and the fixed build none of it.
// Counts come from the relay's /metrics (undici Pool.stats, structure sizes)
// and the upstream's own stats (in-flight responses, client aborts).

import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayOptions } from '../index.ts';
import type { FaultPlan } from '../../mocks/index.ts';
import { abandonStream, chat, chatBody, CLIENT_KEY, closeClients, management, metrics, startPair, waitFor, type Pair } from './helpers.ts';

const K = 3;
const RUNNING = 'relay_upstream_pool{field="running"}';
const PENDING = 'relay_upstream_pool{field="pending"}';
const CONNECTED = 'relay_upstream_pool{field="connected"}';
const RETRY_WAITS = 'relay_structure_entries{structure="retry_waits"}';
const SCAN_WORKERS = 'relay_structure_entries{structure="health_scan_workers"}';

let pair: Pair | undefined;

afterEach(async () => {
  await closeClients();
  await pair?.close();
  pair = undefined;
});

async function start(
  leak: string | null,
  accounts: number,
  relay: Partial<RelayOptions> = {},
  upstream: { plan?: FaultPlan; tokenIntervalMs?: number; completionTokens?: number } = {},
): Promise<Pair> {
  pair = await startPair(accounts, { shutdownTimeoutMs: 200, ...relay, leaks: new Set(leak === null ? [] : [leak]) }, upstream);
  return pair;
}

async function metric(p: Pair, name: string): Promise<number> {
  return (await metrics(p.relay))[name] ?? Number.NaN;
}

/** Waits until `name` reads `value`; returns the last reading either way. */
async function settle(p: Pair, name: string, value: number, timeoutMs: number): Promise<number> {
  let last = Number.NaN;
  await waitFor(async () => (last = await metric(p, name)) === value, timeoutMs, 20);
  return last;
}

describe('error-body (seed 002)', () => {
  for (const leaky of [true, false]) {
    it(`${leaky ? 'leaky' : 'fixed'}: ${K} large 429 bodies → ${leaky ? `${K} pinned connections` : 'no pinned connection'}`, async () => {
      const p = await start(leaky ? 'error-body' : null, 10, { maxAttempts: 1 });
      for (let i = 0; i < K; i++) expect((await chat(p.relay, { mock_fault: '429-large' })).status).toBe(429);
      expect(p.upstream.stats().faults['429-large']).toBe(K);
      if (leaky) {
        // Pinned means pinned: still busy well after the replies went out (the upstream has long
        // written its whole body into the socket; the relay just never reads or destroys it).
        await new Promise((r) => setTimeout(r, 500));
        expect(await metric(p, RUNNING)).toBe(K);
      } else {
        expect(await settle(p, RUNNING, 0, 1_000)).toBe(0);
        expect(await waitFor(() => p.upstream.stats().inFlight === 0, 1_000)).toBeGreaterThanOrEqual(0);
      }
      // The pool still serves: a fresh request gets a fresh socket.
      expect((await chat(p.relay)).status).toBe(200);
    });
  }

  it('leaky at the connection cap: the pinned sockets take the whole pool and the next request queues', async () => {
    const p = await start('error-body', 10, { maxAttempts: 1, upstreamConnections: 2 });
    for (let i = 0; i < 2; i++) expect((await chat(p.relay, { mock_fault: '429-large' })).status).toBe(429);
    const abort = new AbortController();
    const queued = request(`${p.relay.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: chatBody(),
      signal: abort.signal,
    }).catch(() => null);
    expect(await settle(p, PENDING, 1, 1_000)).toBe(1);
    expect(await metric(p, RUNNING)).toBe(2);
    abort.abort();
    await queued;
  });
});

describe('sse-abort (project addition)', () => {
  for (const leaky of [true, false]) {
    it(`${leaky ? 'leaky' : 'fixed'}: ${K} abandoned streams → ${leaky ? `${K} upstream streams read to their end` : 'upstreams aborted at once'}`, async () => {
      // 60 tokens × 25 ms: each stream lasts ≈ 1.5 s upstream.
      const p = await start(leaky ? 'sse-abort' : null, 10, {}, { tokenIntervalMs: 25, completionTokens: 60 });
      const abortsBefore = p.upstream.stats().clientAborts;
      for (let i = 0; i < K; i++) await abandonStream(p.relay);
      await new Promise((r) => setTimeout(r, 300));
      if (leaky) {
        expect(await metric(p, RUNNING)).toBe(K);
        expect(p.upstream.stats().clientAborts).toBe(abortsBefore);
        // ...until the upstream finishes: then the sockets come back.
        expect(await settle(p, RUNNING, 0, 3_000)).toBe(0);
      } else {
        expect(await metric(p, RUNNING)).toBe(0);
        expect(p.upstream.stats().clientAborts).toBe(abortsBefore + K);
      }
      expect(await settle(p, 'relay_inflight_requests', 0, 1_000)).toBe(0);
    });
  }
});

describe('retry-timers (seed 001)', () => {
  for (const leaky of [true, false]) {
    it(`${leaky ? 'leaky' : 'fixed'}: ${K} requests aborted in their failover pause → ${leaky ? `${K} timers still armed` : 'no timer left'}`, async () => {
      const p = await start(leaky ? 'retry-timers' : null, 10, { retryDelayMs: 1_500, maxAttempts: 2 });
      const aborts: AbortController[] = [];
      const pending: Array<Promise<unknown>> = [];
      for (let i = 0; i < K; i++) {
        const abort = new AbortController();
        aborts.push(abort);
        pending.push(request(`${p.relay.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
          body: chatBody({ mock_fault: '429' }),
          signal: abort.signal,
        }).catch(() => null));
      }
      expect(await settle(p, RETRY_WAITS, K, 1_000)).toBe(K);
      for (const abort of aborts) abort.abort();
      await Promise.all(pending);
      expect(await settle(p, 'relay_inflight_requests', 0, 1_000)).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(await metric(p, RETRY_WAITS)).toBe(leaky ? K : 0);
      expect((await metrics(p.relay))['relay_requests_total{route="chat_completions",status="499"}']).toBe(K);
    });
  }
});

describe('unbounded-fanout (seed 001)', () => {
  const N = 40;
  const CONCURRENCY = 4;
  const plan: FaultPlan = { rules: [{ fault: 'latency', probability: 1, routes: ['usage'] }], latency: { baseMs: 250, jitterMs: 0 } };

  for (const leaky of [true, false]) {
    it(`${leaky ? 'leaky' : 'fixed'}: a scan of ${N} accounts at concurrency ${CONCURRENCY} → ${leaky ? N : CONCURRENCY} probes at once`, async () => {
      const p = await start(leaky ? 'unbounded-fanout' : null, N, {}, { plan });
      const started = await management(p.relay, 'health-scan', { concurrency: CONCURRENCY });
      expect(started.status).toBe(202);
      let peakWorkers = 0;
      let peakRunning = 0;
      const id = started.json().id as string;
      await waitFor(async () => {
        const m = await metrics(p.relay);
        peakWorkers = Math.max(peakWorkers, m[SCAN_WORKERS] ?? 0);
        peakRunning = Math.max(peakRunning, m[RUNNING] ?? 0);
        return (await management(p.relay, `health-scan/${id}`)).json().state === 'done';
      }, 8_000, 20);
      expect((await management(p.relay, `health-scan/${id}`)).json()).toMatchObject({ state: 'done', done: N });
      expect(peakWorkers).toBe(leaky ? N : CONCURRENCY);
      // Upstream requests on the wire at once (sockets may outnumber them briefly: the pool opens a
      // new one when a worker's next probe comes before its last socket is marked free).
      if (leaky) expect(peakRunning).toBeGreaterThan(CONCURRENCY);
      else expect(peakRunning).toBeLessThanOrEqual(CONCURRENCY);
    });
  }
});

describe('pool-size (seed 001) and --keep-alive-timeout as a true upper bound', () => {
  const BURST = 12;
  const CAP = 4;
  const plan: FaultPlan = { rules: [{ fault: 'latency', probability: 1 }], latency: { baseMs: 200, jitterMs: 0 } };

  for (const leaky of [true, false]) {
    it(`${leaky ? 'leaky' : 'fixed'}: a burst of ${BURST} concurrent requests → ${leaky ? `${BURST} sockets kept idle` : `≤ ${CAP} sockets, closed after the idle timeout`}`, async () => {
      // The fake upstream hints `Keep-Alive: timeout=5`; the relay's 300 ms must win anyway.
      const p = await start(leaky ? 'pool-size' : null, 20, { upstreamConnections: CAP, keepAliveTimeoutMs: 300, maxAttempts: 1 }, { plan });
      const replies = await Promise.all(Array.from({ length: BURST }, () => chat(p.relay)));
      expect(replies.map((r) => r.status)).toEqual(Array(BURST).fill(200));
      const afterBurst = await metric(p, CONNECTED);
      if (leaky) expect(afterBurst).toBe(BURST);
      else expect(afterBurst).toBeLessThanOrEqual(CAP);
      await new Promise((r) => setTimeout(r, 1_200));
      expect(await metric(p, CONNECTED)).toBe(leaky ? BURST : 0);
    });
  }
});
