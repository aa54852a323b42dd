// The management API: key enforcement without hints, paginated views without
// secrets, O(1) auth_index lookup at 100 000 accounts, api-call confined to
// the upstream origin, bounded-concurrency health scans, account sync.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenOf, generateAccount } from '../../shared/accounts.ts';
import { call, chat, CLIENT_KEY, closeClients, management, metrics, SEED, startPair, waitFor, type Pair } from './helpers.ts';

const ACCOUNTS = 40;
let pair: Pair;

beforeAll(async () => {
  pair = await startPair(ACCOUNTS, {}, { plan: { rules: [{ fault: 'latency', probability: 1, routes: ['usage'] }], latency: { baseMs: 20, jitterMs: 0 } } });
});

afterAll(async () => {
  await closeClients();
  await pair?.close();
});

describe('management authentication', () => {
  it('refuses without the key, with a wrong key and with a client key: 401, no account data', async () => {
    const authIndex = generateAccount(SEED, 0).authIndex;
    for (const key of [null, 'mk-wrong-key-000000', CLIENT_KEY]) {
      for (const path of ['accounts', `accounts/${authIndex}`, 'no-such-route', 'usage']) {
        const reply = await management(pair.relay, path, undefined, key);
        expect(reply.status).toBe(401);
        expect(reply.text).not.toContain(authIndex);
        expect(reply.text).not.toContain('codex');
        expect(reply.json().error.code).toBe('unauthorized');
      }
    }
    const post = await management(pair.relay, `accounts/${authIndex}/reset-cooldown`, {}, null);
    expect(post.status).toBe(401);
  });

  it('accepts the X-Management-Key header form', async () => {
    const reply = await call(`${pair.relay.url}/v0/management/usage`, { key: null, headers: { 'x-management-key': pair.relay.managementKey } });
    expect(reply.status).toBe(200);
  });
});

describe('accounts', () => {
  it('lists paginated views, never tokens or token metadata', async () => {
    const reply = await management(pair.relay, 'accounts?offset=10&limit=5');
    expect(reply.status).toBe(200);
    const page = reply.json();
    expect(page).toMatchObject({ total: ACCOUNTS, offset: 10, limit: 5 });
    expect(page.accounts.map((a: { index: number }) => a.index)).toEqual([10, 11, 12, 13, 14]);
    for (let i = 10; i < 15; i++) {
      const record = generateAccount(SEED, i);
      expect(reply.text).not.toContain(record.accessToken);
      expect(reply.text).not.toContain(record.metadata.refresh_token!);
      expect(reply.text).not.toContain(record.metadata.id_token!.slice(0, 60));
    }
    expect((await management(pair.relay, 'accounts?limit=0')).status).toBe(400);
    expect((await management(pair.relay, 'accounts?offset=-1')).status).toBe(400);
    expect((await management(pair.relay, 'accounts?offset=1000')).json().accounts).toEqual([]);
  });

  it('gets one account by auth_index, 404 for an unknown one', async () => {
    const record = generateAccount(SEED, 7);
    const reply = await management(pair.relay, `accounts/${record.authIndex}`);
    expect(reply.json()).toMatchObject({ auth_index: record.authIndex, index: 7, state: 'available' });
    expect((await management(pair.relay, 'accounts/ffffffffffffffff')).status).toBe(404);
  });
});

describe('auth_index lookup at 100 000 accounts', () => {
  it('builds exactly one view per lookup, whatever N (no scan, no clone of the set)', async () => {
    const big = await startPair(100_000);
    try {
      for (const index of [0, 54_321, 99_999]) {
        const before = (await metrics(big.relay))['relay_account_views_built_total']!;
        const authIndex = generateAccount(SEED, index).authIndex;
        const reply = await management(big.relay, `accounts/${authIndex}`);
        expect(reply.json().index).toBe(index);
        expect((await metrics(big.relay))['relay_account_views_built_total']! - before).toBe(1);
      }
      const m = await metrics(big.relay);
      expect(m['relay_structure_entries{structure="auth_index_map"}']).toBe(100_000);
    } finally {
      await big.close();
    }
  });
});

describe('api-call', () => {
  it("calls the upstream's usage endpoint on an account's behalf", async () => {
    const record = generateAccount(SEED, 3);
    const reply = await management(pair.relay, 'api-call', { auth_index: record.authIndex, method: 'GET', path: '/backend-api/wham/usage' });
    expect(reply.status).toBe(200);
    const result = reply.json();
    expect(result.status_code).toBe(200);
    expect(typeof result.body).toBe('string');
    expect(reply.text).not.toContain(accessTokenOf(SEED, 3));
    const view = (await management(pair.relay, `accounts/${record.authIndex}`)).json();
    expect(view.quota.last_probe_status).toBe(200);
  });

  it('refuses anything but a path on the upstream origin, and bad fields by name', async () => {
    const authIndex = generateAccount(SEED, 3).authIndex;
    for (const path of ['http://169.254.169.254/latest', '//evil.example/x', 'backend-api/wham/usage', '/\\evil']) {
      const reply = await management(pair.relay, 'api-call', { auth_index: authIndex, method: 'GET', path });
      expect(reply.status).toBe(400);
      expect(reply.json().error.message).toMatch(/^path:/);
    }
    expect((await management(pair.relay, 'api-call', { auth_index: authIndex, method: 'DELETE', path: '/x' })).json().error.message).toMatch(/^method:/);
    expect((await management(pair.relay, 'api-call', { auth_index: 'nope', path: '/x' })).status).toBe(404);
  });
});

describe('health scan', () => {
  it('probes every account with bounded concurrency and reports progress', async () => {
    const started = await management(pair.relay, 'health-scan', { concurrency: 4 });
    expect(started.status).toBe(202);
    const { id } = started.json();
    expect((await management(pair.relay, 'health-scan', {})).status).toBe(409); // one at a time
    let maxUpstreamInFlight = 0;
    let maxWorkers = 0;
    let status: { state: string; total: number; done: number; ok: number; failed: number; finishedAt: string | null } | undefined;
    await waitFor(async () => {
      maxUpstreamInFlight = Math.max(maxUpstreamInFlight, pair.upstream.stats().inFlight);
      maxWorkers = Math.max(maxWorkers, (await metrics(pair.relay))['relay_structure_entries{structure="health_scan_workers"}']!);
      status = (await management(pair.relay, `health-scan/${id}`)).json();
      return status!.state === 'done';
    }, 10_000, 5);
    expect(status).toMatchObject({ state: 'done', total: ACCOUNTS, done: ACCOUNTS, ok: ACCOUNTS, failed: 0 });
    expect(status!.finishedAt).not.toBeNull();
    expect(maxWorkers).toBeGreaterThan(0);
    expect(maxWorkers).toBeLessThanOrEqual(4);
    expect(maxUpstreamInFlight).toBeLessThanOrEqual(4);
    expect((await metrics(pair.relay))['relay_structure_entries{structure="health_scan_workers"}']).toBe(0);
  });

  it('keeps only the last few scans', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { id } = (await management(pair.relay, 'health-scan', { concurrency: 16 })).json();
      ids.push(id);
      await waitFor(async () => (await management(pair.relay, `health-scan/${id}`)).json().state === 'done', 10_000, 5);
    }
    expect((await management(pair.relay, `health-scan/${ids[0]}`)).status).toBe(404);
    expect((await management(pair.relay, `health-scan/${ids[5]}`)).status).toBe(200);
    expect((await metrics(pair.relay))['relay_structure_entries{structure="health_scans"}']).toBe(4);
  });
});

describe('account sync', () => {
  const authIndexOf = (i: number) => generateAccount(SEED, i).authIndex;

  it('applies a chunked snapshot only when the last chunk arrives, then clears the tracker', async () => {
    const disabled = [...Array(ACCOUNTS - 1).keys()]; // all but the last account
    const first = await management(pair.relay, 'sync/snapshot', {
      sync_id: 's1', chunk: 0, last: false,
      accounts: disabled.slice(0, 20).map((i) => ({ auth_index: authIndexOf(i), disabled: true, priority: 1 })),
    });
    expect(first.json()).toMatchObject({ state: 'pending', entries: 20 });
    expect((await metrics(pair.relay))['relay_structure_entries{structure="sync_tracker_entries"}']).toBe(20);
    expect((await metrics(pair.relay))['relay_accounts{state="disabled"}']).toBe(0); // not applied yet
    expect((await management(pair.relay, 'sync/snapshot', { sync_id: 's1', chunk: 2, last: false, accounts: [] })).status).toBe(409);
    const last = await management(pair.relay, 'sync/snapshot', {
      sync_id: 's1', chunk: 1, last: true,
      accounts: [...disabled.slice(20).map((i) => ({ auth_index: authIndexOf(i), disabled: true })), { auth_index: 'unknown0000000000', disabled: true }],
    });
    expect(last.json()).toMatchObject({ state: 'applied', applied: ACCOUNTS - 1, unknown: 1 });
    const m = await metrics(pair.relay);
    expect(m['relay_structure_entries{structure="sync_tracker_entries"}']).toBe(0);
    expect(m['relay_accounts{state="disabled"}']).toBe(ACCOUNTS - 1);
    // Only the one enabled account serves traffic now.
    for (let i = 0; i < 3; i++) {
      const reply = await chat(pair.relay);
      const usage = (await management(pair.relay, `requests/${reply.headers['x-request-id']}/usage`)).json();
      expect(usage.authIndex).toBe(authIndexOf(ACCOUNTS - 1));
    }
  });

  it('applies incremental events at once and validates them by field', async () => {
    const events = [...Array(ACCOUNTS).keys()].map((i) => ({ auth_index: authIndexOf(i), op: 'enable' }));
    const reply = await management(pair.relay, 'sync/events', { events: [...events, { auth_index: authIndexOf(0), op: 'priority', value: 9 }] });
    expect(reply.json()).toEqual({ applied: ACCOUNTS + 1, unknown: 0 });
    expect((await metrics(pair.relay))['relay_accounts{state="disabled"}']).toBe(0);
    expect((await management(pair.relay, `accounts/${authIndexOf(0)}`)).json().priority).toBe(9);
    const bad = await management(pair.relay, 'sync/events', { events: [{ auth_index: authIndexOf(0), op: 'explode' }] });
    expect(bad.status).toBe(400);
    expect(bad.json().error.message).toMatch(/^events\[0\]\.op:/);
  });
});

describe('usage endpoints', () => {
  it('serves the summary and a completed request by id, 404 for unknown ids', async () => {
    const reply = await chat(pair.relay);
    const id = reply.headers['x-request-id'] as string;
    const done = (await management(pair.relay, `requests/${id}/usage`)).json();
    expect(done).toMatchObject({ id, status: 200, stream: false });
    expect(done.usage.total).toBeGreaterThan(0);
    expect((await management(pair.relay, 'requests/nope/usage')).status).toBe(404);
    expect((await management(pair.relay, 'usage')).json().totals.requests).toBeGreaterThan(0);
  });

  it('expires completed-request usage after its TTL (swept by a timer)', async () => {
    const short = await startPair(2, { completedUsageTtlMs: 100 });
    try {
      const reply = await chat(short.relay);
      const id = reply.headers['x-request-id'] as string;
      expect((await management(short.relay, `requests/${id}/usage`)).status).toBe(200);
      const swept = await waitFor(async () => (await metrics(short.relay))['relay_structure_entries{structure="completed_usage"}'] === 0, 2_000);
      expect(swept).toBeGreaterThanOrEqual(0);
      expect((await management(short.relay, `requests/${id}/usage`)).status).toBe(404);
    } finally {
      await short.close();
    }
  });
});
