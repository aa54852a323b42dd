// Cooldowns and failover against the real fake upstream: Retry-After
// (seconds and HTTP-date) and codex resets_in_seconds honoured, 503 on one
// account served by another, every account cooling → 429 + Retry-After.

import { afterEach, describe, expect, it } from 'vitest';
import { chat, closeClients, management, metrics, servedBy, startPair, waitFor, type Pair } from './helpers.ts';

let pair: Pair | undefined;

afterEach(async () => {
  await closeClients();
  await pair?.close();
  pair = undefined;
});

async function cooldownUntil(p: Pair, authIndex: string): Promise<number> {
  const view = (await management(p.relay, `accounts/${authIndex}`)).json();
  const until = view.models['gpt-5'].cooldown_until as string | null;
  return until === null ? 0 : Date.parse(until);
}

describe('429 cooldowns', () => {
  it('honours Retry-After seconds: the account is skipped until its time, then used again', async () => {
    pair = await startPair(3, { maxAttempts: 1 }, { plan: { rules: [], retryAfterSeconds: 1 } });
    const p = pair;
    const sentAt = Date.now();
    const limited = await chat(p.relay, { mock_fault: '429' });
    expect(limited.status).toBe(429);
    const benched = await servedBy(p.relay, limited);
    const until = await cooldownUntil(p, benched);
    expect(until - sentAt).toBeGreaterThanOrEqual(900);
    expect(until - sentAt).toBeLessThan(1_500);

    const during: string[] = [];
    while (Date.now() < until - 150) {
      const ok = await chat(p.relay);
      expect(ok.status).toBe(200);
      during.push(await servedBy(p.relay, ok));
    }
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during).not.toContain(benched);

    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now() + 20)));
    const after: string[] = [];
    for (let i = 0; i < 3; i++) after.push(await servedBy(p.relay, await chat(p.relay)));
    expect(after).toContain(benched);
  });

  it('honours Retry-After as an HTTP-date', async () => {
    pair = await startPair(3, { maxAttempts: 1 }, { plan: { rules: [], retryAfterSeconds: 3 } });
    const sentAt = Date.now();
    const limited = await chat(pair.relay, { mock_fault: '429-date' });
    expect(limited.status).toBe(429);
    const until = await cooldownUntil(pair, await servedBy(pair.relay, limited));
    // HTTP-dates have 1 s resolution: the cooldown ends within a second of 3 s.
    expect(until - sentAt).toBeGreaterThan(1_900);
    expect(until - sentAt).toBeLessThanOrEqual(3_100);
  });

  it('honours codex resets_in_seconds and never calls a quota-exhausted account again', async () => {
    pair = await startPair(10, { maxAttempts: 4 }, {
      plan: { rules: [], accounts: { expiredShare: 0, quotaExhaustedShare: 0.3, quotaResetSeconds: 3_600 } },
    });
    const p = pair;
    for (let i = 0; i < 20; i++) expect((await chat(p.relay)).status).toBe(200);
    const exhausted = Object.keys(p.upstream.stats().faultsByAccount).map(Number);
    expect(exhausted.length).toBeGreaterThan(0);
    const quotaFaults = p.upstream.stats().faults['quota-exhausted'];
    expect(quotaFaults).toBe(exhausted.length); // each exhausted account was hit exactly once
    for (const index of exhausted) {
      const page = (await management(p.relay, `accounts?offset=${index}&limit=1`)).json();
      const until = Date.parse(page.accounts[0].models['gpt-5'].cooldown_until);
      expect(Math.abs(until - Date.now() - 3_600_000)).toBeLessThan(5_000);
    }
    for (let i = 0; i < 10; i++) expect((await chat(p.relay)).status).toBe(200);
    expect(p.upstream.stats().faults['quota-exhausted']).toBe(quotaFaults);
  });
});

describe('failover', () => {
  it('serves the same request from another account after a 503', async () => {
    pair = await startPair(20, { maxAttempts: 5, retryDelayMs: 5 }, { plan: { seed: 11, rules: [{ fault: '503', probability: 0.3 }] } });
    const p = pair;
    for (let i = 0; i < 30; i++) {
      // Half of them streams: a stream fails over too while nothing has been committed.
      const reply = await chat(p.relay, i % 2 === 0 ? {} : { stream: true });
      expect(reply.status).toBe(200);
      if (i % 2 === 1) expect(reply.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    }
    const injected = p.upstream.stats().faults['503'] ?? 0;
    expect(injected).toBeGreaterThan(0);
    const m = await metrics(p.relay);
    expect(m['relay_failovers_total']).toBe(injected);
    expect(m['relay_upstream_responses_total{status="503"}']).toBe(injected);
    expect(m['relay_accounts{state="cooling"}']).toBe(injected);
  });

  it('answers 429 with Retry-After = earliest recovery when every account cools, without calling the upstream', async () => {
    pair = await startPair(2, { maxAttempts: 2, retryDelayMs: 0 }, { plan: { rules: [], retryAfterSeconds: 5 } });
    const p = pair;
    const first = await chat(p.relay, { mock_fault: '429' });
    expect(first.status).toBe(429);
    expect(Number(first.headers['retry-after'])).toBe(5);
    const upstreamBefore = p.upstream.stats().requests;
    const second = await chat(p.relay);
    expect(second.status).toBe(429);
    expect(second.json().error.code).toBe('rate_limited');
    const retryAfter = Number(second.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(4);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(p.upstream.stats().requests).toBe(upstreamBefore);

    // Management reset brings one back at once.
    const authIndex = (await management(p.relay, 'accounts?limit=1')).json().accounts[0].auth_index;
    expect((await management(p.relay, `accounts/${authIndex}/reset-cooldown`, {})).status).toBe(200);
    expect((await chat(p.relay)).status).toBe(200);
  });

  it('answers 503 no_available_account when every account is disabled', async () => {
    pair = await startPair(3);
    const page = (await management(pair.relay, 'accounts')).json();
    const events = page.accounts.map((a: { auth_index: string }) => ({ auth_index: a.auth_index, op: 'disable' }));
    expect((await management(pair.relay, 'sync/events', { events })).json().applied).toBe(3);
    const before = pair.upstream.stats().requests;
    const reply = await chat(pair.relay);
    expect(reply.status).toBe(503);
    expect(reply.json().error.code).toBe('no_available_account');
    expect(pair.upstream.stats().requests).toBe(before);
  });

  it('fails over on a reset connection, and gives 502 once every attempt broke', async () => {
    pair = await startPair(5, { maxAttempts: 3, retryDelayMs: 0 });
    const reply = await chat(pair.relay, { mock_fault: 'reset' });
    expect(reply.status).toBe(502);
    expect(reply.json().error.code).toBe('upstream_error');
    const m = await metrics(pair.relay);
    expect(m['relay_upstream_errors_total{class="broken"}']).toBe(3);
    expect(m['relay_failovers_total']).toBe(2);
    expect(await waitFor(async () => (await metrics(pair!.relay))['relay_inflight_requests'] === 0, 1_000)).toBeGreaterThanOrEqual(0);
  });
});
