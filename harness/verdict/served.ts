// Did the target serve the load it was judged on? A verdict on a run whose
// target answered every request with 400 (a third-party gateway missing its
// routing header, a wrong key) is a verdict on the error path at best and on
// nothing at worst: in the run that prompted this rule, 4 444 of 4 444
// requests got 400 and the run still said NO-LEAK with exit 0.
//
// Per phase, from the load windows in the samples:
//   attempts = completed requests (any status) + connection errors + timeouts
//   correct  = 2xx − body mismatches (a truncated body passed through as 2xx is not an answer)
//   excused  = min(attempts − correct, faults the upstream injected in the phase
//              that can fail a request: everything but added latency and a dribbled body)
//   share    = correct / (attempts − excused)
// An injected 429 that the target passes through (or fails over on and
// still fails) is the fault plan at work, not the target failing; anything
// beyond what was injected is. The run is NOT SERVED when the share over all
// phases, or in any phase with at least MIN_PHASE_ATTEMPTS attempts, is below
// `minShare` (default 90 %). Pure: no I/O, like the rest of harness/verdict.

import type { ContinuousSample } from '../records.ts';

/** Default share of non-fault requests answered correctly below which a run is not judged. */
export const DEFAULT_MIN_SERVED_SHARE = 0.9;

/** A phase with fewer attempts than this is too small to fail on its own (it still counts in the total). */
export const MIN_PHASE_ATTEMPTS = 50;

/** Fault kinds that slow a response down but do not fail it. */
const HARMLESS_FAULTS = new Set(['latency', 'dribble']);

export interface ServedCounts {
  attempts: number;
  correct: number;
  /** Failures the fault plan accounts for. */
  excused: number;
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  errors: number;
  timeouts: number;
  mismatches: number;
  /** Failing faults injected (all kinds but latency and dribble). */
  injected: number;
  /** Every fault injected, by kind (latency and dribble included). */
  injectedByKind: Record<string, number>;
  /** correct / (attempts − excused); null with no attempts. */
  share: number | null;
}

export interface PhaseServed extends ServedCounts {
  phase: string;
}

export interface ServedLoad {
  /** 'not-served': below minShare; 'unknown': the samples carry no load windows (nothing to check). */
  status: 'served' | 'not-served' | 'unknown';
  minShare: number;
  total: ServedCounts;
  phases: PhaseServed[];
  /** One sentence: what the target answered instead, and the likely causes. */
  reason: string;
}

export interface ServedOptions {
  /** Default DEFAULT_MIN_SERVED_SHARE. */
  minShare?: number;
}

function empty(): ServedCounts {
  return { attempts: 0, correct: 0, excused: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, errors: 0, timeouts: 0, mismatches: 0, injected: 0, injectedByKind: {}, share: null };
}


function finish(c: ServedCounts): ServedCounts {
  c.excused = Math.min(Math.max(0, c.attempts - c.correct), c.injected);
  const judged = c.attempts - c.excused;
  c.share = judged > 0 ? c.correct / judged : c.attempts > 0 ? 0 : null;
  return c;
}

function add(into: ServedCounts, from: ServedCounts): void {
  into.attempts += from.attempts;
  into.correct += from.correct;
  for (const k of ['2xx', '3xx', '4xx', '5xx'] as const) into.status[k] += from.status[k];
  into.errors += from.errors;
  into.timeouts += from.timeouts;
  into.mismatches += from.mismatches;
  into.injected += from.injected;
  for (const [k, v] of Object.entries(from.injectedByKind)) into.injectedByKind[k] = (into.injectedByKind[k] ?? 0) + v;
}

const pct = (x: number): string => `${x >= 0.995 || x === 0 ? Math.round(x * 100) : Math.round(x * 1000) / 10} %`;

/** What went wrong, in words, with the usual cause of each kind of failure. */
function describe(c: ServedCounts, where: string): string {
  const bad = c.attempts - c.correct;
  const parts: Array<[number, string]> = [
    [c.status['4xx'], `${c.status['4xx']} answered 4xx (missing routing header? wrong key or auth header? see --header / --auth)`],
    [c.status['5xx'], `${c.status['5xx']} answered 5xx (the target cannot reach its upstream? see {upstream} / SOAK_UPSTREAM_URL)`],
    [c.errors + c.timeouts, `${c.errors + c.timeouts} got no answer (connection refused or reset, or timed out: wrong URL or port?)`],
    [c.mismatches, `${c.mismatches} 2xx bodies failed the checks (wrong API profile, or truncated bodies passed through)`],
    [c.status['3xx'], `${c.status['3xx']} answered 3xx (a redirect: a path prefix missing?)`],
  ];
  const said = parts.filter(([n]) => n > 0).sort((a, b) => b[0] - a[0]).map(([, s]) => s);
  return `${where}: the target answered ${pct(c.share ?? 0)} of ${c.attempts - c.excused} non-fault requests correctly (${bad} of ${c.attempts} failed, ${c.excused} of them accounted for by injected faults): ${said.join('; ')}`;
}

/**
 * The rule over samples as they stream past (the report reads an 8-hour
 * samples file line by line and never holds it): add() each sample in time
 * order, finish() once.
 */
export function servedLoadAccumulator(options: ServedOptions = {}): { add(s: ContinuousSample): void; finish(): ServedLoad } {
  const minShare = options.minShare ?? DEFAULT_MIN_SERVED_SHARE;
  const byPhase = new Map<string, ServedCounts>();
  const order: string[] = [];
  let lastFaults: Record<string, number> = {};
  let seenFaults = false;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    add(s) {
      let c = byPhase.get(s.phase);
      if (c === undefined) {
        byPhase.set(s.phase, (c = empty()));
        order.push(s.phase);
      }
      const l = s.load;
      if (l) {
        c.attempts += n(l.requests) + n(l.errors) + n(l.timeouts);
        c.correct += Math.max(0, n(l.status?.['2xx']) - n(l.mismatches));
        for (const k of ['2xx', '3xx', '4xx', '5xx'] as const) c.status[k] += n(l.status?.[k]);
        c.errors += n(l.errors);
        c.timeouts += n(l.timeouts);
        c.mismatches += n(l.mismatches);
      }
      if (s.faults && typeof s.faults === 'object') {
        // Cumulative counts: a phase gets what was injected since the previous sample
        // (the first sample is the baseline; a counter that went back, an upstream restart, counts from zero).
        for (const [k, raw] of Object.entries(s.faults)) {
          const v = n(raw);
          const d = !seenFaults ? 0 : v >= (lastFaults[k] ?? 0) ? v - (lastFaults[k] ?? 0) : v;
          if (d === 0) continue;
          c.injectedByKind[k] = (c.injectedByKind[k] ?? 0) + d;
          if (!HARMLESS_FAULTS.has(k)) c.injected += d;
        }
        lastFaults = Object.fromEntries(Object.entries(s.faults).map(([k, v]) => [k, n(v)]));
        seenFaults = true;
      }
    },
    finish() {
      const phases: PhaseServed[] = order.map((phase) => ({ phase, ...finish(byPhase.get(phase)!) }));
      const total = empty();
      for (const p of phases) add(total, p);
      finish(total);
      if (total.attempts === 0) {
        return { status: 'unknown', minShare, total, phases, reason: 'the samples carry no load figures: whether the target served the load is unknown' };
      }
      const failedPhase = phases.find((p) => p.attempts >= MIN_PHASE_ATTEMPTS && p.share !== null && p.share < minShare);
      if ((total.share ?? 0) < minShare) return { status: 'not-served', minShare, total, phases, reason: describe(total, 'over the run') };
      if (failedPhase !== undefined) return { status: 'not-served', minShare, total, phases, reason: describe(failedPhase, `in phase ${failedPhase.phase}`) };
      return {
        status: 'served',
        minShare,
        total,
        phases,
        reason: `the target answered ${pct(total.share ?? 0)} of ${total.attempts - total.excused} non-fault requests correctly (at least ${pct(minShare)} needed, in every phase)`,
      };
    },
  };
}

export function judgeServedLoad(samples: readonly ContinuousSample[], options: ServedOptions = {}): ServedLoad {
  const acc = servedLoadAccumulator(options);
  for (const s of [...samples].sort((a, b) => a.t - b.t)) acc.add(s);
  return acc.finish();
}
