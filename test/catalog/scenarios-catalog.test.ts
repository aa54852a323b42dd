// The leak catalog (relay/) and the scenarios (scenarios/) name each other:
// a catalog entry says which scenario exercises it and what event triggers it;
// that scenario must list the variant with the same trigger, and every variant
// a scenario lists must exist in the catalog. Neither side imports the other
// in product code (data flows scenarios → harness → relay), so this test is
// where they are held together.

import { describe, expect, it } from 'vitest';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { getScenario, listScenarios } from '../../scenarios/index.ts';

/** Test-only ground truth of bench:calibrate, deliberately not in the relay. */
const NOT_IN_CATALOG = new Set(['ground-truth']);

describe('leak catalog ↔ scenarios', () => {
  it('every catalog entry is listed by its scenario with the same trigger event', () => {
    for (const entry of LEAK_CATALOG) {
      const scenario = getScenario(entry.scenario);
      const listed = scenario.variants.find((v) => v.name === entry.name);
      expect(listed, `${entry.scenario} lists ${entry.name}`).toBeDefined();
      expect(listed!.trigger, `${entry.name}'s trigger in ${entry.scenario}`).toBe(entry.cost.event);
    }
  });

  it('every variant a scenario lists exists in the catalog', () => {
    const names = new Set(LEAK_CATALOG.map((e) => e.name));
    for (const s of listScenarios()) {
      for (const v of s.variants) {
        if (NOT_IN_CATALOG.has(v.name)) continue;
        expect(names.has(v.name), `${s.name} lists unknown variant ${v.name}`).toBe(true);
      }
    }
  });

  // Variants whose trigger mixed's phases never produce, and the scenario that does.
  const NOT_DRIVEN_BY_MIXED: Readonly<Record<string, string>> = {
    'error-body-read-fail': 'no stalled error bodies in mixed (error-stalls injects 429-stall-body)',
    'headers-timeout': 'no stalled headers in mixed (error-stalls injects stall-headers)',
    'account-wait-loop': 'needs --account-wait and every account out of quota (quota-wall)',
    'orphan-tasks': 'needs the state sync on and its sink stalled (sink-stall, whose referenceRelayArgs switch on --state-sync)',
    'no-admission': 'needs stalls outlasting the admission wait under a burst (stall-burst)',
  };

  it('mixed lists every catalog variant its phases drive, and only the named exceptions are missing', () => {
    const mixed = new Set(getScenario('mixed').variants.map((v) => v.name));
    for (const e of LEAK_CATALOG) {
      const excepted = Object.hasOwn(NOT_DRIVEN_BY_MIXED, e.name);
      expect(mixed.has(e.name), `${e.name}${excepted ? `: ${NOT_DRIVEN_BY_MIXED[e.name]}` : ''}`).toBe(!excepted);
      if (excepted) expect(e.scenario, e.name).not.toBe('mixed');
    }
  });
});
