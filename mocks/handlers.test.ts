// The handlers in-process (msw getResponse, no socket), the bridge's fast
// path against the msw path, response formats, control routes, client aborts
// and close() with stalled sockets.

import { afterEach, describe, expect, it } from 'vitest';
import { getResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Client } from 'undici';
import { UpstreamEngine } from './engine.ts';
import { createHandlers } from './handler-list.ts';
import { startUpstream, type Upstream } from './index.ts';
import { networkErrorKindOf } from './wire.ts';
import { ACCOUNTS, authHeader, CHAT_BODY, observe, SEED, STREAM_BODY, waitFor } from './test-support.ts';

const started: Upstream[] = [];
async function start(options: Partial<Parameters<typeof startUpstream>[0]> = {}): Promise<Upstream> {
  const upstream = await startUpstream({ seed: SEED, accounts: ACCOUNTS, ...options });
  started.push(upstream);
  return upstream;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((u) => u.close()));
});

function chatRequest(headers: Record<string, string> = {}, body = CHAT_BODY): Request {
  return new Request('http://upstream.test/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: authHeader(2), ...headers },
    body,
  });
}

describe('in-process (msw getResponse, no bridge)', () => {
  const engine = new UpstreamEngine({ seed: SEED, accounts: ACCOUNTS });
  const handlers = createHandlers(engine);

  it('serves a completion that echoes the model and carries usage', async () => {
    const body = JSON.stringify({ model: 'gpt-5-mini', messages: [] });
    const response = await getResponse(handlers, chatRequest({}, body));
    expect(response?.status).toBe(200);
    const json = (await response!.json()) as { model: string; object: string; usage: Record<string, number> };
    expect(json.model).toBe('gpt-5-mini');
    expect(json.object).toBe('chat.completion');
    expect(json.usage.total_tokens).toBe(json.usage.prompt_tokens + json.usage.completion_tokens);
  });

  it('expresses wire faults as Fetch signals: RST and FIN as tagged network errors, cuts as stream errors', async () => {
    const rst = await getResponse(handlers, chatRequest({ 'x-mock-fault': 'reset' }));
    expect(networkErrorKindOf(rst!)).toBe('rst');
    const fin = await getResponse(handlers, chatRequest({ 'x-mock-fault': 'empty' }));
    expect(networkErrorKindOf(fin!)).toBe('fin');
    const cut = await getResponse(handlers, chatRequest({ 'x-mock-fault': 'truncate-cl' }));
    expect(cut!.status).toBe(200);
    await expect(cut!.text()).rejects.toMatchObject({ code: 'MOCK_ERR_WIRE_CUT' });
  });

  it('works under setupServer with global fetch', async () => {
    const server = setupServer(...createHandlers(new UpstreamEngine({ seed: SEED, accounts: ACCOUNTS })));
    server.listen({ onUnhandledFrame: 'error' });
    try {
      const ok = await fetch(chatRequest());
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { object: string }).object).toBe('chat.completion');
      const limited = await fetch(chatRequest({ 'x-mock-fault': '429-codex' }));
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('2');
      await limited.body?.cancel();
      await expect(fetch(chatRequest({ 'x-mock-fault': 'reset' }))).rejects.toThrow(TypeError);
    } finally {
      server.close();
    }
  });
});

describe('bridge', () => {
  it('the fast path and the msw path send the same status, headers and body', async () => {
    const fast = await start({ fastPath: true });
    const slow = await start({ fastPath: false });
    const a = await observe(fast.url);
    const b = await observe(slow.url);
    if (a.phase !== 'response' || b.phase !== 'response') throw new Error('expected responses');
    expect(a.status).toBe(b.status);
    // Both are the first completion of a fresh upstream: same id and body. `created` is the
    // second each was answered in: the two requests can straddle a second boundary (seen in CI).
    const body = (t: string) => JSON.parse(t) as { created: number };
    const [ja, jb] = [body(a.text), body(b.text)];
    expect(Math.abs(ja.created - jb.created)).toBeLessThanOrEqual(1);
    expect({ ...ja, created: 0 }).toEqual({ ...jb, created: 0 });
    expect(a.text.length).toBe(b.text.length);
    const strip = (h: Record<string, unknown>) => ({ ...h, date: undefined });
    expect(strip(a.headers)).toEqual(strip(b.headers));
    expect(fast.stats().byRoute).toEqual(slow.stats().byRoute);
  });

  it('streams OpenAI chunks, a usage chunk with choices: [] and [DONE]', async () => {
    const upstream = await start();
    const o = await observe(upstream.url, { body: STREAM_BODY });
    if (o.phase !== 'response') throw new Error(o.error.message);
    expect(o.headers['content-type']).toBe('text/event-stream');
    const events = o.text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gpt-5')).toBe(true);
    const usage = chunks.at(-1);
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBe(16);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
  });

  it('serves models and per-account codex usage; quota-exhausted accounts report limit_reached', async () => {
    const upstream = await start({ plan: { rules: [], accounts: { expiredShare: 0, quotaExhaustedShare: 1, quotaResetSeconds: 900 } } });
    const models = await observe(upstream.url, { method: 'GET', path: '/v1/models' });
    if (models.phase !== 'response') throw new Error('models');
    expect(JSON.parse(models.text).data.map((m: { id: string }) => m.id)).toContain('gpt-5');
    const usage = await observe(upstream.url, { method: 'GET', path: '/backend-api/wham/usage', account: 5 });
    if (usage.phase !== 'response') throw new Error('usage');
    const body = JSON.parse(usage.text);
    expect(body.rate_limit.limit_reached).toBe(true);
    expect(body.rate_limit.primary_window.reset_after_seconds).toBe(900);
    const noToken = await observe(upstream.url, { method: 'GET', path: '/backend-api/wham/usage', headers: { authorization: '' } });
    expect(noToken.phase === 'response' && noToken.status).toBe(401);
  });

  it('PUT /__upstream/plan replaces the plan, or answers 400 naming the field', async () => {
    const upstream = await start();
    const put = (plan: unknown) =>
      observe(upstream.url, { method: 'PUT', path: '/__upstream/plan', body: JSON.stringify(plan) });
    const bad = await put({ rules: [{ fault: '503', probability: 2 }] });
    expect(bad.phase === 'response' && bad.status).toBe(400);
    if (bad.phase === 'response') expect(JSON.parse(bad.text).error.param).toBe('plan.rules[0].probability');
    const ok = await put({ rules: [{ fault: '503', probability: 1 }] });
    expect(ok.phase === 'response' && ok.status).toBe(200);
    const after = await observe(upstream.url);
    expect(after.phase === 'response' && after.status).toBe(503);
    const reset = await observe(upstream.url, { path: '/__upstream/reset', body: '' });
    expect(reset.phase === 'response' && reset.status).toBe(200);
    expect(upstream.stats().faults).toEqual({});
  });

  it('a client abort mid-stream is visible in stats within 1 s, with no stray errors', async () => {
    const errors: unknown[] = [];
    const upstream = await start({ tokenIntervalMs: 50, completionTokens: 200, onError: (e) => errors.push(e) });
    const client = new Client(upstream.url);
    try {
      const res = await client.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: authHeader(1) },
        body: STREAM_BODY,
      });
      const iterator = res.body[Symbol.asyncIterator]();
      await iterator.next(); // the first chunk arrived: the stream is live
      expect(upstream.stats().inFlight).toBe(1);
      res.body.destroy();
      await client.destroy();
      const ms = await waitFor(() => upstream.stats().clientAborts === 1, 1_000);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(upstream.stats().inFlight).toBe(0);
      // A pacing timer that outlived the abort would fire within a few
      // intervals and throw on the cancelled stream (an unhandled error fails
      // the run) or reach onError.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(errors).toEqual([]);
      expect(await waitFor(() => upstream.stats().openConnections === 0, 1_000)).toBeGreaterThanOrEqual(0);
    } finally {
      await client.destroy();
    }
  });

  it('close() returns promptly with stalled requests open', async () => {
    const upstream = await start({ plan: { rules: [], stallMs: 60_000 } });
    const pending = [
      observe(upstream.url, { headers: { 'x-mock-fault': 'stall-headers' } }),
      observe(upstream.url, { headers: { 'x-mock-fault': 'stall-body' } }),
    ];
    expect(await waitFor(() => upstream.stats().inFlight === 2, 2_000)).toBeGreaterThanOrEqual(0);
    const t0 = performance.now();
    await upstream.close();
    expect(performance.now() - t0).toBeLessThan(1_000);
    const outcomes = await Promise.all(pending);
    expect(outcomes.map((o) => o.phase)).toEqual(['request', 'body']);
    // Sockets the upstream closed on shutdown are not client aborts.
    expect(upstream.stats().clientAborts).toBe(0);
  });
});
