// Signature check: did the scenario actually trigger the bug it was meant to?
//
// A catalog variant (relay/) declares what its leak costs per triggering event,
// e.g. 2 KiB of heap per 429 response. Measuring a NO-LEAK on the fixed relay
// proves nothing if the leaky relay was never pushed down the leaking path; this
// compares the measured cost per event with the expected one.

import { VerdictError } from './errors.ts';
import type { Checkpoint } from '../records.ts';
import { handleSeries, memoryOf } from './series.ts';
import { estimateTrend, hasSpread, type TrendOptions } from './trend.ts';
import { MEMORY_SIGNALS, type MemorySignal } from './types.ts';

/** A memory signal, or `handles:<key>` with a key as in handles.ts ('handles:TCPSocketWrap', 'handles:tcp:CLOSE_WAIT', 'handles:fds'). */
export type SignatureSignal = MemorySignal | `handles:${string}`;

export interface SignatureExpectation {
  /** Catalog id of the variant, for the report. */
  variant?: string;
  signal: SignatureSignal;
  /** Expected cost per event: bytes for memory signals, handles for handle signals. */
  perEvent: number;
  /** The cumulative event count in checkpoint.events that triggers the leak. */
  event: string;
  /** Relative tolerance: triggered when measured ≥ perEvent·(1 − tolerance). Default 0.5. */
  tolerance?: number;
}

export interface SignatureResult {
  variant: string | null;
  signal: SignatureSignal;
  event: string;
  expectedPerEvent: number;
  /** Events counted over the judged checkpoints. */
  events: number;
  measuredPerEvent: number | null;
  lower: number | null;
  upper: number | null;
  outcome: 'triggered' | 'not-triggered' | 'weaker-than-expected';
  reason: string;
}

/** "Weaker than expected" needs at least perEvent / 10 for certain (CI lower bound). */
const WEAK_FRACTION_DIVISOR = 10;

function seriesOf(checkpoints: readonly Checkpoint[], signal: SignatureSignal): number[] {
  if ((MEMORY_SIGNALS as readonly string[]).includes(signal)) return checkpoints.map((c) => memoryOf(c, signal as MemorySignal));
  if (signal.startsWith('handles:')) return handleSeries(checkpoints, signal.slice('handles:'.length));
  throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `signature.signal: expected one of ${MEMORY_SIGNALS.join(', ')} or handles:<type>, got "${signal}"`);
}

/**
 * Outcome rule:
 *  - no event counted, or fewer than 3 checkpoints with distinct counts → not-triggered;
 *  - measured ≥ perEvent·(1 − tolerance) → triggered;
 *  - measured below that but its CI lower bound > perEvent/10 (the path ran, the
 *    leak is certainly there but smaller than the catalog says) → weaker-than-expected;
 *  - otherwise → not-triggered. The /10 is there because "CI lower > 0" alone is
 *    met by the healthy post-GC drift (~0.1 B/request, i.e. a few bytes per event
 *    at typical event rates): that is not the catalog's bug showing up weakly.
 */
export function checkSignature(
  checkpoints: readonly Checkpoint[],
  expectation: SignatureExpectation,
  options: TrendOptions = {},
): SignatureResult {
  const tolerance = expectation.tolerance ?? 0.5;
  if (!(expectation.perEvent > 0)) throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `signature.perEvent: expected a positive number, got ${expectation.perEvent}`);
  if (!(tolerance >= 0 && tolerance < 1)) throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `signature.tolerance: expected a number in [0, 1), got ${tolerance}`);
  const x = checkpoints.map((c) => c.events[expectation.event] ?? 0);
  const y = seriesOf(checkpoints, expectation.signal);
  const base = {
    variant: expectation.variant ?? null,
    signal: expectation.signal,
    event: expectation.event,
    expectedPerEvent: expectation.perEvent,
    events: x.length > 0 ? x[x.length - 1]! - x[0]! : 0,
  };
  if (new Set(x).size < 3 || !hasSpread(x)) {
    return {
      ...base,
      measuredPerEvent: null,
      lower: null,
      upper: null,
      outcome: 'not-triggered',
      reason: base.events === 0 ? `no '${expectation.event}' events were counted` : `too few checkpoints with new '${expectation.event}' events to measure a cost`,
    };
  }
  const trend = estimateTrend(x, y, { ...options, bootstrapSeed: options.bootstrapSeed ?? `signature:${expectation.signal}:${expectation.event}` });
  const threshold = expectation.perEvent * (1 - tolerance);
  const measured = { measuredPerEvent: trend.slope, lower: trend.ci.lower, upper: trend.ci.upper };
  const what = `measured ${trend.slope.toPrecision(3)} per '${expectation.event}' (CI [${trend.ci.lower.toPrecision(3)}, ${trend.ci.upper.toPrecision(3)}]), expected ${expectation.perEvent}`;
  if (trend.slope >= threshold) return { ...base, ...measured, outcome: 'triggered', reason: what };
  if (trend.ci.lower > expectation.perEvent / WEAK_FRACTION_DIVISOR) return { ...base, ...measured, outcome: 'weaker-than-expected', reason: `${what}: below ${threshold.toPrecision(3)}` };
  return { ...base, ...measured, outcome: 'not-triggered', reason: `${what}: not clearly above ${(expectation.perEvent / WEAK_FRACTION_DIVISOR).toPrecision(3)}` };
}
