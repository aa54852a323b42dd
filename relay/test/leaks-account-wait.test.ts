// account-wait-loop (seed 001 P2-10): a request that finds every account
// cooling down waits for one. Driven through the real HTTP path against the
// fake upstream with every account's quota exhausted for an hour, leaky and
// fixed: clients that hang up mid-wait must end the fixed wait at once (the
// cancel check) and leave the leaky loop polling, one armed timer per loop
// and one more registered wait request per poll. Counts are exact, read from
// /metrics; the armed timers are bounded from this process's active
// resources (the relay runs in it, among other timers that come and go).

import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT_WAIT_POLL_MS } from '../account-wait.ts';
import type { RelayOptions } from '../index.ts';
import type { FaultPlan } from '../../mocks/index.ts';
import { chat, chatBody, CLIENT_KEY, closeClients, metrics, startPair, waitFor, type Pair } from './helpers.ts';

const K = 6;
/**
 * Timers of this process that are not the relay's waits: undici's shared
 * timer wheel (one Node timer, armed while any socket keep-alive or headers
 * timeout is pending) can be there when the count is taken and gone when it is
 * read again. A fresh-clone CI run saw exactly that: 2 more timers for 3
 * leaky loops. K is large enough that the slack of one still separates them.
 */
const OTHER_TIMERS_SLACK = 1;
const ACCOUNTS = 3;
/** Every account answers 429 usage_limit_reached resetting in an hour (scenarios/quota-wall.ts). */
const QUOTA_WALL: FaultPlan = { rules: [], accounts: { expiredShare: 0, quotaExhaustedShare: 1, quotaResetSeconds: 3_600 } };

let pair: Pair | undefined;

afterEach(async () => {
  await closeClients();
  await pair?.close();
  pair = undefined;
});

async function start(leaky: boolean, relay: Partial<RelayOptions>): Promise<Pair> {
  pair = await startPair(ACCOUNTS, { shutdownTimeoutMs: 200, ...relay, leaks: new Set(leaky ? ['account-wait-loop'] : []) }, { plan: QUOTA_WALL });
  return pair;
}

const structure = (name: string): string => `relay_structure_entries{structure="${name}"}`;
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** Cools every account down for gpt-5: one request tries all three (--max-attempts 3), each answers 429 with an hour's reset. */
async function exhaust(p: Pair): Promise<void> {
  const reply = await chat(p.relay);
  expect(reply.status).toBe(429);
  expect(p.upstream.stats().faults['quota-exhausted']).toBe(ACCOUNTS);
}

/** A client that hangs up after `ms` (an SDK timeout): resolves once it has. */
async function abandoned(p: Pair, ms: number): Promise<void> {
  await request(`${p.relay.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: chatBody(),
    signal: AbortSignal.timeout(ms),
  }).then(
    () => { throw new Error('the relay answered a request that had no account'); },
    (err: unknown) => { expect((err as Error).name).toMatch(/Abort|Timeout/); },
  );
}

describe('account-wait-loop (seed 001 P2-10)', () => {
  for (const leaky of [true, false]) {
    it(`${leaky ? 'leaky' : 'fixed'}: ${K} clients hang up mid-wait → ${leaky ? `${K} loops still polling, registrations growing` : 'no wait left'}`, async () => {
      // --account-wait longer than the test: only the cancel check can end the fixed waits.
      const p = await start(leaky, { accountWaitMs: 60_000 });
      await exhaust(p);
      const timersBefore = timers();
      await Promise.all(Array.from({ length: K }, () => abandoned(p, 200)));
      // The relay sees each hang-up as its response's 'close'.
      const settled = await waitFor(async () => (await metrics(p.relay))['relay_inflight_requests'] === (leaky ? K : 0), 2_000);
      expect(settled).toBeGreaterThanOrEqual(0);
      const m1 = await metrics(p.relay);
      expect(m1[structure('account_waits')]).toBe(leaky ? K : 0);
      // Other timers of this process (sockets' keep-alives, the fake upstream's) come and go: bounds, not equalities.
      if (leaky) expect(timers() - timersBefore).toBeGreaterThanOrEqual(K - OTHER_TIMERS_SLACK);
      else expect(timers() - timersBefore).toBeLessThanOrEqual(OTHER_TIMERS_SLACK);
      // The leaky loops poll on, each poll one more registered wait request that is never removed.
      await new Promise((r) => setTimeout(r, ACCOUNT_WAIT_POLL_MS + 200));
      const m2 = await metrics(p.relay);
      expect(m2[structure('account_waits')]).toBe(leaky ? 2 * K : 0);
      expect(m2['relay_inflight_requests']).toBe(leaky ? K : 0);
      if (leaky) expect(timers() - timersBefore).toBeGreaterThanOrEqual(K - OTHER_TIMERS_SLACK);
      else expect(timers() - timersBefore).toBeLessThanOrEqual(OTHER_TIMERS_SLACK);
      // No upstream request was made for any of them: there was no account to make it with.
      expect(p.upstream.stats().faults['quota-exhausted']).toBe(ACCOUNTS);
    });
  }

  it('fixed: the wait is bounded by --account-wait, then the 429 with Retry-After', async () => {
    const p = await start(false, { accountWaitMs: 300 });
    await exhaust(p);
    const started = performance.now();
    const pending = chat(p.relay);
    await waitFor(async () => (await metrics(p.relay))[structure('account_waits')] === 1, 1_000);
    const reply = await pending;
    const took = performance.now() - started;
    expect(reply.status).toBe(429);
    expect(Number(reply.headers['retry-after'])).toBeGreaterThan(3_000);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2_000);
    expect((await metrics(p.relay))[structure('account_waits')]).toBe(0);
  });

  it('fixed, default --account-wait 0: the 429 at once, nothing registered', async () => {
    const p = await start(false, {});
    await exhaust(p);
    const started = performance.now();
    expect((await chat(p.relay)).status).toBe(429);
    expect(performance.now() - started).toBeLessThan(ACCOUNT_WAIT_POLL_MS);
    expect((await metrics(p.relay))[structure('account_waits')]).toBe(0);
  });
});
