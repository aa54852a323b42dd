import { describe, expect, it } from 'vitest';
import type { LoadWindow } from '../records.ts';
import { REACHABILITY_RULE, ReachabilityWatch } from './reachability.ts';

function win(p: Partial<LoadWindow>): LoadWindow {
  return { requests: 0, reqPerSec: 0, latencyMs: { p50: 0, p99: 0, max: 0 }, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, errors: 0, timeouts: 0, mismatches: 0, ...p };
}

describe('ReachabilityWatch: a target that answers nothing in its first seconds', () => {
  it('decides once grace has passed and enough connections failed with no response, naming the counts', () => {
    const w = new ReachabilityWatch();
    expect(w.observe(win({ errors: 300 }), 2_000)).toBeNull(); // inside the grace period
    const d = w.observe(win({ errors: 400 }), 6_000);
    expect(d).not.toBeNull();
    expect(d!.failures).toBe(700);
    expect(d!.reason).toContain('none of 700 requests');
    expect(d!.reason).toContain('6 s');
    // Decided once.
    expect(w.observe(win({ errors: 400 }), 8_000)).toBeNull();
  });

  it('never stops a target that answered once, whatever the status (fault plans answer 429/503)', () => {
    const w = new ReachabilityWatch();
    expect(w.observe(win({ requests: 1, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 1 }, errors: 500 }), 6_000)).toBeNull();
    expect(w.observe(win({ errors: 500 }), 10_000)).toBeNull();
  });

  it('does not count client-side timeouts as "answered nothing" (a stall plan holds requests on purpose)', () => {
    const w = new ReachabilityWatch();
    expect(w.observe(win({ errors: 100, timeouts: 100 }), 10_000)).toBeNull();
    const d = w.observe(win({ errors: REACHABILITY_RULE.minFailures, timeouts: 0 }), 12_000);
    expect(d?.failures).toBe(REACHABILITY_RULE.minFailures);
  });

  it('needs the minimum of failures, and gives up after the first seconds of load', () => {
    const few = new ReachabilityWatch();
    expect(few.observe(win({ errors: REACHABILITY_RULE.minFailures - 1 }), 6_000)).toBeNull();
    const late = new ReachabilityWatch();
    expect(late.observe(win({ errors: 1_000 }), REACHABILITY_RULE.untilMs + 1)).toBeNull();
    expect(late.observe(win({ errors: 1_000 }), REACHABILITY_RULE.untilMs + 2)).toBeNull();
  });
});
