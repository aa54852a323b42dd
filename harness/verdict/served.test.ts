// The served-load rule on hand-built load windows: a target that answers 400
// to everything, one that times out, one whose failures the injected faults
// account for, one phase that failed alone, and samples with no load at all.

import { describe, expect, it } from 'vitest';
import type { ContinuousSample, LoadWindow } from '../records.ts';
import { judgeServedLoad, MIN_PHASE_ATTEMPTS } from './served.ts';

function win(partial: Partial<LoadWindow> & { s2?: number; s4?: number; s5?: number }): LoadWindow {
  // As harness/load/stats.ts counts: `requests` includes mismatching 2xx (not in status 2xx); errors include timeouts.
  const { s2 = 0, s4 = 0, s5 = 0, ...rest } = partial;
  return { requests: s2 + s4 + s5 + (rest.mismatches ?? 0), reqPerSec: 0, latencyMs: { p50: 1, p99: 2, max: 3 }, status: { '2xx': s2, '3xx': 0, '4xx': s4, '5xx': s5 }, errors: 0, timeouts: 0, mismatches: 0, ...rest };
}

function samples(windows: Array<{ phase?: string; load: LoadWindow | null; faults?: Record<string, number> | null }>): ContinuousSample[] {
  return windows.map((w, i) => ({ kind: 'sample', t: i * 1000, phase: w.phase ?? 'steady', proc: null, probe: null, relay: null, load: w.load, faults: w.faults ?? null, requestsCompleted: 0 }));
}

describe('judgeServedLoad', () => {
  it('a target that answers 400 to everything is not served, and the reason says 4xx and what to check', () => {
    const r = judgeServedLoad(samples(Array.from({ length: 10 }, () => ({ load: win({ s4: 444 }) }))));
    expect(r.status).toBe('not-served');
    expect(r.total.share).toBe(0);
    expect(r.reason).toMatch(/answered 0 % of 4440 non-fault requests correctly/);
    expect(r.reason).toMatch(/4440 answered 4xx \(missing routing header\? wrong key or auth header\?/);
  });

  it('in a fault phase, a relay answering with its own 429s while accounts cool down is the plan at work; no answer beyond the injected count is not', () => {
    // retry-storm: 100 faults injected, the relay then answers 2 500 requests with 429 (cooldown) and serves 1 500.
    const storm = [
      { phase: 'retry-storm', load: win({ s2: 0 }), faults: { '429': 0 } },
      { phase: 'retry-storm', load: win({ s2: 1500, s4: 2500 }), faults: { '429': 100 } },
      { phase: 'steady', load: win({ s2: 3000 }), faults: { '429': 100 } },
    ];
    const ok = judgeServedLoad(samples(storm));
    expect(ok.status).toBe('served');
    expect(ok.phases.find((p) => p.phase === 'retry-storm')!.excused).toBe(2500);
    // The same phase with 2 500 connection errors instead: only the 100 injected are excused.
    const dead = judgeServedLoad(samples([storm[0]!, { ...storm[1]!, load: win({ s2: 1500, errors: 2500 }) }, storm[2]!]));
    expect(dead.status).toBe('not-served');
    expect(dead.phases.find((p) => p.phase === 'retry-storm')!.excused).toBe(100);
    // 400s in a phase without faults are never excused, whatever other phases injected.
    const bad = judgeServedLoad(samples([...storm.slice(0, 2), { phase: 'steady', load: win({ s4: 3000 }), faults: { '429': 100 } }]));
    expect(bad.status).toBe('not-served');
    expect(bad.reason).toMatch(/in phase steady|over the run/);
  });

  it('connection errors and timeouts count as attempts that failed', () => {
    // 300 requests with no answer per window, one of them a timeout (counted once: errors include timeouts).
    const r = judgeServedLoad(samples(Array.from({ length: 5 }, () => ({ load: win({ s2: 100, errors: 300, timeouts: 1 }) }))));
    expect(r.status).toBe('not-served');
    expect(r.total.attempts).toBe(2000);
    expect(r.total.correct).toBe(500);
    expect(r.reason).toMatch(/1500 got no answer \(connection refused or reset, 5 of them timed out/);
  });

  it('failures the fault plan injected are excused; latency and dribble are not failing faults', () => {
    // 1000 attempts per window, 200 of them 429/503 passed through; the upstream injected 250 failing faults per window.
    const rows = Array.from({ length: 6 }, (_, i) => ({ load: win({ s2: 800, s4: 150, s5: 50 }), faults: { '429': 200 * i, '503': 50 * i, latency: 9000 * i } }));
    const r = judgeServedLoad(samples(rows));
    expect(r.status).toBe('served');
    expect(r.total.injected).toBe(1250); // the first sample's counts are the baseline
    expect(r.total.excused).toBe(1200);
    expect(r.total.share).toBe(1);
    // Only latency injected: nothing excused, 80 % is below 90 %.
    const slow = judgeServedLoad(samples(rows.map((x, i) => ({ ...x, faults: { latency: 9000 * i } }))));
    expect(slow.status).toBe('not-served');
    expect(slow.total.excused).toBe(0);
  });

  it('a 2xx body that failed the checks is not a correct answer', () => {
    // 1 000 2xx answers, 200 of them with a body that failed the checks (stats.ts keeps those out of status 2xx).
    const r = judgeServedLoad(samples([{ load: win({ s2: 800, mismatches: 200 }) }]));
    expect(r.total.attempts).toBe(1000);
    expect(r.total.correct).toBe(800);
    expect(r.status).toBe('not-served');
    expect(r.reason).toMatch(/200 2xx bodies failed the checks/);
  });

  it('one phase that failed alone fails the run, when it is big enough to count', () => {
    const ok = Array.from({ length: 20 }, () => ({ phase: 'steady', load: win({ s2: 1000 }) }));
    const r = judgeServedLoad(samples([...ok, { phase: 'spike', load: win({ s2: 10, s5: 90 }) }]));
    expect(r.total.share).toBeGreaterThan(0.99);
    expect(r.status).toBe('not-served');
    expect(r.reason).toMatch(/^in phase spike: /);
    const tiny = judgeServedLoad(samples([...ok, { phase: 'spike', load: win({ s2: 1, s5: MIN_PHASE_ATTEMPTS - 2 }) }]));
    expect(tiny.status).toBe('served');
  });

  it('no load windows: unknown, not a failure', () => {
    expect(judgeServedLoad(samples([{ load: null }, { load: null }])).status).toBe('unknown');
    expect(judgeServedLoad([]).status).toBe('unknown');
  });

  it('injected faults by kind, per phase; a counter that goes back (upstream restarted) counts from zero', () => {
    const r = judgeServedLoad(
      samples([
        { phase: 'a', load: null, faults: { '429': 10 } },
        { phase: 'a', load: null, faults: { '429': 15, latency: 3 } },
        { phase: 'b', load: null, faults: { '429': 4, latency: 3 } },
        { phase: 'b', load: null, faults: { '429': 9, latency: 5 } },
      ]),
    );
    expect(r.phases.map((p) => [p.phase, p.injectedByKind, p.injected])).toEqual([
      ['a', { '429': 5, latency: 3 }, 5],
      ['b', { '429': 9, latency: 2 }, 9],
    ]);
  });

  it('minShare is an option', () => {
    const rows = [{ load: win({ s2: 850, s4: 150 }) }];
    expect(judgeServedLoad(samples(rows)).status).toBe('not-served');
    expect(judgeServedLoad(samples(rows), { minShare: 0.8 }).status).toBe('served');
  });
});

describe('the reason quotes the first unexpected response the run recorded', () => {
  const refused = samples(Array.from({ length: 10 }, () => ({ load: win({ s4: 444 }) })));

  it('the one 4xx status seen: "every 4xx was 400" and its body, on one line', () => {
    const r = judgeServedLoad(refused, { firstResponses: [{ status: 400, mismatch: false, body: '{"error":\n  "missing x-provider header"}' }] });
    expect(r.reason).toMatch(/4440 answered 4xx \(missing routing header\?/);
    expect(r.reason).toMatch(/; every 4xx was 400, first body: \{"error": "missing x-provider header"\}$/);
  });

  it('several 4xx statuses: the first one of the class, not a claim that all were it', () => {
    const r = judgeServedLoad(refused, {
      firstResponses: [
        { status: 503, mismatch: false, body: 'upstream down' },
        { status: 401, mismatch: false, body: '{"error":"bad key"}' },
        { status: 429, mismatch: false, body: 'slow down' },
      ],
    });
    expect(r.reason).toMatch(/; first 4xx: 401, body: \{"error":"bad key"\}$/);
    expect(r.reason).not.toMatch(/every 4xx/);
  });

  it('5xx: a 503 "overloaded" reads as load shedding; any other 5xx as an upstream the target cannot reach', () => {
    const shed = samples(Array.from({ length: 10 }, () => ({ load: win({ s5: 555 }) })));
    const overloaded = judgeServedLoad(shed, { firstResponses: [{ status: 503, mismatch: false, body: '{"error":{"code":"overloaded"}}' }] });
    expect(overloaded.reason).toMatch(/5550 answered 5xx \(the target is refusing load past its own concurrency limit/);
    expect(overloaded.reason).not.toMatch(/reach its upstream/);
    const down = judgeServedLoad(shed, { firstResponses: [{ status: 502, mismatch: false, body: 'bad gateway' }] });
    expect(down.reason).toMatch(/5550 answered 5xx \(the target cannot reach its upstream\?/);
  });

  it('mismatching 2xx bodies: the first failing body; nothing recorded: no quote', () => {
    const bodies = samples(Array.from({ length: 4 }, () => ({ load: win({ s2: 100, mismatches: 100 }) })));
    expect(judgeServedLoad(bodies, { firstResponses: [{ status: 200, mismatch: true, body: '{"object":"response"}' }] }).reason).toMatch(/first failing 200 body: \{"object":"response"\}$/);
    expect(judgeServedLoad(refused).reason).not.toMatch(/body/);
  });

  it('a served run has no quote even with unexpected responses recorded', () => {
    const ok = samples(Array.from({ length: 4 }, () => ({ load: win({ s2: 100, s4: 1 }) })));
    const r = judgeServedLoad(ok, { firstResponses: [{ status: 400, mismatch: false, body: 'x' }] });
    expect(r.status).toBe('served');
    expect(r.reason).not.toMatch(/body/);
  });
});
