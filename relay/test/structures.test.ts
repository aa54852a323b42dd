// Unit tests of the bounded structures and parsers: idempotency LRU,
// completed-usage TTL + cap, usage ledger caps, usage extraction, error
// classification, option validation, leak catalog plumbing.

import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { IdempotencyCache } from '../idempotency-cache.ts';
import { formatCatalog, LEAK_CATALOG, parseLeaks } from '../leaks/catalog.ts';
import { isSameOriginPath } from '../management/upstream-call.ts';
import { resolveOptions } from '../options.ts';
import { classifyUpstreamError, statusForClass } from '../upstream/classify.ts';
import { CompletedUsage } from '../usage/completed-usage.ts';
import { UsageLedger } from '../usage/ledger.ts';
import { usageFromJson, usageFromSseTail } from '../usage/token-usage.ts';

describe('IdempotencyCache', () => {
  it('never exceeds its cap and evicts the least recently used', () => {
    const cache = new IdempotencyCache(3);
    const entry = { status: 200, contentType: 'application/json', body: Buffer.from('{}') };
    for (const k of ['a', 'b', 'c']) cache.set(k, entry);
    cache.get('a'); // a is now the most recent
    cache.set('d', entry);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(entry);
    expect(IdempotencyCache.keyOf(0, 'x')).not.toBe(IdempotencyCache.keyOf(1, 'x'));
  });
});

describe('CompletedUsage', () => {
  let store: CompletedUsage | undefined;
  afterEach(() => store?.close());

  const done = (id: string, completedAt: number) => ({ id, model: 'gpt-5', authIndex: 'x', status: 200, stream: false, usage: null, completedAt, durationMs: 1 });

  it('sweeps expired entries from the oldest and stops at the first live one', () => {
    store = new CompletedUsage(1_000, 100);
    store.record(done('a', 0));
    store.record(done('b', 500));
    store.record(done('c', 2_000));
    store.sweep(1_600);
    expect(store.size).toBe(1);
    expect(store.get('c', 1_600)).toBeDefined();
    expect(store.get('c', 3_000)).toBeUndefined(); // expired even before the sweep runs
  });

  it('holds at most `cap` entries', () => {
    store = new CompletedUsage(60_000, 10);
    for (let i = 0; i < 25; i++) store.record(done(`r${i}`, i));
    expect(store.size).toBe(10);
    expect(store.get('r14', 100)).toBeUndefined();
    expect(store.get('r24', 100)).toBeDefined();
  });
});

describe('UsageLedger', () => {
  const detail = { requestId: 'r', at: 0, clientKey: 0, model: 'gpt-5', authIndex: 'x', status: 200, stream: false, usage: null };

  it('caps distinct counters (overflow folded and counted) and the recent ring', () => {
    const ledger = new UsageLedger(100, 5, 3);
    for (let a = 0; a < 8; a++) ledger.record(0, 0, a, { prompt: 1, completion: 2, total: 3 }, detail);
    expect(ledger.seriesCount).toBe(5);
    expect(ledger.recentCount).toBe(3);
    const summary = ledger.summary(10) as { totals: { requests: number; total: number }; overflowed_records: number; recent: unknown[] };
    expect(summary.totals).toMatchObject({ requests: 8, total: 24 });
    expect(summary.overflowed_records).toBe(3);
    expect(summary.recent).toHaveLength(3);
  });
});

describe('usage extraction', () => {
  it('reads usage from a JSON body and from the last usage frame of an SSE tail', () => {
    expect(usageFromJson(Buffer.from('{"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}'))).toEqual({ prompt: 2, completion: 3, total: 5 });
    expect(usageFromJson(Buffer.from('{"choices":[]}'))).toBeNull();
    const tail = 'ens":1}}\n\ndata: {"choices":[{"delta":{"content":"\\"usage\\""}}]}\n\ndata: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":6,"total_tokens":10}}\n\ndata: [DONE]\n\n';
    expect(usageFromSseTail(tail)).toEqual({ prompt: 4, completion: 6, total: 10 });
    expect(usageFromSseTail('data: {"choices":[]}\n\ndata: [DONE]\n\n')).toBeNull();
  });
});

describe('upstream error classification', () => {
  it('maps undici codes to classes and statuses', () => {
    const cases: Array<[object, string]> = [
      [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'timeout'],
      [{ code: 'UND_ERR_BODY_TIMEOUT' }, 'timeout'],
      [{ code: 'UND_ERR_SOCKET' }, 'broken'],
      [{ code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' }, 'broken'],
      [{ code: 'ECONNRESET' }, 'broken'],
      [{ name: 'HTTPParserError', code: 'HPE_INVALID_EOF_STATE' }, 'broken'],
      [{ code: 'ECONNREFUSED' }, 'connect'],
      [{ name: 'AbortError' }, 'aborted'],
      [{ message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } }, 'broken'],
      [{ code: 'WHATEVER' }, 'other'],
    ];
    for (const [err, cls] of cases) expect(classifyUpstreamError(err)).toBe(cls);
    expect(statusForClass('timeout')).toBe(504);
    expect(statusForClass('broken')).toBe(502);
  });
});

describe('options and leaks', () => {
  const key = (prefix: string) => `${prefix}generated0000`;

  it('fills defaults, generates keys when none are given, and names the flag on bad values', () => {
    const resolved = resolveOptions({ upstream: 'http://127.0.0.1:9', accounts: 3 }, key);
    expect(resolved.bodyLimitBytes).toBe(1024 * 1024);
    expect(resolved.generatedClientKeys && resolved.generatedManagementKey).toBe(true);
    expect(resolved.leaks.size).toBe(0);
    expect(() => resolveOptions({ upstream: 'http://127.0.0.1:9', accounts: 3, port: 1.5 }, key)).toThrow(/^--port: /);
    expect(() => resolveOptions({ upstream: 'http://127.0.0.1:9/v1', accounts: 3 }, key)).toThrow(/^--upstream: /);
    expect(() => resolveOptions({ upstream: 'http://127.0.0.1:9', accounts: 3, clientKeys: ['same-key-123'], managementKey: 'same-key-123' }, key)).toThrow(ConfigError);
  });

  it('validates leak names against the catalog and lists it', () => {
    expect(parseLeaks('').size).toBe(0);
    expect(() => parseLeaks('no-such-leak')).toThrow(/^--leak: unknown leak "no-such-leak"/);
    for (const entry of LEAK_CATALOG) expect(parseLeaks(entry.name).has(entry.name)).toBe(true);
    expect(formatCatalog().length).toBeGreaterThan(0);
  });

  it('confines api-call paths to the upstream origin', () => {
    const origin = 'http://127.0.0.1:8080';
    expect(isSameOriginPath('/backend-api/wham/usage?x=1', origin)).toBe(true);
    for (const path of ['//evil/x', 'http://evil/x', 'x', '/\\evil', '']) expect(isSameOriginPath(path, origin)).toBe(false);
  });
});

describe('usageFromJson on realistic bodies', () => {
  it('finds the top-level usage with nested details, ignoring "usage" inside content', () => {
    const body = JSON.stringify({
      id: 'x',
      choices: [{ message: { content: 'the word "usage": {"prompt_tokens": 999} appears here' } }],
      usage: { prompt_tokens: 11, completion_tokens: 22, total_tokens: 33, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 5 } },
    });
    expect(usageFromJson(Buffer.from(body))).toEqual({ prompt: 11, completion: 22, total: 33 });
    expect(usageFromJson(Buffer.from(JSON.stringify({ choices: [{ message: { content: '"usage": {"prompt_tokens": 1}' } }] })))).toBeNull();
    expect(usageFromJson(Buffer.from('{"usage":{"prompt_tokens":1'))).toBeNull();
  });
});
