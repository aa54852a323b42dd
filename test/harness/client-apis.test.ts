// The three client APIs end to end at the HTTP level: the fake upstream's
// Chat Completions, Responses and Messages routes (JSON and SSE) answer what
// the load's body checks accept, and every fault the plan can put on a
// completion (forced here with x-mock-fault) fails those checks or the
// request, exactly as it does for chat. Real socket on 127.0.0.1.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { startUpstream } from '../../mocks/index.ts';
import { accessTokenOf } from '../../shared/accounts.ts';
import { API_PROFILE, type ApiProfileName } from '../../harness/load/client-api.ts';

const SEED = 7;
const ACCOUNTS = 20;
let upstream: Awaited<ReturnType<typeof startUpstream>>;

beforeAll(async () => {
  upstream = await startUpstream({ seed: SEED, accounts: ACCOUNTS });
});
afterAll(async () => {
  await upstream?.close();
});

interface Answer {
  status: number;
  text: string | null;
  error: string | null;
  contentType: string | null;
}

async function call(api: ApiProfileName, stream: boolean, headers: Record<string, string> = {}): Promise<Answer> {
  const client = new Client(upstream.url, { headersTimeout: 5_000, bodyTimeout: 5_000 });
  const profile = API_PROFILE[api];
  try {
    const res = await client.request({
      method: 'POST',
      path: profile.path,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessTokenOf(SEED, 3)}`, ...profile.headers, ...headers },
      body: profile.body('gpt-5', 1, stream ? { includeUsage: true } : false),
    });
    try {
      return { status: res.statusCode, text: await res.body.text(), error: null, contentType: String(res.headers['content-type']) };
    } catch (err) {
      return { status: res.statusCode, text: null, error: (err as Error).message, contentType: null };
    }
  } catch (err) {
    return { status: 0, text: null, error: (err as Error).message, contentType: null };
  } finally {
    await client.destroy();
  }
}

const passes = (api: ApiProfileName, stream: boolean, a: Answer) =>
  a.status === 200 && a.text !== null && (stream ? API_PROFILE[api].isCompleteStream(a.text) : API_PROFILE[api].isComplete(a.text));

describe('fake upstream: each client API answers what the load’s checks accept', () => {
  for (const api of ['chat', 'responses', 'messages'] as const) {
    for (const stream of [false, true]) {
      it(`${api} ${stream ? 'SSE' : 'JSON'}: a complete answer passes, and its own truncations fail`, async () => {
        const a = await call(api, stream);
        expect(a.status, a.text ?? a.error ?? '').toBe(200);
        expect(a.contentType).toContain(stream ? 'text/event-stream' : 'application/json');
        expect(passes(api, stream, a), a.text!).toBe(true);
        // Every prefix of the body (what a relay passing a cut upstream body through sends) fails the checks.
        const text = a.text!;
        const step = Math.max(1, Math.floor(text.length / 40));
        for (let cut = 0; cut < text.length - 1; cut += step) {
          const check = stream ? API_PROFILE[api].isCompleteStream : API_PROFILE[api].isComplete;
          expect(check(text.slice(0, cut)), `${api} cut at ${cut}/${text.length}`).toBe(false);
        }
      });
    }
  }

  it('the other profiles’ checks refuse a chat body (a relay answering the wrong API is caught)', async () => {
    const chat = await call('chat', false);
    expect(API_PROFILE.responses.isComplete(chat.text!)).toBe(false);
    expect(API_PROFILE.messages.isComplete(chat.text!)).toBe(false);
    const chatStream = await call('chat', true);
    expect(API_PROFILE.responses.isCompleteStream(chatStream.text!)).toBe(false);
    expect(API_PROFILE.messages.isCompleteStream(chatStream.text!)).toBe(false);
  });

  it('Messages takes the Anthropic key header (x-api-key) too; an unknown key is 401 on every API', async () => {
    const a = await call('messages', false, { authorization: '', 'x-api-key': accessTokenOf(SEED, 5) });
    expect(a.status).toBe(200);
    for (const api of ['chat', 'responses', 'messages'] as const) expect((await call(api, false, { authorization: 'Bearer sk-nope-000000' })).status).toBe(401);
  });
});

describe('fake upstream: faults apply to Responses and Messages as to chat', () => {
  for (const api of ['responses', 'messages'] as const) {
    it(`${api}: 429 / 503 statuses, cut bodies and cut streams`, async () => {
      expect((await call(api, false, { 'x-mock-fault': '429' })).status).toBe(429);
      expect((await call(api, true, { 'x-mock-fault': '503' })).status).toBe(503);
      for (const fault of ['truncate-cl', 'truncate-chunked', 'sse-cut']) {
        for (const stream of [false, true]) {
          const a = await call(api, stream, { 'x-mock-fault': fault });
          // The client sees a body error (the cut), never a body that passes.
          expect(passes(api, stream, a), `${api} ${fault} ${stream}: ${a.status} ${a.error} ${a.text?.slice(0, 80)}`).toBe(false);
          expect(a.error).not.toBeNull();
        }
      }
      const before = upstream.stats().faults['429'] ?? 0;
      await call(api, false, { 'x-mock-fault': '429' });
      expect(upstream.stats().faults['429']).toBe(before + 1);
    });

    it(`${api}: a plan's chat sequence scripts its requests step by step`, async () => {
      upstream.setPlan({ rules: [], sequences: [{ account: 3, steps: ['429', '503', 'ok', 'truncate-cl'] }] });
      try {
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await call(api, false)).status);
        expect(statuses).toEqual([429, 503, 200]);
        const cut = await call(api, false);
        expect(passes(api, false, cut)).toBe(false);
        expect((await call(api, false)).status).toBe(200);
      } finally {
        upstream.setPlan({ rules: [] });
      }
    });

    it(`${api}: the plan's chat rules draw faults for it (probability 1 → every request)`, async () => {
      upstream.setPlan({ rules: [{ fault: '503', probability: 1 }] });
      try {
        expect((await call(api, false)).status).toBe(503);
        expect((await call(api, true)).status).toBe(503);
      } finally {
        upstream.setPlan({ rules: [] });
      }
      expect((await call(api, false)).status).toBe(200);
    });
  }
});
