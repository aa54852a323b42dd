// Seeded fault selection. A request's fault depends only on (plan seed, route,
// the request's sequence number on that route, the rules active at that
// time): same seed and same request order → same faults. Each route keeps its
// own sequence so timer-driven traffic (health scans on /usage) cannot shift
// the faults of the load-driven chat traffic.

import type { FaultKind } from './faults.ts';
import { ROUTES, type FaultWindow, type ResolvedPlan, type ResolvedRule, type RouteName } from './plan.ts';

const ROUTE_INDEX: Readonly<Record<RouteName, number>> = { chat: 0, models: 1, usage: 2, state: 3 };

// Independent draw streams derived from the same (seed, n).
const STREAM_FAULT = 0; // + route index
const STREAM_JITTER = 8; // + route index
const STREAM_ACCOUNT = 16;

/**
 * A uniform [0, 1) number that depends only on its arguments: no state, so a
 * request's draw never depends on how many draws other code made before it.
 * (murmur3-style finaliser over a mix of the three inputs.)
 */
export function unitAt(seed: number, n: number, stream: number): number {
  let h = (seed ^ Math.imul(n + 1, 0x9e3779b9) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export function windowActive(window: FaultWindow | undefined, elapsedMs: number): boolean {
  if (!window) return true;
  const sinceStart = elapsedMs - window.startMs;
  if (sinceStart < 0) return false;
  if (window.everyMs === undefined) return sinceStart < window.durationMs;
  return sinceStart % window.everyMs < window.durationMs;
}

export interface Selection {
  /** 0-based position of the request on its route since the plan took effect. */
  readonly seq: number;
  readonly fault: FaultKind | null;
  /** A second uniform draw for the fault's own randomness (latency jitter). */
  readonly jitter: number;
}

export type AccountFault = 'expired-token' | 'quota-exhausted' | null;

export class FaultSelector {
  readonly plan: ResolvedPlan;
  /** performance.now() when the plan took effect: windows count from here. */
  readonly originMs: number;
  private readonly sequences = new Float64Array(ROUTES.length);
  private readonly rulesByRoute: Readonly<Record<RouteName, readonly ResolvedRule[]>>;

  constructor(plan: ResolvedPlan, originMs: number) {
    this.plan = plan;
    this.originMs = originMs;
    const forRoute = (route: RouteName) => plan.rules.filter((r) => r.routes.includes(route));
    this.rulesByRoute = { chat: forRoute('chat'), models: forRoute('models'), usage: forRoute('usage'), state: forRoute('state') };
  }

  /** The fault for the next request on `route`; advances that route's sequence. */
  next(route: RouteName, nowMs: number): Selection {
    const r = ROUTE_INDEX[route];
    const seq = this.sequences[r]!;
    this.sequences[r] = seq + 1;
    const rules = this.rulesByRoute[route];
    let fault: FaultKind | null = null;
    if (rules.length > 0) {
      const elapsed = nowMs - this.originMs;
      const u = unitAt(this.plan.seed, seq, STREAM_FAULT + r);
      // Rules split [0, 1) into consecutive intervals in plan order; an
      // inactive rule keeps its interval (so it maps to "no fault") instead of
      // shifting the others, which keeps faults stable across window edges.
      let upper = 0;
      for (const rule of rules) {
        upper += rule.probability;
        if (u < upper) {
          if (windowActive(rule.window, elapsed)) fault = rule.fault;
          break;
        }
      }
    }
    return { seq, fault, jitter: unitAt(this.plan.seed, seq, STREAM_JITTER + r) };
  }

  /** The fixed behaviour of an account under this plan (independent of request order). */
  accountFault(index: number): AccountFault {
    const { expiredShare, quotaExhaustedShare } = this.plan.accounts;
    if (expiredShare === 0 && quotaExhaustedShare === 0) return null;
    const u = unitAt(this.plan.seed, index, STREAM_ACCOUNT);
    if (u < expiredShare) return 'expired-token';
    if (u < expiredShare + quotaExhaustedShare) return 'quota-exhausted';
    return null;
  }
}
