// Upstream I/O hygiene against the real fake upstream's wire faults: client
// aborts reach the upstream socket, stalls become 504 within the configured
// timeout, truncation becomes 502 (or a cut stream after commit), large error
// bodies never pin a connection, cancellation and shutdown end requests
// cleanly, and the relay stays healthy after every fault.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RelayHandle } from '../index.ts';
import { abandonStream, chat, chatBody, CLIENT_KEY, closeClients, management, MANAGEMENT_KEY, metrics, startPair, waitFor, type Pair } from './helpers.ts';

const BODY_TIMEOUT_MS = 400;
const HEADERS_TIMEOUT_MS = 400;

let pair: Pair;

beforeAll(async () => {
  pair = await startPair(
    10,
    { bodyTimeoutMs: BODY_TIMEOUT_MS, headersTimeoutMs: HEADERS_TIMEOUT_MS, retryDelayMs: 0, maxAttempts: 3 },
    { plan: { rules: [], stallMs: 5_000, latency: { baseMs: 1_500, jitterMs: 0 } }, tokenIntervalMs: 20, completionTokens: 100 },
  );
});

afterEach(async () => {
  await closeClients();
  // Faults cool accounts for a minute; every test starts from a healthy pool.
  const page = (await management(pair.relay, 'accounts?limit=100')).json();
  for (const account of page.accounts) await management(pair.relay, `accounts/${account.auth_index}/reset-cooldown`, {});
});

afterAll(async () => {
  await pair?.close();
});

/** The relay is healthy: a plain request succeeds and nothing is left in flight or pinned. */
async function expectHealthy(p: Pair = pair): Promise<void> {
  expect((await chat(p.relay)).status).toBe(200);
  const settled = await waitFor(async () => {
    const m = await metrics(p.relay);
    return m['relay_inflight_requests'] === 0 && m['relay_upstream_pool{field="running"}'] === 0 && m['relay_structure_entries{structure="retry_waits"}'] === 0;
  }, 2_000);
  expect(settled).toBeGreaterThanOrEqual(0);
}

describe('client disconnects', () => {
  it('a client abort mid-stream closes the upstream socket within 1 s', async () => {
    const before = pair.upstream.stats().clientAborts;
    await abandonStream(pair.relay); // hung up while the stream is flowing (≈ 2 s left)
    const elapsed = await waitFor(() => pair.upstream.stats().clientAborts > before, 1_000);
    expect(elapsed).toBeGreaterThanOrEqual(0);
    expect(elapsed).toBeLessThan(1_000);
    const m = await metrics(pair.relay);
    expect(m['relay_requests_total{route="chat_completions",status="499"}']).toBeGreaterThanOrEqual(1);
    await expectHealthy();
  });
});

describe('stalls', () => {
  it('a stalled upstream body becomes 504 within the body timeout, without failover', async () => {
    const started = performance.now();
    const reply = await chat(pair.relay, { mock_fault: 'stall-body' });
    const elapsed = performance.now() - started;
    expect(reply.status).toBe(504);
    expect(reply.json().error.code).toBe('upstream_timeout');
    expect(elapsed).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(BODY_TIMEOUT_MS + 600);
    expect((await metrics(pair.relay))['relay_upstream_errors_total{class="timeout"}']).toBe(1);
    await expectHealthy();
  });

  it('stalled upstream headers become 504 within the headers timeout', async () => {
    const started = performance.now();
    const reply = await chat(pair.relay, { mock_fault: 'stall-headers' });
    expect(reply.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(HEADERS_TIMEOUT_MS + 600);
    await expectHealthy();
  });
});

describe('truncation and broken connections', () => {
  for (const fault of ['truncate-cl', 'truncate-cl-close', 'truncate-chunked', 'truncate-chunked-close', 'reset', 'empty']) {
    it(`${fault} → 502, never a short 200`, async () => {
      const reply = await chat(pair.relay, { mock_fault: fault });
      expect(reply.status).toBe(502);
      expect(reply.json().error.type).toBe('upstream_error');
      await expectHealthy();
    });
  }

  it('an SSE stream cut after commit is terminated for the client (no [DONE]) and counted', async () => {
    const client = new Client(pair.relay.url);
    try {
      const res = await client.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
        body: chatBody({ stream: true, mock_fault: 'sse-cut' }),
      });
      expect(res.statusCode).toBe(200);
      let text = '';
      const outcome = await new Promise<string>((resolve) => {
        res.body.on('data', (c: Buffer) => (text += c.toString()));
        res.body.once('end', () => resolve('end'));
        res.body.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      expect(outcome).not.toBe('end');
      expect(text).toContain('data: ');
      expect(text).not.toContain('[DONE]');
    } finally {
      await client.destroy();
    }
    expect((await metrics(pair.relay))['relay_streams_terminated_total']).toBe(1);
    await expectHealthy();
  });
});

describe('large error bodies', () => {
  for (const fault of ['429-large', '503-large']) {
    it(`${fault}: the body is capped and destroyed, the connection is never pinned`, async () => {
      const reply = await chat(pair.relay, { mock_fault: fault });
      expect([429, 503]).toContain(reply.status);
      await expectHealthy();
      const settled = await waitFor(() => pair.upstream.stats().inFlight === 0, 1_000);
      expect(settled).toBeGreaterThanOrEqual(0);
    });
  }
});

describe('cancellation', () => {
  it('POST /v0/management/requests/:id/cancel aborts an in-flight request', async () => {
    const pending = chat(pair.relay, { mock_fault: 'latency' });
    let id = '';
    await waitFor(async () => {
      const list = (await management(pair.relay, 'requests')).json();
      id = list.inflight[0]?.id ?? '';
      return id !== '';
    }, 1_000);
    expect(id).not.toBe('');
    const cancelled = await management(pair.relay, `requests/${id}/cancel`, {});
    expect(cancelled.json()).toEqual({ id, cancelled: true });
    const reply = await pending;
    expect(reply.status).toBe(499);
    expect(reply.json().error.code).toBe('request_cancelled');
    expect((await management(pair.relay, `requests/${id}/cancel`, {})).status).toBe(404);
    await expectHealthy();
  });
});

describe('request-scoped upstream errors (local stub upstream: the fake upstream has no 400 fault)', () => {
  let stub: Server;
  let hits = 0;
  let relay: RelayHandle;

  beforeAll(async () => {
    stub = createServer((req, res) => {
      hits++;
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"bad messages","type":"invalid_request_error","code":"invalid_messages"}}');
      });
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    relay = await startRelay({
      upstream: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
      accounts: 5,
      clientKeys: [CLIENT_KEY],
      managementKey: MANAGEMENT_KEY,
    });
  });

  afterAll(async () => {
    await relay?.close();
    await new Promise((r) => stub?.close(r));
  });

  it('passes a 400 through once, without failover or cooldown', async () => {
    const reply = await chat(relay);
    expect(reply.status).toBe(400);
    expect(reply.json().error.code).toBe('invalid_messages');
    expect(hits).toBe(1);
    expect((await metrics(relay))['relay_accounts{state="cooling"}']).toBe(0);
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight request finish within the deadline', async () => {
    const p = await startPair(3, { shutdownTimeoutMs: 3_000 }, { plan: { rules: [], latency: { baseMs: 300, jitterMs: 0 } } });
    const pending = chat(p.relay, { mock_fault: 'latency' });
    await waitFor(async () => (await metrics(p.relay))['relay_inflight_requests'] === 1, 1_000);
    const closed = p.relay.close();
    expect((await pending).status).toBe(200);
    await closed;
    await p.upstream.close();
  });

  it('aborts what is still in flight at the deadline with 503', async () => {
    const p = await startPair(3, { shutdownTimeoutMs: 200 }, { plan: { rules: [], latency: { baseMs: 3_000, jitterMs: 0 } } });
    const pending = chat(p.relay, { mock_fault: 'latency' });
    await waitFor(async () => (await metrics(p.relay))['relay_inflight_requests'] === 1, 1_000);
    const started = performance.now();
    await p.relay.close();
    expect(performance.now() - started).toBeLessThan(1_500);
    const reply = await pending;
    expect(reply.status).toBe(503);
    expect(reply.json().error.code).toBe('shutting_down');
    await p.upstream.close();
  });
});
