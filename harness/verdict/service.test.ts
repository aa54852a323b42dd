// The service rule of a proof (service.ts) on hand-built load windows: a fix
// that times requests out, cuts bodies or fails more is worse; the same
// failure rate, a tiny difference on a big run, or a better fixed run is not.

import { describe, expect, it } from 'vitest';
import type { ContinuousSample, LoadWindow } from '../records.ts';
import { judgeServedLoad } from './served.ts';
import { compareService, SERVICE_MARGIN, twoProportionZ } from './service.ts';

/** `windows` windows of `per` answers each: `fail` 5xx, `timeouts` timeouts, `mismatches` bad 2xx bodies, the rest 2xx. */
function load(windows: number, per: number, bad: { s5?: number; timeouts?: number; mismatches?: number } = {}) {
  const { s5 = 0, timeouts = 0, mismatches = 0 } = bad;
  const w = (): LoadWindow => ({
    requests: per - timeouts,
    reqPerSec: per,
    latencyMs: { p50: 1, p99: 2, max: 3 },
    status: { '2xx': per - timeouts - s5 - mismatches, '3xx': 0, '4xx': 0, '5xx': s5 },
    errors: timeouts,
    timeouts,
    mismatches,
  });
  const samples: ContinuousSample[] = Array.from({ length: windows }, (_, i) => ({ kind: 'sample', t: i * 1000, phase: 'steady', proc: null, probe: null, relay: null, load: w(), faults: null, requestsCompleted: 0 }));
  return judgeServedLoad(samples);
}

describe('compareService', () => {
  it('the same failure shares are no worse, and the line quotes both runs', () => {
    const c = compareService(load(20, 1000, { s5: 2 }), load(20, 1000, { s5: 2 }));
    expect(c.status).toBe('no-worse');
    expect(c.line).toMatch(/^fixed no worse: unexcused failures 0\.20 % \(leaky 0\.20 %\)/);
  });

  it('a fixed run that times out 3 % of its requests where the leaky one timed out none is worse, on timeouts and no answer', () => {
    const c = compareService(load(20, 1000), load(20, 1000, { timeouts: 30 }));
    expect(c.status).toBe('worse');
    expect(c.rows.filter((r) => r.worse).map((r) => r.kind).sort()).toEqual(['no answer', 'timeouts', 'unexcused failures']);
    expect(c.line).toMatch(/^the fix costs service: .*timeouts 3\.00 % \(600\/20000\) vs leaky 0 % \(0\/20000\)/);
  });

  it('cut bodies passed through as 2xx are worse', () => {
    const c = compareService(load(20, 1000), load(20, 1000, { mismatches: 20 }));
    expect(c.rows.find((r) => r.kind === 'body mismatches')!.worse).toBe(true);
  });

  it('a significant difference below the margin is not worse (0.3 % vs 0.1 % on 200 000 attempts)', () => {
    const c = compareService(load(200, 1000, { s5: 1 }), load(200, 1000, { s5: 3 }));
    const row = c.rows.find((r) => r.kind === 'unexcused failures')!;
    expect(row.z).toBeGreaterThan(3.09);
    expect(row.fixed.share - row.leaky.share).toBeLessThan(SERVICE_MARGIN);
    expect(c.status).toBe('no-worse');
  });

  it('a difference above the margin on too few attempts to be significant is not worse (3 of 100 vs 1 of 100)', () => {
    const c = compareService(load(1, 100, { s5: 1 }), load(1, 100, { s5: 3 }));
    expect(c.rows.find((r) => r.kind === 'unexcused failures')!.worse).toBe(false);
  });

  it('a fixed run better than the leaky one is no worse', () => {
    expect(compareService(load(20, 1000, { timeouts: 50 }), load(20, 1000)).status).toBe('no-worse');
  });

  it('runs without load windows are not compared', () => {
    const none = judgeServedLoad([]);
    expect(compareService(none, load(5, 100)).status).toBe('unknown');
    expect(compareService(undefined, undefined).status).toBe('unknown');
  });

  it('twoProportionZ: zero when both shares are zero, positive when the second is higher', () => {
    expect(twoProportionZ(0, 100, 0, 100)).toBe(0);
    expect(twoProportionZ(10, 1000, 40, 1000)).toBeGreaterThan(4);
    expect(twoProportionZ(40, 1000, 10, 1000)).toBeLessThan(-4);
  });
});
