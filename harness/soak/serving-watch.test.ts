// The live served check: the progress error count (failures the fault plan
// did not inject), the loud line once when a target is not serving, the
// first unexpected responses reported once each; and the run's secrets taken
// from a target command line.

import { describe, expect, it } from 'vitest';
import type { LoadWindow } from '../records.ts';
import { commandSecrets } from './run-secrets.ts';
import { MIN_ATTEMPTS, ServingWatch } from './serving-watch.ts';

function win(s2: number, s4 = 0, s5 = 0, extra: Partial<LoadWindow> = {}): LoadWindow {
  return { requests: s2 + s4 + s5, reqPerSec: 0, latencyMs: { p50: 0, p99: 0, max: 0 }, status: { '2xx': s2, '3xx': 0, '4xx': s4, '5xx': s5 }, errors: 0, timeouts: 0, mismatches: 0, ...extra };
}
const u400 = { status: 400, mismatch: false, count: 30, body: '{"error":\n"missing x-provider header"}' };

describe('ServingWatch', () => {
  it('a target answering 400 to everything: 4xx are errors, one WARNING line with the status and first body', () => {
    const w = new ServingWatch();
    const first = w.observe(win(0, 30), null, [u400]);
    expect(first.errors).toBe(30);
    expect(first.warning).toBe('WARNING target is not serving the load: 100 % 400 of its first 30 requests (0 % answered correctly): missing routing header? wrong key or auth header? (--header, --auth, SOAK_CLIENT_KEY); first 400 body: {"error": "missing x-provider header"}');
    expect(first.firstSeen).toEqual([u400]);
    const again = w.observe(win(0, 30), null, [{ ...u400, count: 60 }]);
    expect(again.warning).toBeNull(); // once
    expect(again.firstSeen).toEqual([]); // reported once
  });

  it(`fewer than ${MIN_ATTEMPTS} attempts are not judged yet; they add up over samples`, () => {
    const w = new ServingWatch();
    expect(w.observe(win(0, MIN_ATTEMPTS - 1), null, []).warning).toBeNull();
    expect(w.observe(win(0, 1), null, []).warning).toMatch(/100 % 4xx of its first 20 requests/);
  });

  it('injected faults are excused: a retry storm passing 429s through is neither an error nor a warning', () => {
    const w = new ServingWatch();
    w.observe(win(10), { '429': 100, latency: 50 }, []); // baseline
    const storm = w.observe(win(40, 50, 10), { '429': 150, '503': 10, latency: 500 }, []);
    expect(storm.errors).toBe(0);
    expect(storm.warning).toBeNull();
    // Failures without an answer beyond what was injected count again (served.ts excusedFailures).
    expect(w.observe(win(40, 0, 0, { errors: 50 }), { '429': 160, '503': 10, latency: 900 }, []).errors).toBe(40);
    // And any 4xx in a window with no failing fault injected.
    expect(w.observe(win(40, 50), { '429': 160, '503': 10, latency: 990 }, []).errors).toBe(50);
  });

  it('errors and mismatches count; the warning names no answer as the main failure', () => {
    const w = new ServingWatch();
    const r = w.observe(win(5, 0, 0, { errors: 30, mismatches: 2 }), null, []);
    expect(r.errors).toBe(32);
    expect(r.warning).toMatch(/86 % no answer of its first 35 requests .*wrong URL or port\?/);
  });

  it('a 503 "overloaded" is named as load shedding, any other 5xx as an upstream the target cannot reach', () => {
    const shed = { status: 503, mismatch: false, count: 30, body: '{"error":{"message":"relay is at its concurrency limit; retry later","code":"overloaded"}}' };
    const w = new ServingWatch();
    const warning = w.observe(win(0, 0, 30), null, [shed]).warning;
    expect(warning).toContain('100 % 503 of its first 30 requests');
    expect(warning).toContain('refusing load past its own concurrency limit');
    expect(warning).not.toContain('upstream');
    const bad = { status: 502, mismatch: false, count: 30, body: '{"error":"upstream connect error"}' };
    expect(new ServingWatch().observe(win(0, 0, 30), null, [bad]).warning).toContain('can the target reach its upstream?');
  });

  it('a serving target: no warning, no errors', () => {
    const w = new ServingWatch();
    for (let i = 0; i < 5; i++) {
      const r = w.observe(win(100), null, []);
      expect(r.warning).toBeNull();
      expect(r.errors).toBe(0);
    }
  });
});

describe('commandSecrets', () => {
  it('assignments and flags named like secrets, quoted or not; not placeholders, not ordinary flags', () => {
    const cmd = `UPSTREAM_TOKEN=abc123def OTHER=1 export API_KEY="q u o t e d" node relay.js --port {port} --admin-key 'zz9zz9' --api-token=tok77 --client-key {key} --verbose --name relay`;
    expect(commandSecrets(cmd).sort()).toEqual(['abc123def', 'q u o t e d', 'tok77', 'zz9zz9'].sort());
    expect(commandSecrets('node relay.js --port {port} --upstream {upstream}')).toEqual([]);
  });
});
