// Leak variants in the relay's own state (maps, trackers, listeners, timers,
// caches, clones), each driven K times through the real HTTP paths against
// the real fake upstream, leaky and fixed. Counts are exact, read from
// /metrics (structure sizes, listener counts, clone and eviction counters),
// so each leaky assertion fails if the bug is switched off.

import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { LAZY_BUDGET, LAZY_TICK_MS } from '../idempotency-cache.ts';
import type { RelayOptions } from '../index.ts';
import { chat, chatBody, CLIENT_KEY, closeClients, management, metrics, startPair, waitFor, type Pair } from './helpers.ts';
import { authIndexOf } from '../../shared/accounts.ts';
import { SEED } from './helpers.ts';

const K = 5;
let pair: Pair | undefined;

afterEach(async () => {
  await closeClients();
  await pair?.close();
  pair = undefined;
});

async function start(leak: string | null, accounts: number, relay: Partial<RelayOptions> = {}): Promise<Pair> {
  pair = await startPair(accounts, { shutdownTimeoutMs: 200, ...relay, leaks: new Set(leak === null ? [] : [leak]) });
  return pair;
}

async function metric(p: Pair, name: string): Promise<number> {
  return (await metrics(p.relay))[name] ?? Number.NaN;
}

const structure = (name: string): string => `relay_structure_entries{structure="${name}"}`;
const label = (leaky: boolean): string => (leaky ? 'leaky' : 'fixed');

describe('account-clone (seed 000)', () => {
  const N = 300;
  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} lookups by auth_index over ${N} accounts → ${leaky ? `${K}×${N}` : K} account clones`, async () => {
      const p = await start(leaky ? 'account-clone' : null, N);
      const before = await metric(p, 'relay_account_clones_total');
      for (let i = 0; i < K; i++) {
        const authIndex = authIndexOf(SEED, (i * 37) % N);
        const reply = await management(p.relay, 'api-call', { auth_index: authIndex, path: '/backend-api/wham/usage' });
        expect(reply.json().status_code).toBe(200);
      }
      expect((await metric(p, 'relay_account_clones_total')) - before).toBe(leaky ? K * N : K);
      // The same lookup serves GET accounts/:auth_index; an unknown index costs a full List() when leaky.
      expect((await management(p.relay, `accounts/${authIndexOf(SEED, 1)}`)).status).toBe(200);
      expect((await management(p.relay, 'accounts/0000000000000000')).status).toBe(404);
      expect((await metric(p, 'relay_account_clones_total')) - before).toBe(leaky ? (K + 2) * N : K + 1);
    });
  }
});

describe('sync-tracker (seed 003)', () => {
  const SNAPSHOT = 10;
  const snapshot = (syncId: string, chunk: number, last: boolean, from: number, count: number, disabled = false) => ({
    sync_id: syncId,
    chunk,
    last,
    accounts: Array.from({ length: count }, (_, i) => ({ auth_index: authIndexOf(SEED, from + i), disabled })),
  });

  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} events after an applied snapshot → tracker ${leaky ? `+${K}` : 'empty'}`, async () => {
      const p = await start(leaky ? 'sync-tracker' : null, 50);
      expect((await management(p.relay, 'sync/snapshot', snapshot('s1', 0, true, 0, SNAPSHOT))).json().state).toBe('applied');
      const afterSnapshot = await metric(p, structure('sync_tracker_entries'));
      expect(afterSnapshot).toBe(leaky ? SNAPSHOT : 0);
      for (let i = 0; i < K; i++) {
        const reply = await management(p.relay, 'sync/events', { events: [{ auth_index: authIndexOf(SEED, 20 + i), op: 'priority', value: i }] });
        expect(reply.json()).toEqual({ applied: 1, unknown: 0 });
      }
      expect(await metric(p, structure('sync_tracker_entries'))).toBe(afterSnapshot + (leaky ? K : 0));
      // A new snapshot replaces the tracker: that is the only thing that ever empties the leaky one.
      await management(p.relay, 'sync/snapshot', snapshot('s2', 0, true, 0, 1));
      expect(await metric(p, structure('sync_tracker_entries'))).toBe(leaky ? 1 : 0);
    });
  }

  it('fixed: an event received during a snapshot is replayed after it (the snapshot does not undo it)', async () => {
    const p = await start(null, 50);
    await management(p.relay, 'sync/snapshot', snapshot('s1', 0, false, 0, 5, false));
    await management(p.relay, 'sync/events', { events: [{ auth_index: authIndexOf(SEED, 3), op: 'disable' }] });
    expect(await metric(p, structure('sync_tracker_entries'))).toBe(6);
    const applied = (await management(p.relay, 'sync/snapshot', snapshot('s1', 1, true, 5, 1, false))).json();
    expect(applied).toMatchObject({ state: 'applied', applied: 6, replayed: 1 });
    expect((await management(p.relay, `accounts/${authIndexOf(SEED, 3)}`)).json().disabled).toBe(true);
    expect(await metric(p, structure('sync_tracker_entries'))).toBe(0);
  });
});

describe('listener (project addition)', () => {
  const LISTENERS = 'relay_listeners{emitter="account_events"}';

  async function stream(p: Pair, extra: Record<string, unknown> = {}): Promise<{ status: number; text: string; ended: boolean }> {
    const client = new Client(p.relay.url);
    try {
      const res = await client.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
        body: chatBody({ stream: true, ...extra }),
      });
      let text = '';
      const ended = await new Promise<boolean>((resolve) => {
        res.body.on('data', (c: Buffer) => (text += c.toString()));
        res.body.once('end', () => resolve(true));
        res.body.once('error', () => resolve(false));
      });
      return { status: res.statusCode, text, ended };
    } finally {
      await client.destroy();
    }
  }

  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} finished streams → ${leaky ? K : 0} account-event listeners left`, async () => {
      const p = await start(leaky ? 'listener' : null, 10);
      for (let i = 0; i < K; i++) {
        const s = await stream(p);
        expect(s.status).toBe(200);
        expect(s.text).toContain('[DONE]');
      }
      await waitFor(async () => (await metric(p, 'relay_inflight_requests')) === 0, 1_000);
      expect(await metric(p, LISTENERS)).toBe(leaky ? K : 0);
    });
  }

  it('fixed: disabling the account serving a stream cuts that stream', async () => {
    pair = await startPair(1, { leaks: new Set() }, { tokenIntervalMs: 30, completionTokens: 60 });
    const p = pair;
    const pending = stream(p);
    expect(await waitFor(async () => (await metric(p, LISTENERS)) === 1, 1_000)).toBeGreaterThanOrEqual(0);
    await new Promise((r) => setTimeout(r, 100));
    await management(p.relay, 'sync/events', { events: [{ auth_index: authIndexOf(SEED, 0), op: 'disable' }] });
    const s = await pending;
    expect(s.ended).toBe(false);
    expect(s.text).not.toContain('[DONE]');
    expect(await metric(p, LISTENERS)).toBe(0);
  });
});

describe('lazy-lru (seed 004)', () => {
  const CAP = 5;
  const WRITES = 40;
  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${WRITES} unique Idempotency-Keys at once, cap ${CAP} → ${leaky ? 'the cache outgrows its cap, then drains slowly' : 'never above the cap'}`, async () => {
      const p = await start(leaky ? 'lazy-lru' : null, 20, { idempotencyCacheCap: CAP });
      const started = performance.now();
      const replies = await Promise.all(Array.from({ length: WRITES }, (_, i) => chat(p.relay, {}, { 'idempotency-key': `unique-${i}` })));
      const m = await metrics(p.relay);
      const elapsed = performance.now() - started;
      expect(replies.every((r) => r.status === 200)).toBe(true);
      const size = m[structure('idempotency_cache')]!;
      const evictions = m['relay_idempotency_evictions_total']!;
      expect(m['relay_structure_capacity{structure="idempotency_cache"}']).toBe(CAP);
      // Every write is either still cached or evicted: nothing is lost, nothing counted twice.
      expect(size + evictions).toBe(WRITES);
      if (leaky) {
        // The background drain handled at most LAZY_BUDGET writes per tick that elapsed.
        const ticks = Math.ceil(elapsed / LAZY_TICK_MS) + 1;
        expect(evictions).toBeLessThanOrEqual(LAZY_BUDGET * ticks);
        expect(size - CAP).toBeGreaterThanOrEqual(WRITES - CAP - LAZY_BUDGET * ticks);
        expect(size).toBeGreaterThan(CAP);
        // It does catch up once the writes stop: the leak is a rate race, not a lost eviction.
        expect(await waitFor(async () => (await metric(p, structure('idempotency_cache'))) === CAP, 2_000)).toBeGreaterThanOrEqual(0);
      } else {
        expect(size).toBe(CAP);
        expect(evictions).toBe(WRITES - CAP);
      }
    });
  }
});

describe('inflight-map (seed 001)', () => {
  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} completed requests → ${leaky ? K : 0} in-flight entries`, async () => {
      const p = await start(leaky ? 'inflight-map' : null, 10);
      for (let i = 0; i < K; i++) expect((await chat(p.relay)).status).toBe(200);
      expect(await metric(p, 'relay_inflight_requests')).toBe(leaky ? K : 0);
      expect(await metric(p, structure('inflight_requests'))).toBe(leaky ? K : 0);
      expect((await management(p.relay, 'requests')).json().total).toBe(leaky ? K : 0);
    });
  }
});

describe('inflight-error-path (seed 001 P0-2)', () => {
  // `mock_fault` in the body forces the fault on every attempt (the relay
  // forwards the body verbatim), so failover is exhausted and the client gets
  // the error: 503 after three 503s, 502 after three truncated bodies.
  const ERRORS: ReadonlyArray<{ fault: string; status: number }> = [
    { fault: '503', status: 503 },
    { fault: 'truncate-cl-close', status: 502 },
  ];
  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} successes leave 0 entries, then ${K * ERRORS.length} error answers leave ${leaky ? K * ERRORS.length : 0}`, async () => {
      // Enough accounts that the failed ones cooling down never leave none to try (then the answer is the relay's own 429).
      const p = await start(leaky ? 'inflight-error-path' : null, 100, { retryDelayMs: 0 });
      for (let i = 0; i < K; i++) expect((await chat(p.relay)).status).toBe(200);
      // Successes never leave an entry, leaky or not: it grows with errors, not requests.
      expect(await metric(p, 'relay_inflight_requests')).toBe(0);
      for (const { fault, status } of ERRORS) {
        for (let i = 0; i < K; i++) expect((await chat(p.relay, { mock_fault: fault })).status).toBe(status);
      }
      const kept = leaky ? K * ERRORS.length : 0;
      expect(await metric(p, 'relay_inflight_requests')).toBe(kept);
      expect(await metric(p, structure('inflight_requests'))).toBe(kept);
      const listed = (await management(p.relay, 'requests')).json();
      expect(listed.total).toBe(kept);
      // More successes after the errors add nothing.
      for (let i = 0; i < K; i++) expect((await chat(p.relay)).status).toBe(200);
      expect(await metric(p, 'relay_inflight_requests')).toBe(kept);
    });
  }
});

describe('cancel-poller (seed 001)', () => {
  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} completed requests → ${leaky ? K : 0} pollers still ticking`, async () => {
      const p = await start(leaky ? 'cancel-poller' : null, 10);
      for (let i = 0; i < K; i++) expect((await chat(p.relay)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 600)); // two poll ticks: completion did not stop them
      expect(await metric(p, structure('cancel_pollers'))).toBe(leaky ? K : 0);
    });
  }

  it('leaky: a cancelled request does stop its poller (the only exit the poller has)', async () => {
    const p = await start('cancel-poller', 10);
    const pending = chat(p.relay, { mock_fault: 'stall-headers' });
    let id = '';
    await waitFor(async () => (id = (await management(p.relay, 'requests')).json().inflight[0]?.id ?? '') !== '', 1_000);
    expect(await metric(p, structure('cancel_pollers'))).toBe(1);
    await management(p.relay, `requests/${id}/cancel`, {});
    expect((await pending).status).toBe(499);
    expect(await waitFor(async () => (await metric(p, structure('cancel_pollers'))) === 0, 1_000)).toBeGreaterThanOrEqual(0);
  });
});

describe('usage-plateau (seed 001 P1-8)', () => {
  const TTL = 300;
  const CAP = 3;
  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} requests, ttl ${TTL} ms, cap ${CAP} → ${leaky ? `all ${K} held past the TTL and the cap, then none` : `at most ${CAP}, none past the TTL`}`, async () => {
      const p = await start(leaky ? 'usage-plateau' : null, 10, { completedUsageTtlMs: TTL, completedUsageCap: CAP });
      for (let i = 0; i < K; i++) expect((await chat(p.relay)).status).toBe(200);
      expect(await metric(p, structure('completed_usage'))).toBe(leaky ? K : CAP);
      // Past 1.5 × TTL (the fixed store's longest lifetime: swept every TTL/2): the
      // leaky store keeps records 2 × TTL, with no cap; the fixed one has swept them.
      await new Promise((r) => setTimeout(r, TTL * 1.6));
      expect(await metric(p, structure('completed_usage'))).toBe(leaky ? K : 0);
      // Past 3 × TTL the leaky sweep has run too: a plateau (rate × lifetime), not usage-ttl's unbounded store.
      await new Promise((r) => setTimeout(r, TTL * 3.5));
      expect(await metric(p, structure('completed_usage'))).toBe(0);
    });
  }
});

describe('usage-ttl (seed 001)', () => {
  const TTL = 50;
  const CAP = 3;
  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} requests, ttl ${TTL} ms, cap ${CAP} → ${leaky ? K : 0} usage records after the TTL`, async () => {
      const p = await start(leaky ? 'usage-ttl' : null, 10, { completedUsageTtlMs: TTL, completedUsageCap: CAP });
      for (let i = 0; i < K; i++) expect((await chat(p.relay)).status).toBe(200);
      await new Promise((r) => setTimeout(r, TTL * 4));
      expect(await metric(p, structure('completed_usage'))).toBe(leaky ? K : 0);
      expect(await metric(p, 'relay_structure_capacity{structure="completed_usage"}')).toBe(CAP);
    });
  }
});
