// Seed 002's error-path stalls, driven against the real fake upstream over
// real sockets, leaky and fixed:
//  - error-body-read-fail: a 429 whose body stops arriving. The relay gives up
//    on it at its error-body deadline; the leaky build returns without
//    destroying it (the write-up's `return` before `Close`), so its socket
//    stays pinned; the fixed build destroys it.
//  - headers-timeout: an upstream that never sends headers. The fixed relay's
//    --headers-timeout ends the attempt; the leaky build's 30-minute one keeps
//    the socket for as long as the client waits.
//  - slow streams (the write-up keeps 15 minutes for slow generations): a
//    stream longer in total than the headers and body timeouts, never idle
//    longer than the body (inactivity) timeout, completes in both builds.

import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayOptions } from '../index.ts';
import type { FaultPlan } from '../../mocks/index.ts';
import { chat, chatBody, CLIENT_KEY, closeClients, metrics, startPair, waitFor, type Pair } from './helpers.ts';

const K = 3;
const RUNNING = 'relay_upstream_pool{field="running"}';

let pair: Pair | undefined;

afterEach(async () => {
  await closeClients();
  await pair?.close();
  pair = undefined;
});

async function start(leak: string | null, relay: Partial<RelayOptions>, plan: FaultPlan): Promise<Pair> {
  pair = await startPair(10, { shutdownTimeoutMs: 200, ...relay, leaks: new Set(leak === null ? [] : [leak]) }, { plan });
  return pair;
}

async function running(p: Pair): Promise<number> {
  return (await metrics(p.relay))[RUNNING] ?? Number.NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A streamed chat through the relay, read to its end: status, text, whether [DONE] arrived. */
async function streamThrough(p: Pair, extra: Record<string, unknown>): Promise<{ status: number; text: string; done: boolean; ms: number }> {
  const started = performance.now();
  const res = await request(`${p.relay.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: chatBody({ stream: true, ...extra }),
  });
  let text = '';
  try {
    for await (const chunk of res.body) text += String(chunk);
  } catch {
    // A stream cut after its 200 (the relay destroys the response): the text so far says how far it got.
  }
  return { status: res.statusCode, text, done: text.includes('data: [DONE]'), ms: performance.now() - started };
}

describe('error-body-read-fail (seed 002 RelayErrorHandler: the read fails, the body is never closed)', () => {
  // The upstream stalls its error bodies for 10 s: longer than the test, as a
  // provider that never finishes a body holds it for its own timeout.
  const plan: FaultPlan = { rules: [], stallMs: 10_000 };
  for (const leaky of [true, false]) {
    it(`${leaky ? 'leaky' : 'fixed'}: ${K} stalled 429 bodies → ${leaky ? `${K} pinned connections` : 'none pinned'}`, async () => {
      const p = await start(leaky ? 'error-body-read-fail' : null, { maxAttempts: 1 }, plan);
      const abortsBefore = p.upstream.stats().clientAborts;
      for (let i = 0; i < K; i++) {
        const started = performance.now();
        expect((await chat(p.relay, { mock_fault: '429-stall-body' })).status).toBe(429);
        // Answered at the error-body deadline (1 s), from the status alone, in both builds.
        expect(performance.now() - started).toBeGreaterThanOrEqual(900);
      }
      expect(p.upstream.stats().faults['429-stall-body']).toBe(K);
      if (leaky) {
        // Still pinned well after the answers went out: nobody reads, nobody destroys.
        await sleep(1_500);
        expect(await running(p)).toBe(K);
        expect(p.upstream.stats().clientAborts).toBe(abortsBefore);
      } else {
        expect(await waitFor(async () => (await running(p)) === 0, 1_000)).toBeGreaterThanOrEqual(0);
        expect(await waitFor(() => p.upstream.stats().clientAborts === abortsBefore + K, 1_000)).toBeGreaterThanOrEqual(0);
      }
      // The pool still serves.
      expect((await chat(p.relay)).status).toBe(200);
    });
  }

  it('leaky: a large error body read to the cap is destroyed (that leak is error-body\'s, not this variant\'s)', async () => {
    const p = await start('error-body-read-fail', { maxAttempts: 1 }, plan);
    for (let i = 0; i < K; i++) expect((await chat(p.relay, { mock_fault: '429-large' })).status).toBe(429);
    expect(await waitFor(async () => (await running(p)) === 0, 1_000)).toBeGreaterThanOrEqual(0);
  });
});

describe('headers-timeout (seed 002 原因 B: ResponseHeaderTimeout 30 minutes)', () => {
  const plan: FaultPlan = { rules: [], stallMs: 10_000 };
  for (const leaky of [true, false]) {
    it(`${leaky ? 'leaky' : 'fixed'}: ${K} upstreams that never answer → ${leaky ? `${K} sockets held while the clients wait` : 'released at --headers-timeout'}`, async () => {
      const p = await start(leaky ? 'headers-timeout' : null, { maxAttempts: 1, headersTimeoutMs: 300 }, plan);
      const abort = new AbortController();
      const replies = Array.from({ length: K }, () =>
        request(`${p.relay.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
          body: chatBody({ mock_fault: 'stall-headers' }),
          signal: abort.signal,
        }).then(async (res) => {
          await res.body.dump();
          return res.statusCode;
        }, () => 'aborted' as const),
      );
      await sleep(1_200);
      if (leaky) {
        expect(await running(p)).toBe(K);
        // The client's patience is the socket's life: its hang-up aborts the upstream request.
        abort.abort();
        expect(await Promise.all(replies)).toEqual(Array(K).fill('aborted'));
        expect(await waitFor(async () => (await running(p)) === 0, 1_000)).toBeGreaterThanOrEqual(0);
      } else {
        expect(await running(p)).toBe(0);
        // UND_ERR_HEADERS_TIMEOUT → the relay's 504.
        expect(await Promise.all(replies)).toEqual(Array(K).fill(504));
      }
    });
  }
});

describe('slow streams under the fixed timeouts (seed 002 keeps 15 minutes for 10-minute generations)', () => {
  // Scaled: headers 300 ms and body inactivity 600 ms; the stream lasts
  // 5 × 250 ms = 1.25 s, past both, with every gap under the body timeout.
  const timeouts = { headersTimeoutMs: 300, bodyTimeoutMs: 600 };
  const slow: FaultPlan = { rules: [], slowStream: { chunks: 6, intervalMs: 250 } };
  for (const leak of [null, 'headers-timeout']) {
    it(`${leak ?? 'fixed'}: a stream longer than both timeouts, never idle past the body timeout, completes`, async () => {
      const p = await start(leak, timeouts, slow);
      const r = await streamThrough(p, { mock_fault: 'slow-stream' });
      expect(r.status).toBe(200);
      expect(r.done).toBe(true);
      expect(r.ms).toBeGreaterThanOrEqual(1_000);
    });
  }

  it('control: the same stream with gaps longer than the body timeout is cut (the test reads the inactivity timer)', async () => {
    const p = await start(null, timeouts, { rules: [], slowStream: { chunks: 3, intervalMs: 900 } });
    const r = await streamThrough(p, { mock_fault: 'slow-stream' });
    expect(r.status).toBe(200);
    expect(r.done).toBe(false);
  });
});
