// Did the target serve the load it was judged on? A verdict on a run whose
// target answered every request with 400 (a third-party gateway missing its
// routing header, a wrong key) is a verdict on the error path at best and on
// nothing at worst: in the run that prompted this rule, 4 444 of 4 444
// requests got 400 and the run still said NO-LEAK with exit 0.
//
// Per phase, from the load windows in the samples:
//   attempts = completed requests (any status) + requests with no answer (errors, timeouts included)
//   correct  = 2xx whose body passed the checks (a truncated body passed through as 2xx is a mismatch, not an answer)
//   excused  = in a phase where the upstream injected faults that can fail a
//              request (everything but added latency and a dribbled body): every
//              failure answered with an HTTP status, plus the other failures up to
//              the number injected (finishPhase); nothing in a phase without them
//   share    = correct / (attempts − excused)
// An injected 429 that the target passes through, or answers with its own
// 429s while its accounts cool down, is the fault plan at work, not the
// target failing; connection errors and bad bodies beyond what was injected,
// and any failure in a phase without faults, are. The run is NOT SERVED when the share over all
// phases, or in any phase with at least MIN_PHASE_ATTEMPTS attempts, is below
// `minShare` (default 90 %). Pure: no I/O, like the rest of harness/verdict.

import type { ContinuousSample } from '../records.ts';

/** Default share of non-fault requests answered correctly below which a run is not judged. */
export const DEFAULT_MIN_SERVED_SHARE = 0.9;

/** A phase with fewer attempts than this is too small to fail on its own (it still counts in the total). */
export const MIN_PHASE_ATTEMPTS = 50;

/** Fault kinds that slow a response down but do not fail it. */
export const HARMLESS_FAULTS: ReadonlySet<string> = new Set(['latency', 'dribble']);

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

/**
 * The first response of a kind the load did not expect, as the run recorded
 * it (events.ndjson `first unexpected response`, harness/load/stats.ts):
 * its status, whether it was a 2xx whose body failed the checks, and the
 * head of its body (redacted by the run folder).
 */
export interface FirstResponse {
  status: number;
  mismatch: boolean;
  body: string;
}

export interface ServedOptions {
  /** Default DEFAULT_MIN_SERVED_SHARE. */
  minShare?: number;
  /** The run's first unexpected responses: the reason quotes the one behind the main failure. */
  firstResponses?: readonly FirstResponse[];
}

/** Characters of a quoted body in a reason: the recorded head is ≈ 300 bytes already. */
const QUOTED_BODY_CHARS = 300;

function empty(): ServedCounts {
  return { attempts: 0, correct: 0, excused: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, errors: 0, timeouts: 0, mismatches: 0, injected: 0, injectedByKind: {}, share: null };
}


/**
 * In a phase whose fault plan injected failing faults, every failure the
 * target answered with an HTTP status is the plan at work: a relay answers
 * an upstream 429 with its own 429s for as long as its accounts cool down
 * (measured: "all accounts are cooling down" for 2 537 requests after 1 425
 * injected faults in `mixed`'s retry-storm at 500 accounts), and an upstream
 * 503 or a cut body with 502/503s. Failures without an answer (connection
 * errors, timeouts) and bodies that failed the checks are excused only up to
 * the number of faults injected. A phase with no failing fault excuses
 * nothing, so a target that answers 400 to everything is still caught there.
 */
export function excusedFailures(c: Pick<ServedCounts, 'attempts' | 'correct' | 'status' | 'injected'>): number {
  const failures = Math.max(0, c.attempts - c.correct);
  if (c.injected === 0) return 0;
  const answered = c.status['3xx'] + c.status['4xx'] + c.status['5xx'];
  return Math.min(failures, answered + Math.min(c.injected, Math.max(0, failures - answered)));
}

function finishPhase(c: ServedCounts): ServedCounts {
  c.excused = excusedFailures(c);
  return share(c);
}

/** The run's total: the sum of what each phase excused (summed before this). */
function share(c: ServedCounts): ServedCounts {
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
  into.excused += from.excused;
  for (const [k, v] of Object.entries(from.injectedByKind)) into.injectedByKind[k] = (into.injectedByKind[k] ?? 0) + v;
}

const pct = (x: number): string => `${x >= 0.995 || x === 0 ? Math.round(x * 100) : Math.round(x * 1000) / 10} %`;

/**
 * The recorded first response behind the main failure kind, as
 * `every 4xx was 400, first body: {...}` (when it is the only status of its
 * class the run saw) or `first 4xx: 401, body: …`; '' when none was recorded.
 */
function quoteFirst(c: ServedCounts, first: readonly FirstResponse[]): string {
  const kinds: Array<[number, (r: FirstResponse) => boolean]> = [
    [c.status['4xx'], (r) => !r.mismatch && r.status >= 400 && r.status < 500],
    [c.status['5xx'], (r) => !r.mismatch && r.status >= 500 && r.status < 600],
    [c.mismatches, (r) => r.mismatch],
    [c.status['3xx'], (r) => !r.mismatch && r.status >= 300 && r.status < 400],
  ];
  const main = kinds.filter(([n]) => n > 0).sort((a, b) => b[0] - a[0])[0];
  if (main === undefined) return '';
  const seen = first.filter(main[1]);
  const r = seen[0];
  if (r === undefined) return '';
  const body = r.body.replace(/\s+/g, ' ').trim().slice(0, QUOTED_BODY_CHARS) || '(empty)';
  const cls = `${String(r.status)[0]}xx`;
  if (r.mismatch) return `; first failing ${r.status} body: ${body}`;
  return seen.length === 1 ? `; every ${cls} was ${r.status}, first body: ${body}` : `; first ${cls}: ${r.status}, body: ${body}`;
}

/**
 * A 503 whose body says the target refuses work past its own limit (the
 * reference relay's `overloaded`, a gateway's "at capacity"): the target is
 * set up right and shedding the load, so "can it reach its upstream?" would
 * send the reader the wrong way. Matched on words, since every gateway words
 * it its own way.
 */
export function isLoadShedding(r: { status: number; body: string } | undefined): boolean {
  return r !== undefined && r.status === 503 && /overload|capacity|concurren|too busy|admission/i.test(r.body);
}

/** What to do about load shedding, in the live warning and the served-load reason alike. */
export const LOAD_SHEDDING_HINT = 'the target is refusing load past its own concurrency limit: lower --rate / --connections, or raise that limit';

/** The usual cause of a 5xx answer, given the first 5xx the load got (if any). */
function fiveXxHint(first: { status: number; body: string } | undefined): string {
  return isLoadShedding(first) ? LOAD_SHEDDING_HINT : 'the target cannot reach its upstream? see {upstream} / SOAK_UPSTREAM_URL';
}

/** What went wrong, in words, with the usual cause of each kind of failure. */
function describe(c: ServedCounts, where: string, first: readonly FirstResponse[] = []): string {
  const bad = c.attempts - c.correct;
  const first5xx = first.find((r) => !r.mismatch && r.status >= 500 && r.status < 600);
  const parts: Array<[number, string]> = [
    [c.status['4xx'], `${c.status['4xx']} answered 4xx (missing routing header? wrong key or auth header? see --header / --auth)`],
    [c.status['5xx'], `${c.status['5xx']} answered 5xx (${fiveXxHint(first5xx)})`],
    [c.errors, `${c.errors} got no answer (connection refused or reset${c.timeouts > 0 ? `, ${c.timeouts} of them timed out` : ', or timed out'}: wrong URL or port?)`],
    [c.mismatches, `${c.mismatches} 2xx bodies failed the checks (wrong API profile, or truncated bodies passed through)`],
    [c.status['3xx'], `${c.status['3xx']} answered 3xx (a redirect: a path prefix missing?)`],
  ];
  const said = parts.filter(([n]) => n > 0).sort((a, b) => b[0] - a[0]).map(([, s]) => s);
  return `${where}: the target answered ${pct(c.share ?? 0)} of ${c.attempts - c.excused} non-fault requests correctly (${bad} of ${c.attempts} failed, ${c.excused} of them accounted for by injected faults): ${said.join('; ')}${quoteFirst(c, first)}`;
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
        // LoadWindow's own arithmetic (records.ts, harness/load/stats.ts): `requests`
        // counts every response, mismatching 2xx included; status['2xx'] leaves the
        // mismatches out; `errors` counts every request with no answer, timeouts
        // included. Adding timeouts again, or subtracting mismatches from 2xx again,
        // counted each of them twice.
        c.attempts += n(l.requests) + n(l.errors);
        c.correct += n(l.status?.['2xx']);
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
      const phases: PhaseServed[] = order.map((phase) => ({ phase, ...finishPhase(byPhase.get(phase)!) }));
      const total = empty();
      for (const p of phases) add(total, p);
      share(total);
      if (total.attempts === 0) {
        return { status: 'unknown', minShare, total, phases, reason: 'the samples carry no load figures: whether the target served the load is unknown' };
      }
      const failedPhase = phases.find((p) => p.attempts >= MIN_PHASE_ATTEMPTS && p.share !== null && p.share < minShare);
      const first = options.firstResponses ?? [];
      if ((total.share ?? 0) < minShare) return { status: 'not-served', minShare, total, phases, reason: describe(total, 'over the run', first) };
      if (failedPhase !== undefined) return { status: 'not-served', minShare, total, phases, reason: describe(failedPhase, `in phase ${failedPhase.phase}`, first) };
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
