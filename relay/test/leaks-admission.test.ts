// no-admission (seed 002, 添加并发限制): K concurrent chat requests against an
// upstream that stalls every chat request's headers. The fixed relay admits
// --max-inflight of them, queues --admission-queue more and refuses the rest
// at once with 503 + Retry-After (the queued ones too, once their wait runs
// out); the leaky relay admits all K and holds every one of them, each with
// its accepted client socket. Counts are exact, read from /metrics, so the
// leaky assertions fail if the bug is switched off. Plus the semaphore's own
// rules (FIFO hand-off, bounded wait, abort while queued).

import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Admission } from '../admission.ts';
import { chatBody, CLIENT_KEY, closeClients, metrics, startPair, waitFor, type Pair } from './helpers.ts';

const K = 40;
const LIMIT = 6;
const QUEUE = 4;
const WAIT_MS = 300;
let pair: Pair | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await agent?.destroy();
  agent = undefined;
  await closeClients();
  await pair?.close();
  pair = undefined;
});

const label = (leaky: boolean): string => (leaky ? 'leaky' : 'fixed');

describe('no-admission (seed 002)', () => {
  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} requests against stalled headers → ${leaky ? `all ${K} held` : `${LIMIT} admitted, ${QUEUE} queued, the rest 503 + Retry-After`}`, async () => {
      pair = await startPair(
        20,
        { shutdownTimeoutMs: 200, maxInflight: LIMIT, admissionQueue: QUEUE, admissionWaitMs: WAIT_MS, leaks: new Set(leaky ? ['no-admission'] : []) },
        { plan: { rules: [{ fault: 'stall-headers', probability: 1, routes: ['chat'] }], stallMs: 30_000 } },
      );
      const relay = pair.relay;
      const m0 = await metrics(relay);
      expect(m0['relay_admission{field="limit"}']).toBe(LIMIT);
      expect(m0['relay_admission{field="queue_cap"}']).toBe(QUEUE);
      const socketsBefore = m0['relay_structure_entries{structure="client_sockets"}']!;
      agent = new Agent({ connections: K + 4 });
      const controller = new AbortController();
      const statuses: Array<Promise<{ status: number; retryAfter: unknown } | 'aborted'>> = [];
      for (let i = 0; i < K; i++) {
        statuses.push(
          request(`${relay.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
            body: chatBody(),
            dispatcher: agent,
            signal: controller.signal,
          }).then(
            async (res) => {
              await res.body.dump();
              return { status: res.statusCode, retryAfter: res.headers['retry-after'] };
            },
            () => 'aborted' as const,
          ),
        );
      }
      const held = leaky ? K : LIMIT + QUEUE;
      expect(await waitFor(async () => (await metrics(relay))['relay_inflight_requests'] === held, 5_000)).toBeGreaterThanOrEqual(0);
      const m1 = await metrics(relay);
      expect(m1['relay_admission{field="active"}']).toBe(leaky ? K : LIMIT);
      expect(m1['relay_admission{field="queued"}']).toBe(leaky ? 0 : QUEUE);
      // One accepted client socket per held request (the fd each keeps): refused ones are answered and idle.
      expect(m1['relay_structure_entries{structure="client_sockets"}']! - socketsBefore).toBeGreaterThanOrEqual(held);
      if (!leaky) {
        // The queued ones are refused once their wait runs out; the admitted ones stay (the upstream stalls).
        expect(await waitFor(async () => (await metrics(relay))['relay_admission_rejected_total'] === K - LIMIT, WAIT_MS * 10)).toBeGreaterThanOrEqual(0);
        expect((await metrics(relay))['relay_admission{field="queued"}']).toBe(0);
        expect((await metrics(relay))['relay_inflight_requests']).toBe(LIMIT);
      } else {
        await new Promise((r) => setTimeout(r, WAIT_MS * 2));
        const m2 = await metrics(relay);
        expect(m2['relay_admission_rejected_total']).toBe(0);
        expect(m2['relay_inflight_requests']).toBe(K);
      }
      // The clients give up: every held request is released, in both builds.
      controller.abort();
      const answers = await Promise.all(statuses);
      const refused = answers.filter((a) => a !== 'aborted' && a.status === 503);
      expect(refused.length).toBe(leaky ? 0 : K - LIMIT);
      for (const r of refused) expect(r !== 'aborted' && r.retryAfter).toBe('1');
      expect(await waitFor(async () => (await metrics(relay))['relay_inflight_requests'] === 0, 5_000)).toBeGreaterThanOrEqual(0);
      expect((await metrics(relay))['relay_admission{field="active"}']).toBe(0);
    });
  }
});

describe('Admission', () => {
  const never = new AbortController().signal;

  it('hands a released slot to the oldest waiter, FIFO', async () => {
    const a = new Admission(1, 3, 10_000);
    expect(await a.acquire(never)).toBe('admitted');
    const order: number[] = [];
    const waits = [1, 2, 3].map((i) => a.acquire(never).then((r) => (order.push(i), r)));
    expect(a.queued).toBe(3);
    expect(await a.acquire(never)).toBe('rejected'); // queue full
    for (let i = 0; i < 3; i++) a.release();
    expect(await Promise.all(waits)).toEqual(['admitted', 'admitted', 'admitted']);
    expect(order).toEqual([1, 2, 3]);
    expect(a.active).toBe(1);
    a.release();
    expect(a.active).toBe(0);
    expect(a.rejected).toBe(1);
  });

  it('refuses a waiter whose wait runs out, and one with no queue at all', async () => {
    const a = new Admission(1, 1, 20);
    await a.acquire(never);
    expect(await a.acquire(never)).toBe('rejected');
    expect(a.queued).toBe(0);
    expect(await new Admission(0, 0, 1_000).acquire(never)).toBe('rejected');
  });

  it('an abort while queued leaves the queue and rejects with the reason; nothing to release', async () => {
    const a = new Admission(1, 2, 10_000);
    await a.acquire(never);
    const c = new AbortController();
    const w = a.acquire(c.signal);
    c.abort(new Error('client gone'));
    await expect(w).rejects.toThrow('client gone');
    expect(a.queued).toBe(0);
    a.release();
    expect(a.active).toBe(0);
  });

  it('no-admission admits everything at once', async () => {
    const a = new Admission(2, 0, 0, true);
    const results = await Promise.all(Array.from({ length: 10 }, () => a.acquire(never)));
    expect(results.every((r) => r === 'admitted')).toBe(true);
    expect(a.active).toBe(10);
  });
});
