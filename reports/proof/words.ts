// The proof page's words: the banner status of a proof or a comparison, the
// rule each proof kind applies (harness/judge/proof.ts judgeProof, said in
// words here: reports/ does not import judge/, which imports the relay's
// catalog), and the outcome labels of the comparison table.

import type { ComparisonOutcome, RunComparison } from '../../harness/verdict/index.ts';
import type { ProofStatus, ProofSummary } from './model.ts';

/** data-status of the banner. A refused comparison (runs not comparable) is REFUSED. */
export type BannerStatus = 'HOLDS' | 'FAILED' | 'INCONCLUSIVE' | 'INCOMPLETE' | 'FIX-HOLDS' | 'REGRESSION' | 'NOT-FIXED' | 'REFUSED';

const PROOF_STATUS: Record<ProofStatus, BannerStatus> = { holds: 'HOLDS', failed: 'FAILED', inconclusive: 'INCONCLUSIVE', incomplete: 'INCOMPLETE' };
const COMPARISON_STATUS: Record<ComparisonOutcome, BannerStatus> = { 'fix-holds': 'FIX-HOLDS', regression: 'REGRESSION', 'not-fixed': 'NOT-FIXED', inconclusive: 'INCONCLUSIVE' };

export function bannerStatus(proof: ProofSummary | null, comparison: RunComparison | null): BannerStatus {
  if (proof !== null) return PROOF_STATUS[proof.status] ?? 'INCONCLUSIVE';
  if (comparison !== null) return COMPARISON_STATUS[comparison.outcome] ?? 'INCONCLUSIVE';
  return 'REFUSED';
}

/** The status in words, as the terminal prints it (harness/prove/format.ts, verdict/format.ts). */
export const STATUS_WORDS: Record<BannerStatus, string> = {
  HOLDS: 'PROOF HOLDS',
  FAILED: 'PROOF FAILED',
  INCONCLUSIVE: 'INCONCLUSIVE',
  INCOMPLETE: 'PROOF INCOMPLETE',
  'FIX-HOLDS': 'FIX HOLDS',
  REGRESSION: 'REGRESSION',
  'NOT-FIXED': 'NOT FIXED',
  REFUSED: 'NOT COMPARABLE',
};

/** Which colour: ok, bad, unsure, partial. */
export const STATUS_TONE: Record<BannerStatus, 'ok' | 'bad' | 'unsure' | 'partial'> = {
  HOLDS: 'ok',
  'FIX-HOLDS': 'ok',
  FAILED: 'bad',
  REGRESSION: 'bad',
  'NOT-FIXED': 'bad',
  INCONCLUSIVE: 'unsure',
  INCOMPLETE: 'partial',
  REFUSED: 'partial',
};

export function statusGloss(status: BannerStatus, proof: ProofSummary | null): string {
  const what = proof === null ? 'the after run' : `the fix of ${proof.variant}`;
  switch (status) {
    case 'HOLDS':
      return `the leaky run shows the bug, the fixed run does not: ${what} is proven`;
    case 'FAILED':
      return 'the runs do not show what the proof requires';
    case 'INCONCLUSIVE':
      return proof === null ? 'the runs cannot decide either way' : 'the runs cannot decide either way: not proven, not refuted';
    case 'INCOMPLETE':
      return 'the proof did not get both runs to the end';
    case 'FIX-HOLDS':
      return 'the before run leaks, the after run does not, and the difference is certain';
    case 'REGRESSION':
      return 'the after run leaks where the before run did not, or more';
    case 'NOT-FIXED':
      return 'both runs leak';
    case 'REFUSED':
      return 'the runs differ in what must be equal to compare them';
  }
}

/**
 * What each proof kind requires beyond "the leaky run must show <expects>"
 * (harness/judge/proof.ts judgeProof), in words.
 */
export const KIND_RULES: Record<string, string> = {
  retained:
    "its signature check must say triggered; then the comparison must say FIX HOLDS (the fixed run NO-LEAK with its interval under δ, the interval of after − before below 0, handle Δ back to 0) or, when it is inconclusive only on other signals, the variant's own signal must be proven fixed and the fixed run clean on every signal",
  handles:
    "its signature check must say triggered; then the comparison must say FIX HOLDS (the fixed run's Δ back to 0, NO-LEAK everywhere) or, when it is inconclusive only on other signals, that handle type must be proven fixed (the fixed run not LEAK, Δ ≤ 0) and the fixed run clean on every signal",
  churn: 'nothing is retained: the fixed run must allocate significantly less per request (after/before ratio, 95 % interval upper bound < 1) and be clean on every signal',
  level: 'a held level, not a slope: the leaky run must show the level (at drained checkpoints or under load), the fixed run must not, and the fixed run must be clean on every signal',
};

export const COMPARE_RULE =
  'FIX HOLDS needs the before run LEAK and the after run NO-LEAK, every signal that leaked before proven fixed (after interval upper bound < δ, and the interval of after − before below 0), and every handle type that leaked back within its allowance; REGRESSION: the after run leaks where the before run was clean, or significantly more.';

export const REFUSAL_RULE =
  'two runs are compared only when their scenario, seed, fault plan, Node version and Node flags are equal: otherwise a difference could be the cause. --force compares them anyway, each difference then a warning on the result.';

/** The comparison table's outcome words. */
export const OUTCOME_WORDS: Record<string, string> = {
  fixed: 'fixed',
  regressed: 'regressed',
  'still-leaking': 'still leaking',
  clean: 'clean',
  inconclusive: 'inconclusive',
  'not-measured': 'not measured',
};

/** Badge tone of a per-signal outcome or a status word. */
export function toneOf(word: string): 'ok' | 'bad' | 'unsure' | 'muted' | 'native' {
  switch (word) {
    case 'fixed':
    case 'clean':
    case 'NO-LEAK':
    case 'not-triggered':
      return 'ok';
    case 'regressed':
    case 'still-leaking':
    case 'LEAK':
    case 'triggered':
      return 'bad';
    case 'NATIVE-GROWTH':
      return 'native';
    case 'not-measured':
    case 'NOT-MEASURED':
      return 'muted';
    default:
      return 'unsure';
  }
}
