// The 64 KiB rule, shown on a real undici Pool: an error body a client never
// reads is fully buffered (and its connection freed) when it fits undici's
// 64 KiB highWaterMark, but pins the connection when it is larger. This is why
// the `-large` faults exist: without them the relay's unread-body leak never shows.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startUpstream, type Upstream } from './index.ts';
import { ACCOUNTS, authHeader, CHAT_BODY, SEED } from './test-support.ts';

let upstream: Upstream;
let pool: Pool;

beforeAll(async () => {
  upstream = await startUpstream({ seed: SEED, accounts: ACCOUNTS });
  pool = new Pool(upstream.url, { connections: 4 });
});

afterAll(async () => {
  await pool.destroy();
  await upstream.close();
});

function requestUnread(kind: string) {
  return pool.request({
    path: '/v1/chat/completions',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: authHeader(1), 'x-mock-fault': kind },
    body: CHAT_BODY,
  });
}

/** Lets undici read what the socket has (the buffered part of the body) before looking at the pool. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

it('a small unread error body does not keep its connection busy', async () => {
  const res = await requestUnread('429');
  expect(res.statusCode).toBe(429);
  await settle();
  expect(pool.stats.running).toBe(0);
  expect(pool.stats.free).toBe(pool.stats.connected);
  await res.body.dump();
});

it('a large (≥ 256 KiB) unread error body pins its connection until dumped', async () => {
  const res = await requestUnread('503-large');
  expect(res.statusCode).toBe(503);
  await settle();
  expect(pool.stats.running).toBe(1);
  expect(pool.stats.free).toBe(pool.stats.connected - 1);
  // Still pinned later: nothing times out a paused body.
  await settle();
  expect(pool.stats.running).toBe(1);
  await res.body.dump();
  await settle();
  expect(pool.stats.running).toBe(0);
});
