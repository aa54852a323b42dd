// Signature checks and churn figures on synthetic runs.
import { describe, expect, it } from 'vitest';
import { syntheticCheckpoints, syntheticSamples } from '../../test/fixtures/verdict/synthetic.ts';
import { compareChurn, measureChurn } from './churn.ts';
import { judgeRun } from './run.ts';
import { checkSignature } from './signature.ts';

// One 'rate_limited' event per 40 requests; the leaky relay keeps 2 KiB per event and
// one CLOSE_WAIT socket per 1 000 events.
const perEvent = (x: number): number => Math.floor(x / 40);
const leakyRun = syntheticCheckpoints({
  checkpoints: 20,
  seed: 'sig',
  heapUsed: (x) => 2048 * perEvent(x),
  tcp: (i) => ({ ESTABLISHED: 4, CLOSE_WAIT: Math.floor(perEvent((i + 1) * 20_000) / 1000) }),
  events: (_i, x) => ({ rate_limited: perEvent(x) }),
});

describe('checkSignature', () => {
  it('triggered when the measured cost per event reaches the expected one', () => {
    const r = checkSignature(leakyRun, { variant: 'seed-003', signal: 'heapUsed', perEvent: 2048, event: 'rate_limited' });
    expect(r.outcome).toBe('triggered');
    expect(r.measuredPerEvent!).toBeGreaterThan(2000);
    expect(r.measuredPerEvent!).toBeLessThan(2100);
    expect(r.events).toBe(perEvent(20 * 20_000) - perEvent(20_000));
    const handles = checkSignature(leakyRun, { signal: 'handles:tcp:CLOSE_WAIT', perEvent: 0.001, event: 'rate_limited' });
    expect(handles.outcome).toBe('triggered');
  });

  it('weaker than expected when the path ran but costs less than the catalog says', () => {
    const r = checkSignature(leakyRun, { signal: 'heapUsed', perEvent: 8192, event: 'rate_limited', tolerance: 0.5 });
    expect(r.outcome).toBe('weaker-than-expected');
    expect(r.reason).toMatch(/below 4\.10e\+3/);
  });

  it('not triggered without events, or when the cost is indistinguishable from 0', () => {
    const noEvents = checkSignature(syntheticCheckpoints({ checkpoints: 20 }), { signal: 'heapUsed', perEvent: 2048, event: 'rate_limited' });
    expect(noEvents.outcome).toBe('not-triggered');
    expect(noEvents.reason).toMatch(/no 'rate_limited' events/);
    const flat = syntheticCheckpoints({ checkpoints: 20, seed: 'flat-sig', events: (_i, x) => ({ rate_limited: perEvent(x) }) });
    expect(checkSignature(flat, { signal: 'heapUsed', perEvent: 2048, event: 'rate_limited' }).outcome).toBe('not-triggered');
  });

  it('rejects a malformed expectation naming the field', () => {
    expect(() => checkSignature(leakyRun, { signal: 'heapUsed', perEvent: 0, event: 'x' })).toThrow(/signature\.perEvent/);
    expect(() => checkSignature(leakyRun, { signal: 'bogus' as 'rss', perEvent: 1, event: 'rate_limited' })).toThrow(/signature\.signal/);
  });

  it('appears in the run verdict as a finding', () => {
    const v = judgeRun({ scenario: 's', seed: 1, nodeVersion: 'v24' }, leakyRun, [], {
      signatures: [{ variant: 'seed-003', signal: 'heapUsed', perEvent: 2048, event: 'rate_limited' }],
    });
    expect(v.signatures[0]!.outcome).toBe('triggered');
    expect(v.findings.some((f) => f.kind === 'signature' && f.message.startsWith('seed-003: triggered'))).toBe(true);
  });
});

describe('churn', () => {
  // 10 minutes at 1 000 req/s, a 10 s 'health-scan' phase every minute with a 60 ms p99.
  const phase = (t: number): string => (t % 60_000 < 10_000 ? 'health-scan' : 'load');
  const p99 = (_t: number, p: string): number => (p === 'health-scan' ? 60 : 12);
  const checkpoints = syntheticCheckpoints({ checkpoints: 30 });

  it('bytes allocated and GC time per request, and event-loop delay in the marked phase', () => {
    const samples = syntheticSamples({ durationMs: 600_000, allocatedPerRequest: 5000, gcMsPerRequest: 0.004, phase, eventLoopP99: p99 });
    const c = measureChurn(checkpoints, samples, { phase: 'health-scan' });
    expect(c.source).toBe('samples');
    // Windows that contain a checkpoint (its forced GCs) are dropped: 300 windows − 30.
    expect(c.windows.length).toBe(270);
    expect(c.allocatedBytesPerRequest!).toBeGreaterThan(4900);
    expect(c.allocatedBytesPerRequest!).toBeLessThan(5100);
    expect(c.gcMicrosPerRequest!).toBeCloseTo(4, 0);
    expect(c.eventLoopDelay!.inPhase!.median).toBeGreaterThan(55);
    expect(c.eventLoopDelay!.outside!.median).toBeLessThan(14);
    expect(measureChurn(checkpoints, samples, { phase: /health/ }).eventLoopDelay!.inPhase!.windows).toBe(c.eventLoopDelay!.inPhase!.windows);
  });

  it('compares two runs as a ratio with an interval', () => {
    const a = measureChurn(checkpoints, syntheticSamples({ durationMs: 600_000, allocatedPerRequest: 5000, phase, eventLoopP99: p99, seed: 'a' }), { phase: 'health-scan' });
    const b = measureChurn(checkpoints, syntheticSamples({ durationMs: 600_000, allocatedPerRequest: 10_000, phase, eventLoopP99: p99, seed: 'b' }), { phase: 'health-scan' });
    const r = compareChurn(a, b);
    expect(r.allocatedBytesPerRequest!.ratio).toBeCloseTo(2, 1);
    expect(r.allocatedBytesPerRequest!.lower).toBeGreaterThan(1.9);
    expect(r.allocatedBytesPerRequest!.upper).toBeLessThan(2.1);
    // Same event-loop delay in both: the interval of the ratio covers 1.
    expect(r.eventLoopDelayInPhase!.lower).toBeLessThan(1);
    expect(r.eventLoopDelayInPhase!.upper).toBeGreaterThan(1);
  });

  it('falls back to checkpoints without samples', () => {
    const c = measureChurn(syntheticCheckpoints({ checkpoints: 10, allocatedPerRequest: 7000 }), []);
    expect(c.source).toBe('checkpoints');
    expect(c.allocatedBytesPerRequest).toBe(7000);
  });
});
