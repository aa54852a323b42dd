// OpenAI-compatible surface against the real fake upstream: JSON and SSE
// round trips with usage counted from both, the official SDK unchanged
// (base URL swap only), client-facing errors, the idempotency cache.

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, chat, chatBody, CLIENT_KEY, closeClients, management, metrics, startPair, type Pair } from './helpers.ts';

let pair: Pair;

beforeAll(async () => {
  pair = await startPair(20, { bodyLimitBytes: 64 * 1024 });
});

afterAll(async () => {
  await closeClients();
  await pair?.close();
});

function usageOf(id: string) {
  return management(pair.relay, `requests/${id}/usage`).then((r) => r.json() as { usage: { prompt: number; completion: number; total: number } | null; stream: boolean; status: number });
}

describe('chat completions round trips', () => {
  it('relays a JSON completion and counts its usage', async () => {
    const before = await metrics(pair.relay);
    const reply = await chat(pair.relay);
    expect(reply.status).toBe(200);
    const body = reply.json();
    expect(body.object).toBe('chat.completion');
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    const id = reply.headers['x-request-id'] as string;
    const recorded = await usageOf(id);
    expect(recorded.usage).toEqual({ prompt: body.usage.prompt_tokens, completion: body.usage.completion_tokens, total: body.usage.total_tokens });
    const after = await metrics(pair.relay);
    expect(after['relay_usage_tokens_total{kind="completion"}']! - (before['relay_usage_tokens_total{kind="completion"}'] ?? 0)).toBe(body.usage.completion_tokens);
  });

  it('relays an SSE stream verbatim, with [DONE], and counts usage from the final chunk', async () => {
    const reply = await chat(pair.relay, { stream: true, stream_options: { include_usage: true } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/event-stream/);
    const frames = reply.text.split('\n\n').filter((f) => f !== '');
    expect(frames.every((f) => f.startsWith('data: '))).toBe(true);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const usageFrame = JSON.parse(frames.at(-2)!.slice(6));
    expect(usageFrame.usage.total_tokens).toBeGreaterThan(0);
    const recorded = await usageOf(reply.headers['x-request-id'] as string);
    expect(recorded.stream).toBe(true);
    expect(recorded.usage).toEqual({
      prompt: usageFrame.usage.prompt_tokens,
      completion: usageFrame.usage.completion_tokens,
      total: usageFrame.usage.total_tokens,
    });
  });

  it('streams without a usage frame when the client did not ask for one, and records no usage', async () => {
    const reply = await chat(pair.relay, { stream: true });
    expect(reply.status).toBe(200);
    expect(reply.text).not.toContain('"usage"');
    expect((await usageOf(reply.headers['x-request-id'] as string)).usage).toBeNull();
  });

  it('forwards the client body bytes verbatim (the upstream sees the same fault field it was sent)', async () => {
    // The upstream acts on `mock_fault` only if the relay forwarded the body unchanged.
    const before = pair.upstream.stats().faults['500'] ?? 0;
    const reply = await call(`${pair.relay.url}/v1/chat/completions`, {
      body: '{"model":"gpt-5",  "messages":[{"role":"user","content":"x"}], "mock_fault":"500"}',
    });
    expect(reply.status).toBe(500);
    expect((pair.upstream.stats().faults['500'] ?? 0) - before).toBe(3); // maxAttempts accounts, all forced
  });

  it('serves /v1/models', async () => {
    const reply = await call(`${pair.relay.url}/v1/models`);
    expect(reply.status).toBe(200);
    expect(reply.json().data.map((m: { id: string }) => m.id)).toContain('gpt-5');
  });

  it('keeps per-client-key usage in the management summary, never the key itself', async () => {
    const summary = await management(pair.relay, 'usage');
    expect(summary.status).toBe(200);
    expect(summary.text).not.toContain(CLIENT_KEY);
    const s = summary.json();
    expect(s.by_client_key['key-0'].requests).toBeGreaterThan(0);
    expect(s.totals.total).toBeGreaterThan(0);
    expect(s.recent.length).toBeGreaterThan(0);
  });
});

describe('the official openai SDK, base URL swapped only', () => {
  const client = () => new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${pair.relay.url}/v1`, maxRetries: 0 });

  it('creates a completion', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBeTypeOf('string');
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
  });

  it('streams a completion with include_usage', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-5',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let total = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) total = chunk.usage.total_tokens;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(0);
  });

  it('lists models', async () => {
    const page = await client().models.list();
    expect(page.data.length).toBeGreaterThan(0);
  });

  it('surfaces relay errors as typed SDK errors', async () => {
    const bad = new OpenAI({ apiKey: 'sk-not-a-key-0000', baseURL: `${pair.relay.url}/v1`, maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'gpt-5', messages: [] })).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});

describe('client-facing errors', () => {
  const url = () => `${pair.relay.url}/v1/chat/completions`;

  it('401 without a key and with an unknown key', async () => {
    for (const key of [null, 'sk-unknown-000000']) {
      const reply = await call(url(), { body: '{}', key });
      expect(reply.status).toBe(401);
      expect(reply.json().error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    }
  });

  it('400 on malformed JSON, non-object body and missing model', async () => {
    for (const body of ['{"model":', '[1,2]', '{"messages":[]}']) {
      const reply = await call(url(), { body });
      expect(reply.status).toBe(400);
      expect(Object.keys(reply.json().error).sort()).toEqual(['code', 'message', 'type']);
    }
  });

  it('400 on a body not declared JSON, and on a stream flag that is not a boolean (as OpenAI answers)', async () => {
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const reply = await call(url(), { body: chatBody(), headers });
      expect(reply.status).toBe(400);
      expect(reply.json().error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_content_type' });
    }
    for (const stream of ['yes', 1, {}]) {
      const reply = await call(url(), { body: chatBody({ stream }) });
      expect(reply.status).toBe(400);
      expect(reply.json().error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_type' });
      expect(reply.json().error.message).toContain('stream');
    }
    expect((await call(url(), { body: chatBody({ stream: null }), headers: { 'content-type': 'application/json; charset=utf-8' } })).status).toBe(200);
  });

  it('413 over the body limit, declared or chunked', async () => {
    const big = Buffer.alloc(65 * 1024, 'a');
    expect((await call(url(), { body: big })).status).toBe(413);
    // A chunked upload (no Content-Length) is cut once it passes the limit.
    const { Readable } = await import('node:stream');
    const { request } = await import('undici');
    const res = await request(url(), {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: Readable.from([big.subarray(0, 40_000), big.subarray(40_000)]),
    });
    expect(res.statusCode).toBe(413);
    await res.body.dump();
  });

  it('404 on unknown routes and unknown models, 405 on wrong methods', async () => {
    expect((await call(`${pair.relay.url}/v1/nope`)).status).toBe(404);
    const model = await call(url(), { body: '{"model":"gpt-0","messages":[]}' });
    expect(model.status).toBe(404);
    expect(model.json().error.code).toBe('model_not_found');
    const wrong = await call(url(), { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.json().error.code).toBe('method_not_allowed');
    expect((await call(`${pair.relay.url}/v1/models`, { method: 'DELETE' })).status).toBe(405);
  });
});

describe('idempotency cache', () => {
  it('replays a repeated Idempotency-Key without a second upstream call, per client key', async () => {
    const headers = { 'idempotency-key': 'idem-1' };
    const first = await chat(pair.relay, {}, headers);
    const upstreamAfterFirst = pair.upstream.stats().requests;
    const second = await chat(pair.relay, {}, headers);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(pair.upstream.stats().requests).toBe(upstreamAfterFirst);
    const m = await metrics(pair.relay);
    expect(m['relay_idempotency_hits_total']).toBe(1);
    expect(m['relay_structure_entries{structure="idempotency_cache"}']).toBe(1);
  });
});
