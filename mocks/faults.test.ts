// Every fault kind, forced per request, through a real undici client on
// loopback: what the client observes (status, headers, body or error code).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_KINDS, type FaultKind } from './faults.ts';
import { startUpstream, type Upstream } from './index.ts';
import { ACCOUNTS, CHAT_BODY, observe, SEED, STREAM_BODY, waitFor, type Observed } from './test-support.ts';

let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream({
    seed: SEED,
    accounts: ACCOUNTS,
    plan: {
      rules: [],
      stallMs: 3_000,
      retryAfterSeconds: 7,
      latency: { baseMs: 150, jitterMs: 50 },
      dribble: { chunkBytes: 64, intervalMs: 5 },
      slowStream: { chunks: 4, intervalMs: 150 },
    },
    completionTokens: 64,
  });
});

afterAll(async () => {
  await upstream.close();
});

function forced(kind: FaultKind, extra: Parameters<typeof observe>[1] = {}): Promise<Observed> {
  return observe(upstream.url, { ...extra, headers: { 'x-mock-fault': kind, ...extra.headers } });
}

function expectStatus(o: Observed, status: number): Extract<Observed, { phase: 'response' }> {
  if (o.phase !== 'response') throw new Error(`expected a complete response, got ${o.phase} error ${o.error.code}: ${o.error.message}`);
  expect(o.status).toBe(status);
  return o;
}

function errorCode(o: Observed, phase: 'request' | 'body'): string | undefined {
  expect(o.phase, o.phase === 'response' ? `status ${o.status}, ${o.text.length} bytes` : o.error.message).toBe(phase);
  return o.phase === 'response' ? undefined : (o.error.code ?? o.error.name);
}

describe('status faults', () => {
  it('429 carries Retry-After in seconds and an OpenAI-style error', async () => {
    const o = expectStatus(await forced('429'), 429);
    expect(o.headers['retry-after']).toBe('7');
    expect(JSON.parse(o.text).error.code).toBe('rate_limit_exceeded');
  });

  it('429-date carries Retry-After as an HTTP-date about retryAfterSeconds ahead', async () => {
    const o = expectStatus(await forced('429-date'), 429);
    const at = Date.parse(String(o.headers['retry-after']));
    expect(Number.isNaN(at)).toBe(false);
    const ahead = (at - Date.now()) / 1000;
    expect(ahead).toBeGreaterThan(4);
    expect(ahead).toBeLessThanOrEqual(8);
  });

  it('429-codex carries resets_in_seconds in a usage_limit_reached body', async () => {
    const o = expectStatus(await forced('429-codex'), 429);
    const body = JSON.parse(o.text);
    expect(body.error.type).toBe('usage_limit_reached');
    expect(body.error.resets_in_seconds).toBe(7);
    expect(o.headers['retry-after']).toBe('7');
  });

  it('429-large and 503-large send bodies of at least 256 KiB', async () => {
    const a = expectStatus(await forced('429-large'), 429);
    expect(a.text.length).toBeGreaterThanOrEqual(256 * 1024);
    expect(JSON.parse(a.text).error.code).toBe('rate_limit_exceeded');
    const b = expectStatus(await forced('503-large'), 503);
    expect(b.text.length).toBeGreaterThanOrEqual(256 * 1024);
    expect(b.headers['content-type']).toBe('text/html');
  });

  it.each([
    ['503', 503],
    ['500', 500],
    ['502', 502],
    ['504', 504],
    ['expired-token', 401],
    ['quota-exhausted', 429],
  ] as const)('%s → status %i with a small JSON error', async (kind, status) => {
    const o = expectStatus(await forced(kind), status);
    expect(o.text.length).toBeLessThan(1024);
    expect(JSON.parse(o.text).error).toBeDefined();
  });
});

describe('truncations: the undici error code of each form', () => {
  it.each([
    ['truncate-cl', 'UND_ERR_SOCKET'],
    ['truncate-cl-close', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'],
    ['truncate-chunked', 'UND_ERR_SOCKET'],
    ['truncate-chunked-close', 'HTTPParserError'],
  ] as const)('%s → status 200 then body error %s', async (kind, code) => {
    const o = await forced(kind);
    expect(errorCode(o, 'body')).toBe(code);
    if (o.phase === 'body') {
      expect(o.status).toBe(200);
      if (code === 'HTTPParserError') expect(o.error.message).toMatch(/EOF/);
      const declared = o.headers['content-length'];
      expect(declared === undefined).toBe(kind.startsWith('truncate-chunked'));
    }
  });

  it.each([
    ['sse-cut', 'UND_ERR_SOCKET'],
    ['sse-cut-close', 'HTTPParserError'],
  ] as const)('%s → event stream then body error %s', async (kind, code) => {
    const o = await forced(kind, { body: STREAM_BODY });
    expect(errorCode(o, 'body')).toBe(code);
    if (o.phase === 'body') {
      expect(o.headers['content-type']).toBe('text/event-stream');
      if (code === 'HTTPParserError') expect(o.error.message).toMatch(/EOF/);
    }
  });
});

describe('connection faults before the headers', () => {
  it('reset → the request fails with ECONNRESET (RST)', async () => {
    expect(errorCode(await forced('reset'), 'request')).toBe('ECONNRESET');
  });

  it('empty → the request fails with UND_ERR_SOCKET (FIN, no status line)', async () => {
    expect(errorCode(await forced('empty'), 'request')).toBe('UND_ERR_SOCKET');
  });
});

describe('stalls and slowness', () => {
  it('stall-headers → UND_ERR_HEADERS_TIMEOUT, and the upstream sees the client leave', async () => {
    const aborts = upstream.stats().clientAborts;
    const o = await forced('stall-headers', { headersTimeout: 300 });
    expect(errorCode(o, 'request')).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(o.ms).toBeGreaterThanOrEqual(250);
    expect(o.ms).toBeLessThan(2_500);
    expect(await waitFor(() => upstream.stats().clientAborts > aborts, 1_000)).toBeGreaterThanOrEqual(0);
  });

  it('stall-body → status 200, then UND_ERR_BODY_TIMEOUT', async () => {
    const o = await forced('stall-body', { bodyTimeout: 300 });
    expect(errorCode(o, 'body')).toBe('UND_ERR_BODY_TIMEOUT');
    if (o.phase === 'body') expect(o.status).toBe(200);
  });

  it('stall-body ends on its own after stallMs when the client waits longer', async () => {
    const o = await forced('stall-body', { bodyTimeout: 10_000 });
    expect(errorCode(o, 'body')).toBe('UND_ERR_SOCKET');
    expect(o.ms).toBeGreaterThanOrEqual(2_900);
  });

  it('429-stall-body → status 429 with Retry-After, then UND_ERR_BODY_TIMEOUT on the error body', async () => {
    const o = await forced('429-stall-body', { bodyTimeout: 300 });
    expect(errorCode(o, 'body')).toBe('UND_ERR_BODY_TIMEOUT');
    if (o.phase === 'body') {
      expect(o.status).toBe(429);
      expect(o.headers['retry-after']).toBe('7');
      expect(o.headers['content-length']).toBeUndefined();
    }
  });

  it('slow-stream → a complete SSE stream (even for a JSON request), in chunks intervalMs apart', async () => {
    const o = expectStatus(await forced('slow-stream'), 200);
    expect(o.headers['content-type']).toBe('text/event-stream');
    expect(o.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    // 4 writes, 150 ms apart: 3 intervals, minus timer slack.
    expect(o.ms).toBeGreaterThanOrEqual(3 * 150 * 0.8);
    expect(o.ms).toBeLessThan(3_000);
  });

  it('dribble → the complete body, in many small writes', async () => {
    const o = expectStatus(await forced('dribble'), 200);
    const body = JSON.parse(o.text);
    expect(body.object).toBe('chat.completion');
    const chunks = Math.ceil(Buffer.byteLength(o.text) / 64);
    expect(chunks).toBeGreaterThan(5);
    // One chunk per 5 ms interval: at least (chunks - 1) intervals, minus timer slack.
    expect(o.ms).toBeGreaterThanOrEqual((chunks - 1) * 5 * 0.8);
  });

  it('latency → a normal 200 after baseMs ± jitterMs', async () => {
    const o = expectStatus(await forced('latency'), 200);
    expect(JSON.parse(o.text).object).toBe('chat.completion');
    expect(o.ms).toBeGreaterThanOrEqual(95);
    expect(o.ms).toBeLessThan(1_000);
  });
});

describe('forcing and accounting', () => {
  it('the mock_fault body field forces a fault like the header', async () => {
    const body = JSON.stringify({ ...JSON.parse(CHAT_BODY), mock_fault: '502' });
    expectStatus(await observe(upstream.url, { body }), 502);
  });

  it('an unknown forced kind is a 400 naming the header', async () => {
    const o = expectStatus(await forced('nope' as FaultKind), 400);
    expect(JSON.parse(o.text).error.param).toBe('x-mock-fault');
  });

  it('a missing or unknown token is a 401 that is not counted as a fault', async () => {
    const before = upstream.stats();
    const o = expectStatus(await observe(upstream.url, { headers: { authorization: 'Bearer cxat.1.0000' } }), 401);
    expect(o.text).not.toContain('cxat');
    const after = upstream.stats();
    expect(after.unauthorized).toBe(before.unauthorized + 1);
    expect(after.faults).toEqual(before.faults);
  });

  it('faults count by kind and by account', async () => {
    upstream.resetStats();
    await forced('500', { account: 3 });
    await forced('500', { account: 3 });
    await forced('502', { account: 4 });
    const stats = upstream.stats();
    expect(stats.faults).toEqual({ '500': 2, '502': 1 });
    expect(stats.faultsByAccount).toEqual({ '3': { '500': 2 }, '4': { '502': 1 } });
  });

  it('every fault kind has a test above', () => {
    // Guards the table: a new kind without a wire test fails here.
    const tested = new Set([
      '429', '429-date', '429-codex', '429-large', '503', '503-large', '500', '502', '504',
      'truncate-cl', 'truncate-cl-close', 'truncate-chunked', 'truncate-chunked-close', 'sse-cut', 'sse-cut-close',
      'stall-body', 'stall-headers', 'dribble', 'latency', 'reset', 'empty', 'expired-token', 'quota-exhausted',
      '429-stall-body', 'slow-stream',
    ]);
    expect(FAULT_KINDS.filter((k) => !tested.has(k))).toEqual([]);
  });
});
