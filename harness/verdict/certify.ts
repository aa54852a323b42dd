// What a run can certify (issue #18): the smallest heap floor δ a run of R
// judged requests may use without its healthy drift reading as a leak.
// Pure: numbers in, a floor and its reason out.
//
// Why δ can be a function of R. A healthy relay's post-GC heap still grows
// over a run by a roughly fixed amount (JIT code and inline-cache feedback,
// lazily built structures, pools reaching their working size), not by an
// amount per request: the calibration controls measured 2.3–3.3 B/request over
// ≈ 71 000 requests (90-s runs) and 0.4–0.7 over ≈ 458 500 (10-minute runs),
// i.e. 160–260 kB in both. Divided by the requests judged, that growth is
// what a control's slope reads, so its per-request size shrinks as 1/R and a
// longer run can certify a smaller floor. The constant is the controls'
// worst case (their CI upper bound times their requests), times a margin.

import type { MemorySignal } from './types.ts';

/** One calibration's controls: the fixed relay, nothing injected (README → Calibration). */
export interface ControlEvidence {
  /** Where the figures come from (the README table and its command). */
  source: string;
  /** The scenario the controls ran: the drift is that scenario's. */
  scenario: string;
  runs: number;
  /** Requests per run (all of them: the judged share is smaller, so growth from it errs high). */
  requestsPerRun: number;
  /** The largest 95 % CI upper bound of a control's post-GC heapUsed slope, B/request. */
  maxUpperPerRequest: number;
}

/** Measured, README → Calibration; bench:calibrate prints the same columns. */
export const CONTROL_EVIDENCE: readonly ControlEvidence[] = [
  { source: 'bench:calibrate --quick, 2026-11-24, Node 24.21 (4 controls, 90-s runs)', scenario: 'calibration', runs: 4, requestsPerRun: 71_000, maxUpperPerRequest: 8.6 },
  { source: 'bench:calibrate --quick --controls 10, 2026-11-24, Node 24.21 (90-s runs)', scenario: 'calibration', runs: 10, requestsPerRun: 70_960, maxUpperPerRequest: 6.6 },
  { source: 'bench:calibrate full mode, 18 of 38 runs, 2026-11-24, Node 24.21 (5 controls, 10-minute runs)', scenario: 'calibration', runs: 5, requestsPerRun: 458_500, maxUpperPerRequest: 1.0 },
];

/**
 * The healthy growth a floor must stay above, bytes over a judged window: the
 * largest CI upper × requests of any control of the scenario (calibration:
 * 8.6 × 71 000 ≈ 611 kB; its 10-minute controls reach 459 kB); null for a
 * scenario no calibration has controls of. Measured why it is per scenario:
 * the fixed relay's 90-s proof runs in error-storm, error-stalls and
 * stream-abort read 27–37 B/request over 19 000–28 000 judged requests
 * (lower bounds 10–24): 0.6–0.9 MB of healthy growth, more than the
 * calibration scenario's controls allow.
 */
export function healthyGrowthBytes(scenario: string): number | null {
  const own = CONTROL_EVIDENCE.filter((e) => e.scenario === scenario);
  return own.length === 0 ? null : Math.max(...own.map((e) => e.maxUpperPerRequest * e.requestsPerRun));
}

/** The calibration scenario's (the only one with controls so far). */
export const HEALTHY_GROWTH_BYTES = healthyGrowthBytes('calibration')!;

/** Scenarios whose controls the adaptive floor can lean on. */
export function certifiedScenarios(): string[] {
  return [...new Set(CONTROL_EVIDENCE.map((e) => e.scenario))];
}

/**
 * Margin over that growth: a control's slope must not even approach the
 * floor (its lower bound crossing δ is a false LEAK; its point estimate near δ
 * an INCONCLUSIVE). 1.5 keeps every control of the table at most 2/3 of δ.
 */
export const CERTIFY_MARGIN = 1.5;

/**
 * Never below this, however long the run: the least a run is trusted to
 * certify (budget.ts BUDGET_MIN_FLOORS takes the same 2 B/request).
 */
export const CERTIFY_MIN_PER_REQUEST = 2;

/** The JS memory signals the controls speak for; rss moves in pages and allocator arenas and keeps its own floor. */
export const CERTIFIED_SIGNALS: readonly MemorySignal[] = ['heapUsed', 'external', 'arrayBuffers'];

/**
 * The smallest δ (B/request) a run of `judgedRequests` requests can certify,
 * from the controls of `scenario` (default: the calibration scenario's);
 * Infinity when it judged none or the scenario has no controls.
 */
export function certifiableFloor(judgedRequests: number, scenario = 'calibration'): number {
  const growth = healthyGrowthBytes(scenario);
  if (!(judgedRequests > 0) || growth === null) return Infinity;
  // Two significant digits: a floor is a judgement, not a measurement.
  return Math.max(CERTIFY_MIN_PER_REQUEST, Number(((CERTIFY_MARGIN * growth) / judgedRequests).toPrecision(2)));
}

/** An adaptive floor's decision, for the verdict text and the report. */
export interface AdaptiveFloor {
  judgedRequests: number;
  /** What the run certifies (certifiableFloor), B/request. */
  certifiable: number;
  /** The floors used: per certified signal min(the floor it would have had, max(certifiable, …)); rss unchanged. */
  floors: Record<MemorySignal, number>;
  /** Signals whose floor went down. */
  lowered: MemorySignal[];
  /** One line: the δ used and why. */
  reason: string;
}

/**
 * `--floor adaptive`: the heap-type floors go down to what the run certifies
 * and never below it; they never go up (a short run keeps its scenario's δ).
 */
export function adaptiveFloors(judgedRequests: number, base: Readonly<Record<MemorySignal, number>>, scenario = 'calibration'): AdaptiveFloor {
  const certifiable = certifiableFloor(judgedRequests, scenario);
  const floors = { ...base };
  const lowered: MemorySignal[] = [];
  for (const s of CERTIFIED_SIGNALS) {
    if (certifiable < base[s]) {
      floors[s] = certifiable;
      lowered.push(s);
    }
  }
  const bytes = healthyGrowthBytes(scenario);
  const growth = `${Math.round((bytes ?? 0) / 1000)} kB`;
  const judged = Math.round(judgedRequests).toLocaleString('en-US');
  const reason =
    bytes === null
      ? `adaptive floor: not lowered (no calibration controls of scenario ${scenario}: nothing certifies a healthy relay's drift there; controls exist for ${certifiedScenarios().join(', ')})`
      : lowered.length > 0
      ? `adaptive floor: δ ${certifiable} B/request for ${lowered.join(', ')} (${CERTIFY_MARGIN} × the ≤ ${growth} a healthy relay grew by in calibration controls, over ${judged} judged requests; scenario δ ${base.heapUsed})`
      : `adaptive floor: not lowered (${judged} judged requests certify δ ≥ ${Number.isFinite(certifiable) ? certifiable : '∞'} B/request, not below the scenario's ${base.heapUsed}; a longer run certifies a smaller one)`;
  return { judgedRequests, certifiable, floors, lowered, reason };
}
