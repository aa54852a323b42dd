// LoadDriver against a node:http stand-in for the relay (real sockets on
// 127.0.0.1). Each test drives 0.5–1.5 s of load and asserts on what the
// stand-in saw as well as on what the driver reports.

import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { authIndexOf } from '../../shared/accounts.ts';
import { defineScenario, resolveScenario, type Mix, type PhaseSettings, type ResolvedPhase } from '../../scenarios/index.ts';
import { createLoad, LoadError, type LoadDriver, type LoadOptions } from './index.ts';
import { connectionsForRate } from './chat-traffic.ts';
import { startStandIn, STAND_IN_KEYS, type StandIn, type StandInBehaviour } from './stand-in.test-support.ts';

const SEED = 3;
const ACCOUNTS = 500;
const never = new AbortController().signal;

let standIn: StandIn | null = null;
let driver: LoadDriver | null = null;

afterEach(async () => {
  await driver?.close();
  await standIn?.close();
  driver = null;
  standIn = null;
});

function phase(mix: Mix, options: { settings?: PhaseSettings; rate?: number; connections?: number; load?: number | { from: number; to: number } } = {}): ResolvedPhase {
  const model = options.connections !== undefined ? { connections: options.connections } : { rate: options.rate ?? 200 };
  const spec = defineScenario({
    name: 'load-test',
    description: 'load driver test',
    defaults: { duration: '60s', accounts: ACCOUNTS, seed: SEED, ...model },
    phases: [{ name: 'p', kind: 'steady', share: 1, mix, settings: options.settings, load: options.load }],
    checkpoints: {},
    thresholds: {},
    variants: [],
  });
  return resolveScenario(spec).phases[0]!;
}

async function setup(behaviour: Partial<StandInBehaviour> = {}, options: LoadOptions = {}): Promise<{ s: StandIn; load: LoadDriver }> {
  standIn = await startStandIn(behaviour);
  driver = createLoad({ url: standIn.url, ...STAND_IN_KEYS, accounts: ACCOUNTS, seed: SEED }, options);
  return { s: standIn, load: driver };
}

describe('open model through autocannon', () => {
  it('a 1 s segment at 200 req/s completes ≈ 200 requests, counted in window() and totals()', async () => {
    const { s, load } = await setup({ latencyMs: 1 });
    const t0 = performance.now();
    await load.runSegment(phase({ chat: 1 }), 1_000, never);
    const took = performance.now() - t0;
    const w = load.window();
    const totals = load.totals();
    // 200 scheduled + at most one opening request per connection.
    expect(totals.requestsCompleted).toBeGreaterThanOrEqual(170);
    expect(totals.requestsCompleted).toBeLessThanOrEqual(200 + connectionsForRate(200) + 10);
    expect(w.requests).toBe(totals.requestsCompleted);
    expect(w.status['2xx']).toBe(w.requests);
    expect(w.errors + w.mismatches + w.timeouts).toBe(0);
    expect(totals.events['chat-error']).toBeUndefined();
    expect(w.latencyMs.p50).toBeGreaterThan(0);
    expect(w.latencyMs.p99).toBeGreaterThanOrEqual(w.latencyMs.p50);
    expect(w.reqPerSec).toBeGreaterThan(100);
    expect(s.route('POST /v1/chat/completions').requests).toBe(totals.requestsCompleted);
    expect(s.authFailures).toBe(0);
    expect(took).toBeLessThan(2_000);
    // The window resets: nothing happened since.
    expect(load.window().requests).toBe(0);
  });

  it('every chat completion answered with an error is a chat-error event; models and successes are not', async () => {
    const { load } = await setup({ chatStatus: 503 });
    await load.runSegment(phase({ chat: 3, models: 1 }, { rate: 100 }), 600, never);
    const w = load.window();
    expect(w.status['5xx']).toBeGreaterThan(10);
    expect(w.status['2xx']).toBeGreaterThan(0); // the /v1/models answers
    expect(load.totals().events['chat-error']).toBe(w.status['5xx']);
  });

  it('a truncated JSON body in a complete 2xx counts as a mismatch, not a 2xx', async () => {
    const { load } = await setup({ chat: 'truncated-json' });
    await load.runSegment(phase({ chat: 1 }, { rate: 100 }), 600, never);
    const w = load.window();
    expect(w.requests).toBeGreaterThan(20);
    expect(w.mismatches).toBe(w.requests);
    expect(w.status['2xx']).toBe(0);
  });

  it('a response cut mid-body counts as an error, and the connection recovers', async () => {
    const { s, load } = await setup({ chat: 'cut' });
    await load.runSegment(phase({ chat: 1 }, { rate: 100 }), 800, never);
    const w = load.window();
    expect(w.status['2xx']).toBe(0);
    expect(w.errors).toBeGreaterThan(10);
    // Every request the stand-in answered by cutting is an error: none vanished.
    expect(w.errors).toBeGreaterThanOrEqual(s.route('POST /v1/chat/completions').requests - 25);
  });

  it('verifies SSE completions end with [DONE] and gives unique Idempotency-Keys', async () => {
    const { s, load } = await setup({ sseEvents: 3 });
    await load.runSegment(phase({ 'chat-stream': 1, 'chat-idempotent': 1, models: 1 }, { rate: 150 }), 700, never);
    const w = load.window();
    expect(w.requests).toBeGreaterThan(60);
    expect(w.mismatches).toBe(0);
    expect(w.status['2xx']).toBe(w.requests);
    expect(s.idempotencyKeys.length).toBeGreaterThan(15);
    expect(new Set(s.idempotencyKeys).size).toBe(s.idempotencyKeys.length);
    expect(load.totals().events['idempotency-key']).toBe(s.idempotencyKeys.length);
  });

  it('closed model: never more requests in flight than connections', async () => {
    const { s, load } = await setup({ latencyMs: 5 });
    await load.runSegment(phase({ chat: 1 }, { connections: 4 }), 600, never);
    const r = s.route('POST /v1/chat/completions');
    expect(r.maxInFlight).toBeLessThanOrEqual(4);
    expect(r.maxInFlight).toBeGreaterThanOrEqual(2);
    // Back to back at ~5 ms: far more than an open model at this size would send.
    expect(r.requests).toBeGreaterThan(100);
  });
});

describe('custom drivers', () => {
  it('stream-abort clients disconnect after k events and the stand-in sees the close', async () => {
    const { s, load } = await setup({ sseEvents: 50, sseGapMs: 10 });
    await load.runSegment(phase({ 'stream-abort': 1 }, { rate: 20, settings: { abortAfterChunks: { min: 3, max: 3 } } }), 800, never);
    const aborts = load.totals().events['sse-abort'] ?? 0;
    expect(aborts).toBeGreaterThanOrEqual(10);
    await sleep(50); // let the server notice the last closes
    expect(s.route('POST /v1/chat/completions').closedEarly).toBe(aborts);
    expect(s.eventsBeforeClose.length).toBe(aborts);
    for (const written of s.eventsBeforeClose) {
      expect(written).toBeGreaterThanOrEqual(3);
      expect(written).toBeLessThanOrEqual(5); // the server may get one event further before it sees the close
    }
  });

  it('a health scan over 500 accounts with concurrency 8 never has more than 8 in flight and covers every account', async () => {
    const { s, load } = await setup({ latencyMs: 3 });
    await load.runSegment(phase({ 'api-call': 1 }, { rate: 3_000, settings: { apiCallConcurrency: 8 } }), 1_500, never);
    const r = s.route('POST /v0/management/api-call');
    expect(r.maxInFlight).toBeLessThanOrEqual(8);
    expect(r.maxInFlight).toBeGreaterThanOrEqual(4);
    expect(r.requests).toBeGreaterThanOrEqual(ACCOUNTS);
    const seen = new Set((s.bodies.get('POST /v0/management/api-call') ?? []).map((b) => (b as { auth_index: string }).auth_index));
    expect(seen.size).toBe(ACCOUNTS);
    for (let i = 0; i < ACCOUNTS; i += 97) expect(seen.has(authIndexOf(SEED, i))).toBe(true);
    const events = load.totals().events;
    expect(events['api-call']).toBe(r.requests);
    expect(events.scan).toBe(Math.floor(r.requests / ACCOUNTS));
    // Demand (3000/s) is above what 8 slots at ~3 ms serve: the cap drops, it does not queue.
    expect(events['load-dropped']).toBeGreaterThan(0);
  });

  it('retry clients retry 429s immediately, bounded by maxTries', async () => {
    const { s, load } = await setup({ chatStatus: 429 });
    await load.runSegment(phase({ retry: 1 }, { rate: 20, settings: { retry: { maxTries: 3 } } }), 700, never);
    const attempts = s.route('POST /v1/chat/completions').requests;
    expect(attempts).toBeGreaterThanOrEqual(30);
    expect(attempts % 3).toBe(0);
    expect(load.totals().events.retry).toBe((attempts / 3) * 2);
    // Every attempt the target answered 429 is an error answer.
    expect(load.totals().events['chat-error']).toBe(attempts);
    const w = load.window();
    expect(w.status['4xx']).toBe(attempts);
  });

  it('retry clients give up on an attempt after retry.giveUpAfter: an event, not an error', async () => {
    const { s, load } = await setup({ latencyMs: 400 });
    await load.runSegment(phase({ retry: 1 }, { rate: 20, settings: { retry: { maxTries: 3, giveUpAfter: 100 } } }), 500, never);
    const attempts = s.route('POST /v1/chat/completions').requests;
    expect(attempts).toBeGreaterThanOrEqual(5);
    // Every attempt was abandoned after 100 ms (the stand-in answers at 400 ms): one give-up per request, no retry.
    expect(load.totals().events['client-gave-up']).toBe(attempts);
    expect(load.totals().events.retry ?? 0).toBe(0);
    const w = load.window();
    expect(w.errors + w.timeouts).toBe(0);
    expect(w.status['2xx']).toBe(0);
  });

  it('account churn sends one chunked snapshot per phase, then incremental events', async () => {
    const { s, load } = await setup();
    const p = phase({ 'sync-event': 1 }, { rate: 20, settings: { sync: { snapshotAtStart: true, snapshotChunk: 100, eventsPerBatch: 5 } } });
    await load.runSegment(p, 500, never);
    await load.runSegment(p, 300, never); // same phase, next segment: no second snapshot
    const chunks = (s.bodies.get('POST /v0/management/sync/snapshot') ?? []) as { sync_id: string; chunk: number; last: boolean; accounts: { auth_index: string }[] }[];
    expect(chunks.map((c) => c.chunk)).toEqual([0, 1, 2, 3, 4]);
    expect(chunks.map((c) => c.last)).toEqual([false, false, false, false, true]);
    expect(new Set(chunks.map((c) => c.sync_id)).size).toBe(1);
    expect(new Set(chunks.flatMap((c) => c.accounts.map((a) => a.auth_index))).size).toBe(ACCOUNTS);
    const batches = (s.bodies.get('POST /v0/management/sync/events') ?? []) as { events: { op: string }[] }[];
    expect(batches.length).toBeGreaterThan(5);
    for (const b of batches) expect(b.events).toHaveLength(5);
    const events = load.totals().events;
    expect(events['sync-event']).toBe(batches.length * 5);
    expect(events['sync-snapshot']).toBe(1);
  });

  it("runs the relay's own health scan, polling until done", async () => {
    const { s, load } = await setup({ scanMs: 100 });
    await load.runSegment(phase({ models: 1 }, { rate: 10, settings: { relayScan: { concurrency: 4, pause: '50ms' } } }), 1_000, never);
    const scans = load.totals().events['relay-scan'] ?? 0;
    expect(scans).toBeGreaterThanOrEqual(2);
    expect(s.route('POST /v0/management/health-scan').requests).toBe(scans);
    expect(s.route('GET /v0/management/health-scan/:id').requests).toBeGreaterThanOrEqual(scans);
    const started = (s.bodies.get('POST /v0/management/health-scan') ?? []) as { concurrency: number }[];
    expect(started.every((b) => b.concurrency === 4)).toBe(true);
  });

  it('marks the windows closed while a relay scan runs (a level read only mid-scan)', async () => {
    const { load } = await setup({ scanMs: 400 });
    load.window();
    const segment = load.runSegment(phase({ models: 1 }, { rate: 10, settings: { relayScan: { concurrency: 4, pause: '50ms' } } }), 600, never);
    await sleep(200);
    expect(load.window().running).toEqual({ 'relay-scan': 1 });
    await segment;
    expect(load.window().running).toBeUndefined();
  });
});

describe('segment boundaries', () => {
  it('runSegment resolves with nothing in flight: in-flight requests finish, every socket closes', async () => {
    const { s, load } = await setup({ latencyMs: 250 });
    await load.runSegment(phase({ chat: 1, 'api-call': 1 }, { rate: 100 }), 500, never);
    expect(s.openRequests()).toBe(0);
    // Requests in flight at the end were allowed to finish, not cut.
    expect(s.route('POST /v1/chat/completions').closedEarly).toBe(0);
    expect(s.route('POST /v0/management/api-call').closedEarly).toBe(0);
    for (let i = 0; i < 20 && s.openSockets() > 0; i++) await sleep(10);
    expect(s.openSockets()).toBe(0);
    expect(load.totals().requestsCompleted).toBe(s.route('POST /v1/chat/completions').requests + s.route('POST /v0/management/api-call').requests);
  });

  it('cuts what does not finish within the drain grace', async () => {
    const { s, load } = await setup({ latencyMs: 3_000 }, { drainGraceMs: 200 });
    const t0 = performance.now();
    await load.runSegment(phase({ chat: 1, retry: 1 }, { rate: 50 }), 300, never);
    expect(performance.now() - t0).toBeLessThan(1_500);
    await sleep(50);
    expect(s.openRequests()).toBe(0);
    expect(load.totals().events['load-killed']).toBeGreaterThan(0);
  });

  it('stops promptly when the signal aborts', async () => {
    const { s, load } = await setup({ latencyMs: 2 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = performance.now();
    await load.runSegment(phase({ chat: 1, 'stream-abort': 1, 'api-call': 1 }), 10_000, ac.signal);
    expect(performance.now() - t0).toBeLessThan(1_000);
    await sleep(50);
    expect(s.openRequests()).toBe(0);
  });

  it('a ramping phase raises the load step by step, continuing across segments', async () => {
    const { s, load } = await setup({}, { rampStepMs: 250 });
    // Phase of 60 s resolved; drive it as if it were 1 s long by scaling: use load 0.1 → 1.
    const p = { ...phase({ chat: 1 }, { rate: 400, load: { from: 0.1, to: 1 } }), durationMs: 1_000 };
    await load.runSegment(p, 500, never);
    const first = s.route('POST /v1/chat/completions').requests;
    await load.runSegment(p, 500, never);
    const second = s.route('POST /v1/chat/completions').requests - first;
    expect(second).toBeGreaterThan(first * 1.5);
  });

  it('closed model: custom drivers get their share of the connections as concurrent loops', async () => {
    const { s, load } = await setup({ latencyMs: 5 });
    await load.runSegment(phase({ chat: 1, 'api-call': 1 }, { connections: 8 }), 500, never);
    for (const route of ['POST /v1/chat/completions', 'POST /v0/management/api-call']) {
      expect(s.route(route).maxInFlight).toBeLessThanOrEqual(4);
      expect(s.route(route).maxInFlight).toBeGreaterThanOrEqual(2);
    }
  });

  it('a dead target: the segment still ends on time, failures counted as errors, no requests completed', async () => {
    const { s, load } = await setup();
    await s.close();
    const t0 = performance.now();
    await load.runSegment(phase({ chat: 1, 'api-call': 1 }, { rate: 50 }), 300, never);
    expect(performance.now() - t0).toBeLessThan(1_500);
    const w = load.window();
    expect(w.errors).toBeGreaterThan(0);
    expect(w.requests).toBe(0);
  });

  it('rejects bad arguments with typed errors that never contain a key', async () => {
    expect(() => createLoad({ url: 'nope', ...STAND_IN_KEYS, accounts: 1, seed: 1 })).toThrow(LoadError);
    try {
      createLoad({ url: 'http://127.0.0.1:1', clientKey: 'sk-secret-value', managementKey: '', accounts: 1, seed: 1 });
      expect.unreachable();
    } catch (err) {
      expect((err as LoadError).code).toBe('SOAK_ERR_LOAD_TARGET');
      expect((err as LoadError).field).toBe('target.managementKey');
      expect((err as Error).message).not.toContain('sk-secret-value');
    }
    const { load } = await setup();
    await expect(load.runSegment(phase({ chat: 1 }), -5, never)).rejects.toMatchObject({ code: 'SOAK_ERR_LOAD_INVALID', field: 'durationMs' });
    await load.close();
    await expect(load.runSegment(phase({ chat: 1 }), 100, never)).rejects.toMatchObject({ code: 'SOAK_ERR_LOAD_CLOSED' });
  });
});
