// Seed 001's executor leaks, leaky and fixed, through the real HTTP paths
// against the real fake upstream, read from /metrics and the management API:
//  - task-contexts (P0-5): every chat request's execution context stays in
//    the registry once the request ended, on every path;
//  - orphan-tasks (P0-9): the request-state sync is a floating promise per
//    request, so while the sink stalls they pile up without bound or deadline.
// Each leaky assertion fails when the bug is switched off.

import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultPlan } from '../../mocks/index.ts';
import type { RelayOptions } from '../index.ts';
import { chat, chatBody, CLIENT_KEY, closeClients, management, metrics, startPair, waitFor, type Pair } from './helpers.ts';

const K = 5;
let pair: Pair | undefined;

afterEach(async () => {
  await closeClients();
  await pair?.close();
  pair = undefined;
});

async function start(leak: string | null, relay: Partial<RelayOptions> = {}, plan?: FaultPlan): Promise<Pair> {
  pair = await startPair(100, { shutdownTimeoutMs: 200, ...relay, leaks: new Set(leak === null ? [] : [leak]) }, plan === undefined ? {} : { plan });
  return pair;
}

async function metric(p: Pair, name: string): Promise<number> {
  return (await metrics(p.relay))[name] ?? Number.NaN;
}

const CONTEXTS = 'relay_structure_entries{structure="request_contexts"}';
const TASKS = 'relay_structure_entries{structure="background_tasks"}';
const outcome = (o: string): string => `relay_background_tasks_total{outcome="${o}"}`;
const label = (leaky: boolean): string => (leaky ? 'leaky' : 'fixed');

/** A chat request whose client hangs up while the upstream stalls (the abort path). */
async function abandoned(p: Pair): Promise<void> {
  const client = new Client(p.relay.url);
  const controller = new AbortController();
  const pending = client
    .request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: chatBody({ mock_fault: 'stall-headers' }),
      signal: controller.signal,
    })
    .catch(() => undefined);
  expect(await waitFor(async () => (await metric(p, 'relay_inflight_requests')) === 1, 2_000)).toBeGreaterThanOrEqual(0);
  controller.abort();
  await pending;
  await client.destroy();
  expect(await waitFor(async () => (await metric(p, 'relay_inflight_requests')) === 0, 2_000)).toBeGreaterThanOrEqual(0);
}

describe('task-contexts (seed 001 P0-5)', () => {
  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${K} successes, ${K} error answers and an abandoned request → ${leaky ? 2 * K + 1 : 0} contexts left`, async () => {
      const p = await start(leaky ? 'task-contexts' : null, { retryDelayMs: 0 });
      const ids: string[] = [];
      for (let i = 0; i < K; i++) {
        const r = await chat(p.relay);
        expect(r.status).toBe(200);
        ids.push(r.headers['x-request-id'] as string);
      }
      // Three 503s on three accounts: the error path.
      for (let i = 0; i < K; i++) expect((await chat(p.relay, { mock_fault: '503' })).status).toBe(503);
      await abandoned(p);
      const kept = leaky ? 2 * K + 1 : 0;
      expect(await metric(p, CONTEXTS)).toBe(kept);
      expect((await management(p.relay, 'contexts')).json().total).toBe(kept);
      const one = await management(p.relay, `requests/${ids[0]}/context`);
      if (leaky) {
        // Everything the request produced is still there: its path, the upstream's headers, its usage.
        const ctx = one.json();
        expect(ctx.variables.model).toBe('gpt-5');
        expect(ctx.variable_sources.model).toBe('body');
        expect(ctx.execution_path).toHaveLength(1);
        expect(ctx.execution_path[0]).toMatchObject({ step: 'upstream', attempt: 0, status: 200, result: 'done' });
        expect(ctx.block_outputs['upstream-0'].headers['content-type']).toContain('application/json');
        expect(ctx.outputs.status).toBe(200);
        expect(ctx.outputs.usage.total).toBeGreaterThan(0);
      } else {
        expect(one.status).toBe(404);
      }
    });
  }

  it('fixed: a running request shows its live context (one step per attempt), gone once it ends', async () => {
    const p = await start(null);
    const pending = chat(p.relay, { mock_fault: 'stall-headers' });
    let id = '';
    await waitFor(async () => (id = (await management(p.relay, 'requests')).json().inflight[0]?.id ?? '') !== '', 2_000);
    const live = (await management(p.relay, `requests/${id}/context`)).json();
    expect(live.execution_path).toHaveLength(1);
    expect(live.execution_path[0].result).toBe('running');
    expect(await metric(p, CONTEXTS)).toBe(1);
    await management(p.relay, `requests/${id}/cancel`, {});
    expect((await pending).status).toBe(499);
    expect(await metric(p, CONTEXTS)).toBe(0);
  });
});

describe('orphan-tasks (seed 001 P0-9)', () => {
  const N = 12;
  const MAX_TASKS = 4;
  const TIMEOUT_MS = 400;
  // The sink stalls every sync (no answer for 5 s, then a reset); chat is unaffected.
  const STALLED_SINK: FaultPlan = { rules: [{ fault: 'stall-headers', probability: 1, routes: ['state'] }], stallMs: 5_000 };
  const sync = { stateSync: true, stateSyncMaxTasks: MAX_TASKS, stateSyncTimeoutMs: TIMEOUT_MS };

  for (const leaky of [true, false]) {
    it(`${label(leaky)}: ${N} requests while the sink stalls → ${leaky ? `${N} syncs pending past the deadline` : `at most ${MAX_TASKS}, each cut at ${TIMEOUT_MS} ms, the rest dropped`}`, async () => {
      const p = await start(leaky ? 'orphan-tasks' : null, sync, STALLED_SINK);
      const replies = await Promise.all(Array.from({ length: N }, () => chat(p.relay)));
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(await metric(p, TASKS)).toBe(leaky ? N : MAX_TASKS);
      await new Promise((r) => setTimeout(r, TIMEOUT_MS * 2));
      const m = await metrics(p.relay);
      if (leaky) {
        // Nothing bounds, times out or counts them: all still pending, none ended.
        expect(m[TASKS]).toBe(N);
        expect(m[outcome('timeout')]! + m[outcome('dropped')]! + m[outcome('failed')]!).toBe(0);
      } else {
        expect(m[TASKS]).toBe(0);
        expect(m[outcome('timeout')]).toBe(MAX_TASKS);
        expect(m[outcome('dropped')]).toBe(N - MAX_TASKS);
      }
    });
  }

  for (const leaky of [true, false]) {
    it(`${label(leaky)}: a healthy sink gets one state post per request and nothing stays pending`, async () => {
      const p = await start(leaky ? 'orphan-tasks' : null, sync);
      for (let i = 0; i < K; i++) expect((await chat(p.relay)).status).toBe(200);
      expect(await waitFor(async () => (await metric(p, outcome('ok'))) === K, 2_000)).toBeGreaterThanOrEqual(0);
      expect(await metric(p, TASKS)).toBe(0);
      expect(p.upstream.stats().byRoute['POST /backend-api/request-state']).toBe(K);
    });
  }

  it('fixed: a sink that refuses (5xx) is counted as failed, never an unhandled rejection', async () => {
    const p = await start(null, sync, { rules: [{ fault: '503', probability: 1, routes: ['state'] }] });
    for (let i = 0; i < K; i++) expect((await chat(p.relay)).status).toBe(200);
    expect(await waitFor(async () => (await metric(p, outcome('failed'))) === K, 2_000)).toBeGreaterThanOrEqual(0);
  });

  it('off by default: no state post', async () => {
    const p = await start(null);
    expect((await chat(p.relay)).status).toBe(200);
    expect(p.upstream.stats().byRoute['POST /backend-api/request-state']).toBeUndefined();
    expect(await metric(p, TASKS)).toBe(0);
  });
});
