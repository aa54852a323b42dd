// Unit tests of the pure parts: cooldown rules, the cooling heap, the pool's
// selection and bookkeeping. No sockets.

import { describe, expect, it } from 'vitest';
import { backoffDelay, codexResetDelay, COOLDOWN_MS, cooldownFor429, cooldownForStatus, isAccountScoped, parseRetryAfter } from '../accounts/cooldown.ts';
import { CoolingHeap } from '../accounts/cooling-heap.ts';
import { AccountPool, modelIndexOf } from '../accounts/pool.ts';
import { createRng } from '../../shared/prng.ts';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('cooldown rules', () => {
  it('parses Retry-After as seconds or HTTP-date', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7_000);
    expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90_000);
    expect(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('999999999', NOW)).toBe(24 * 3_600_000); // capped
  });

  it('reads codex resets_in_seconds only from a usage_limit_reached body', () => {
    const codex = Buffer.from('{"error":{"type":"usage_limit_reached","resets_in_seconds":321}}');
    expect(codexResetDelay(codex)).toBe(321_000);
    expect(codexResetDelay(Buffer.from('{"error":{"type":"rate_limit","resets_in_seconds":5}}'))).toBeUndefined();
    expect(codexResetDelay(Buffer.from('{"error":{"type":"usage_limit_reached","resets_in_seconds'))).toBeUndefined();
  });

  it('429: codex body first, then Retry-After, then exponential backoff capped at 30 min', () => {
    const codex = Buffer.from('{"error":{"type":"usage_limit_reached","resets_in_seconds":600}}');
    expect(cooldownFor429('3', codex, 0, NOW)).toBe(600_000);
    expect(cooldownFor429('3', Buffer.alloc(0), 0, NOW)).toBe(3_000);
    expect(cooldownFor429(undefined, Buffer.alloc(0), 0, NOW)).toBe(1_000);
    expect(cooldownFor429(undefined, Buffer.alloc(0), 4, NOW)).toBe(16_000);
    expect(backoffDelay(11)).toBe(COOLDOWN_MS.backoffCap);
    expect(backoffDelay(5_000)).toBe(COOLDOWN_MS.backoffCap);
  });

  it('maps statuses to cooldowns and scopes', () => {
    expect([401, 402, 403].map(cooldownForStatus)).toEqual([1_800_000, 1_800_000, 1_800_000]);
    expect(cooldownForStatus(404)).toBe(12 * 3_600_000);
    expect([408, 500, 502, 503, 504].map(cooldownForStatus)).toEqual(Array(5).fill(60_000));
    expect(cooldownForStatus(400)).toBe(0);
    expect([400, 413, 422].some(isAccountScoped)).toBe(false);
    expect([401, 403, 404, 408, 429, 500, 503].every(isAccountScoped)).toBe(true);
  });
});

describe('CoolingHeap', () => {
  it('keeps the earliest recovery on top through inserts, updates and removals', () => {
    const keys = new Float64Array(200);
    const heap = new CoolingHeap(200, keys);
    const rng = createRng(3);
    for (let a = 0; a < 200; a++) {
      keys[a] = Math.floor(rng() * 10_000);
      heap.upsert(a);
    }
    for (let a = 0; a < 200; a += 3) {
      keys[a] = Math.floor(rng() * 10_000);
      heap.upsert(a); // key changed in place
    }
    for (let a = 1; a < 200; a += 7) heap.remove(a);
    const popped: number[] = [];
    for (let top = heap.pop(); top !== -1; top = heap.pop()) popped.push(keys[top]!);
    expect(popped.length).toBe(200 - Math.ceil(199 / 7));
    expect(popped).toEqual([...popped].sort((x, y) => x - y));
    expect(heap.size).toBe(0);
  });
});

describe('AccountPool', () => {
  const m = modelIndexOf('gpt-5');

  it('round-robins over every account serving the model', () => {
    const pool = new AccountPool(1, 12);
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) seen.add(pool.pick(m, NOW, null));
    expect(seen.size).toBe(12);
  });

  it('skips tried accounts and returns -1 when all are tried', () => {
    const pool = new AccountPool(1, 3);
    const tried: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = pool.pick(m, NOW, tried);
      expect(tried).not.toContain(a);
      tried.push(a);
    }
    expect(pool.pick(m, NOW, tried)).toBe(-1);
  });

  it('benches a cooling account until its time, reports the earliest recovery, and brings it back', () => {
    const pool = new AccountPool(1, 3);
    pool.markFailure(0, m, 429, 5_000, NOW);
    pool.markFailure(1, m, 503, 2_000, NOW);
    expect(pool.earliestRecovery(m, NOW)).toBe(NOW + 2_000);
    for (let i = 0; i < 6; i++) expect(pool.pick(m, NOW + 1_000, null)).toBe(2);
    pool.markFailure(2, m, 500, 60_000, NOW);
    expect(pool.pick(m, NOW + 1_000, null)).toBe(-1);
    expect(pool.stateOf(1, NOW + 1_000)).toBe('cooling');
    expect(pool.pick(m, NOW + 2_000, null)).toBe(1); // recovered at its time
    expect(pool.consecutive429Of(0, m)).toBe(1);
    pool.markSuccess(0, m);
    expect(pool.consecutive429Of(0, m)).toBe(0);
    expect(pool.coolingEntries()).toBe(1); // only account 2 still cools
  });

  it('never shortens a longer cooldown', () => {
    const pool = new AccountPool(1, 2);
    pool.markFailure(0, m, 401, COOLDOWN_MS.auth, NOW);
    pool.markFailure(0, m, 503, COOLDOWN_MS.transient, NOW);
    expect(pool.earliestRecovery(m, NOW)).toBe(NOW + COOLDOWN_MS.auth);
  });

  it('keeps cooldowns per model', () => {
    const pool = new AccountPool(1, 50);
    const other = modelIndexOf('gpt-4.1');
    const both = [...Array(50).keys()].find((a) => pool.serves(a, other))!;
    pool.markFailure(both, m, 404, COOLDOWN_MS.notFound, NOW);
    const picks = new Set<number>();
    for (let i = 0; i < 50; i++) picks.add(pool.pick(other, NOW, null));
    expect(picks.has(both)).toBe(true);
  });

  it('excludes disabled accounts and restores them on enable', () => {
    const pool = new AccountPool(1, 2);
    pool.setDisabled(0, true);
    for (let i = 0; i < 4; i++) expect(pool.pick(m, NOW, null)).toBe(1);
    pool.setDisabled(0, false);
    const picks = new Set([pool.pick(m, NOW, null), pool.pick(m, NOW, null)]);
    expect(picks).toEqual(new Set([0, 1]));
    expect(pool.countByState(NOW)).toEqual({ available: 2, cooling: 0, disabled: 0 });
  });

  it('resolves auth_index through the index map and builds one view per lookup', () => {
    const pool = new AccountPool(9, 100);
    const record = pool.records[42]!;
    expect(pool.indexOf(record.authIndex)).toBe(42);
    expect(pool.indexOf('0000000000000000')).toBe(-1);
    const view = pool.view(42, NOW);
    expect(pool.viewsBuilt).toBe(1);
    expect(JSON.stringify(view)).not.toContain(record.accessToken);
    expect(JSON.stringify(view)).not.toContain(record.metadata.refresh_token!);
  });
});
