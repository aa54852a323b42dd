// A run whose target answers nothing is stopped, not judged. Pointed at a port
// nobody listens on (`--target-pid <live pid> --target-url http://127.0.0.1:1`,
// a --target-cmd that listens elsewhere after its readiness line, a relay
// behind a dead proxy), the load completes no request at all; the run used to
// go on for its whole duration and judge the target's memory, which had served
// nothing, as NO-LEAK with exit 0.
//
// The rule is about answering, not about answering well: any HTTP response,
// whatever its status, counts as an answer, so a fault plan that turns every
// upstream call into a 429 or a 503 never trips it (the relay still answers),
// and neither does a relay that answers 400 to everything (the served-load
// rule, harness/verdict/served.ts, judges that one after the run). Client-side
// timeouts are not counted as "nothing answered": a stall fault plan holds
// requests on purpose. Only connection failures with not a single response in
// the first seconds of load stop the run, and only in those first seconds: a
// target that stops answering later is a crash (its exit is watched) or an
// unserved run.
//
// Pure: fed the load's windows, it says whether and why to stop.

import type { LoadWindow } from '../records.ts';

export interface ReachabilityRule {
  /** Load time before the rule may decide: connection pools and a slow first accept settle. */
  graceMs: number;
  /** Load time after which the rule no longer applies. */
  untilMs: number;
  /** Connection failures needed, with no response at all, before the target is called unreachable. */
  minFailures: number;
}

/**
 * 5 s of load and 20 failed connections: at the default 2-s sample interval
 * the third sample decides, and the slowest scenario (a few req/s) makes 20
 * attempts well inside 30 s. A target that accepts after 5 s is not one we can
 * soak as configured anyway.
 */
export const REACHABILITY_RULE: ReachabilityRule = { graceMs: 5_000, untilMs: 30_000, minFailures: 20 };

export interface Unreachable {
  /** Load time (ms) when the rule decided. */
  atMs: number;
  failures: number;
  /** One line: what was seen, and what to check. */
  reason: string;
}

export class ReachabilityWatch {
  readonly #rule: ReachabilityRule;
  #responses = 0;
  #failures = 0;
  #timeouts = 0;
  #decided = false;

  constructor(rule: ReachabilityRule = REACHABILITY_RULE) {
    this.#rule = rule;
  }

  /**
   * One window of load, ending at `loadElapsedMs` of load time. Returns the
   * decision once, the first time the target is found unreachable; null otherwise.
   */
  observe(window: LoadWindow, loadElapsedMs: number): Unreachable | null {
    if (this.#decided) return null;
    this.#responses += window.requests;
    this.#failures += window.errors;
    this.#timeouts += window.timeouts;
    if (this.#responses > 0 || loadElapsedMs > this.#rule.untilMs) {
      // Answered once, or past the first seconds: never decides again.
      this.#decided = true;
      return null;
    }
    const connectionFailures = this.#failures - this.#timeouts;
    if (loadElapsedMs < this.#rule.graceMs || connectionFailures < this.#rule.minFailures) return null;
    this.#decided = true;
    const seconds = Math.round(loadElapsedMs / 100) / 10;
    return {
      atMs: loadElapsedMs,
      failures: connectionFailures,
      reason:
        `the target answered none of ${connectionFailures} requests in its first ${seconds} s of load ` +
        `(${connectionFailures} connection errors, 0 responses): is it listening on the URL the load uses?`,
    };
  }
}
