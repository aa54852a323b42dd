// planProveRuns: which fixed runs are shared, folder names, and the order the
// runs start in (a leaky run compared under load right after its fixed run).
import { describe, expect, it } from 'vitest';
import { catalogNames, proofPlanFor } from '../judge/proof-plan.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { planProveRuns } from './plan-runs.ts';

const entry = (name: string) => LEAK_CATALOG.find((e) => e.name === name)!;

describe('planProveRuns', () => {
  it('all: one fixed run per scenario and relay flags, each read only by proofs with those', () => {
    const { runs, proofs } = planProveRuns(catalogNames(), '/base', 5000);
    expect(proofs.map((p) => p.variant)).toEqual(catalogNames());
    const fixed = runs.filter((r) => r.side === 'fixed');
    const leaky = runs.filter((r) => r.side === 'leaky');
    expect(leaky).toHaveLength(catalogNames().length);
    const keys = fixed.map((r) => JSON.stringify([r.entry.scenario, proofPlanFor(r.entry, 5000).relayArgs]));
    expect(new Set(keys).size).toBe(fixed.length);
    for (const p of proofs) {
      expect(p.fixed.entry.scenario).toBe(p.leaky.entry.scenario);
      expect(proofPlanFor(p.fixed.entry, 5000).relayArgs).toEqual(proofPlanFor(entry(p.variant), 5000).relayArgs);
      expect(p.fixed.variants).toContain(p.variant);
      // A fixed run starts before every leaky run that is compared with it.
      expect(runs.indexOf(p.fixed)).toBeLessThan(runs.indexOf(p.leaky));
    }
    expect(new Set(runs.map((r) => r.dir)).size).toBe(runs.length);
  });

  it('shares mixed between its seven variants, error-stalls and health-scan between their two (the same flags)', () => {
    const { runs, proofs } = planProveRuns(catalogNames(), '/b', 5000);
    const fixedOf = (v: string) => proofs.find((p) => p.variant === v)!.fixed;
    const mixed = fixedOf('inflight-map');
    expect(mixed.dir).toBe('/b/mixed-fixed');
    expect(mixed.variants).toEqual(['inflight-map', 'cancel-poller', 'usage-ttl', 'usage-plateau', 'pool-size', 'scheduler-stats', 'task-contexts']);
    expect(fixedOf('usage-plateau')).toBe(mixed);
    expect(fixedOf('headers-timeout')).toBe(fixedOf('error-body-read-fail'));
    expect(fixedOf('headers-timeout').dir).toBe('/b/error-stalls-fixed');
    expect(fixedOf('account-clone')).toBe(fixedOf('unbounded-fanout'));
    expect(runs.filter((r) => r.side === 'fixed')).toHaveLength(12);
    expect(proofs.find((p) => p.variant === 'inflight-map')!.leaky.dir).toBe('/b/inflight-map-leaky');
  });

  it('a fixed run read by one proof keeps the old name <variant>-fixed', () => {
    const { runs } = planProveRuns(['lazy-lru'], '/b', 5000);
    expect(runs.map((r) => [r.side, r.dir])).toEqual([['fixed', '/b/lazy-lru-fixed'], ['leaky', '/b/lazy-lru-leaky']]);
  });

  it('a leaky run whose level is compared under load goes right after its fixed run, ahead of its group', () => {
    const { runs } = planProveRuns(['listener', 'sse-abort'], '/b', 5000);
    expect(proofPlanFor(entry('sse-abort'), 5000).level?.where).toBe('under-load');
    expect(runs.map((r) => `${r.side}:${r.entry.name}`)).toEqual(['fixed:listener', 'leaky:sse-abort', 'leaky:listener']);
  });

  it('refuses a name outside the catalog', () => {
    expect(() => planProveRuns(['nope'], '/b', 5000)).toThrow(/unknown variant "nope"/);
  });
});
