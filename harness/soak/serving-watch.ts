// Is the target serving the load, as the run goes? The served-load rule
// (harness/verdict/served.ts) decides after the run; a user whose gateway
// answers every request with 400 (a missing routing header, a wrong key)
// should not have to wait for the end of a 5-minute soak to learn it: in
// issue #19, 4 444 of 4 444 requests got 400 while the progress line showed
// "0 err" (it counted errors, mismatches and 5xx only).
//
// Fed each continuous sample's load window and the upstream's cumulative
// fault counts, it gives:
// - the window's failures the fault plan did not inject (the progress line's
//   error count): attempts − correct − what served.ts excusedFailures excuses
//   in the window (the verdict's own accounting), so a retry-storm's 429s
//   are not "errors" and a 400 in a window without faults always is;
// - once, a loud line when a stretch of ≥ MIN_ATTEMPTS attempts has fewer than
//   MAX_SHARE of them answered correctly (the first stretch is the first
//   sample or two of load: within the first seconds);
// - the unexpected-response kinds new since the previous sample (status,
//   first body head), to be recorded as run events.
// Pure apart from its own counters: the caller writes events and lines.

import type { UnexpectedResponse } from '../load/stats.ts';
import type { Counts, LoadWindow } from '../records.ts';
import { excusedFailures, HARMLESS_FAULTS, isLoadShedding, LOAD_SHEDDING_HINT } from '../verdict/served.ts';

/** Attempts in a stretch before the share is judged: a handful of early failures is noise. */
export const MIN_ATTEMPTS = 20;
/** Below this share answered correctly, the target is not serving (the verdict's bar is 90 %; this is the alarm). */
export const MAX_SHARE = 0.5;


export interface ServingObservation {
  /** Failures in the window the fault plan does not account for. */
  errors: number;
  /** The loud line, once per run, when the target is not serving. */
  warning: string | null;
  /** Unexpected-response kinds first seen since the previous observation. */
  firstSeen: UnexpectedResponse[];
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;

export class ServingWatch {
  #lastFaults: Record<string, number> | null = null;
  #stretch = { attempts: 0, correct: 0, excused: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, noAnswer: 0, mismatches: 0 };
  #warned = false;
  /** Stretches judged so far (the warning says "first" for the first one). */
  #stretches = 0;
  readonly #reported = new Set<string>();

  observe(load: LoadWindow | null, faults: Counts | null, unexpected: readonly UnexpectedResponse[]): ServingObservation {
    const injected = this.#injectedSince(faults);
    const firstSeen = unexpected.filter((u) => {
      const key = `${u.status}${u.mismatch ? '!' : ''}`;
      if (this.#reported.has(key)) return false;
      this.#reported.add(key);
      return true;
    });
    if (load === null) return { errors: 0, warning: null, firstSeen };
    const attempts = load.requests + load.errors;
    const correct = Math.max(0, load.status['2xx'] - load.mismatches);
    const failed = Math.max(0, attempts - correct);
    // The served rule's own accounting, on the window: what the error count shows is what the verdict will count.
    const excused = excusedFailures({ attempts, correct, status: load.status, injected });
    const s = this.#stretch;
    s.attempts += attempts;
    s.correct += correct;
    s.excused += excused;
    for (const k of ['2xx', '3xx', '4xx', '5xx'] as const) s.status[k] += load.status[k];
    s.noAnswer += load.errors;
    s.mismatches += load.mismatches;
    let warning: string | null = null;
    if (s.attempts >= MIN_ATTEMPTS) {
      const judged = s.attempts - s.excused;
      const share = judged > 0 ? s.correct / judged : 1;
      if (share < MAX_SHARE && !this.#warned) {
        this.#warned = true;
        warning = this.#line(share, unexpected);
      }
      this.#stretches++;
      this.#stretch = { attempts: 0, correct: 0, excused: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, noAnswer: 0, mismatches: 0 };
    }
    return { errors: failed - excused, warning, firstSeen };
  }

  /** Failing faults injected since the previous call (the first call is the baseline; a counter that went back counts from 0). */
  #injectedSince(faults: Counts | null): number {
    if (faults === null) return 0;
    let n = 0;
    if (this.#lastFaults !== null) {
      for (const [k, v] of Object.entries(faults)) {
        if (HARMLESS_FAULTS.has(k)) continue;
        const before = this.#lastFaults[k] ?? 0;
        n += v >= before ? v - before : v;
      }
    }
    this.#lastFaults = { ...faults };
    return n;
  }

  #line(share: number, unexpected: readonly UnexpectedResponse[]): string {
    const s = this.#stretch;
    const total = s.attempts;
    const kinds: Array<[number, string, string]> = [
      [s.status['4xx'], '4xx', 'missing routing header? wrong key or auth header? (--header, --auth, SOAK_CLIENT_KEY)'],
      [s.status['5xx'], '5xx', 'can the target reach its upstream? ({upstream}, SOAK_UPSTREAM_URL, --target-config)'],
      [s.noAnswer, 'no answer', 'wrong URL or port? (connection refused, reset or timed out)'],
      [s.mismatches, '2xx with a body that failed the checks', 'another API than the load speaks? (--api)'],
      [s.status['3xx'], '3xx', 'a redirect: a path prefix missing from --target-url?'],
    ];
    const [n, what, classHint] = kinds.filter(([c]) => c > 0).sort((a, b) => b[0] - a[0])[0] ?? [0, 'failures', ''];
    // The most frequent exact status of that class, with the first body the load got for it.
    const cls = what.endsWith('xx') ? what[0] : null;
    const mismatch = what.startsWith('2xx');
    const ofClass = unexpected.filter((u) => (mismatch ? u.mismatch : cls !== null && !u.mismatch && String(u.status)[0] === cls));
    const example = [...ofClass].sort((a, b) => b.count - a.count)[0];
    // A 503 "overloaded" as the most frequent 5xx is load shedding, not an unreachable upstream.
    const hint = cls === '5' && isLoadShedding(example) ? LOAD_SHEDDING_HINT : classHint;
    // "100 % 400" only when 400 is the one status of its class seen so far.
    const answered = example && cls !== null && ofClass.length === 1 ? `${pct(n / total)} ${example.status}` : `${pct(n / total)} ${what}`;
    const body = example ? `; first ${example.status} body: ${oneLine(example.body)}` : '';
    const which = this.#stretches === 0 ? 'first' : 'last';
    return `WARNING target is not serving the load: ${answered} of its ${which} ${total} requests (${pct(share)} answered correctly): ${hint}${body}`;
  }
}

/** A body head on one line, for a progress line. */
export function oneLine(body: string): string {
  const t = body.replace(/\s+/g, ' ').trim();
  return t === '' ? '(empty)' : t;
}
