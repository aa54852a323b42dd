// Judging, in one folder: how a run folder becomes a verdict (run.ts), how two
// are compared (compare.ts), how each catalog variant is judged (signatures.ts:
// kind, verdict signal, tolerance), how a fix is proven per catalog variant
// (proof-plan.ts: scenario, durations, verdict options; proof.ts: the rules).
// A change to how a proof is decided is made here and nowhere else. Reads run
// folders; never runs anything (the verdict engine below it is pure).

export { judgeRun, judgeOptionsFor, signaturesFor, type JudgedRun } from './run.ts';
export { compareRuns, compareOptionsFor, type ComparedRuns } from './compare.ts';
export { signatureOf, SIGNAL_OF, VARIANT_JUDGING, type SignatureKind, type LeakSignal, type LeakSignature, type VariantJudging } from './signatures.ts';
export { catalogNames, proofPlanFor, PROOF_DEFAULTS, PROOF_COMMON_RELAY_ARGS, type ProofPlan } from './proof-plan.ts';
export { judgeProof, judgeProofRuns, judgeFixedRun, fixedRunClean, levelComparisonFor, type ProofResult, type ProofStatus } from './proof.ts';
export { verdictMeta, verdictRecords, withRequestsEvent } from './verdict-meta.ts';
