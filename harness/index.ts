// The harness's public API: everything the CLI does is callable from code,
// and the CLI (harness/cli.ts), the benches and the tests use it from here.
// Library code never writes to stdout on its own: progress and reports go to
// the streams a caller passes (`progressStream`, `progress`, `report`).
//
//   runSoak(options)            one soak run → run folder, outcome, verdict
//   judgeRun(runDir)            a run folder → its verdict (as runSoak judged it)
//   compareRuns(runA, runB)     two run folders → is the fix proven?
//   prove({ variants })         leaky vs fixed run per catalog variant → proof results
//   calibrate({ plan, seed })   the harness's own accuracy on ground-truth leaks
//   calibrationFigures(dir)     a calibration folder's figures as they stand (runs nothing)
//   readRun(runDir)             a run folder's records, complete or not
//
//   buildReport(runDir)         a run folder → its self-contained report.html
//   buildProofReport(input)     a leaky and a fixed run, their comparison, the proof → proof.html
//   buildIndex(folder)          a folder of runs and proofs → index.html, newest first, trends per variant
//   mergeRuns({ inputs, out })  many shards' runs and proofs → one folder, one index, each run held to its baseline
// A test (test/harness/public-api.test.ts) fails when a bench or CLI file
// deep-imports a module whose exports are offered here.

export { runSoak, exitCodeFor, type SoakOptions, type SoakResult, type TargetSpec } from './soak/index.ts';
export { SOAK_FLAGS } from './soak/options.ts';
export { judgeRun, compareRuns, judgeProof, judgeProofRuns, proofPlanFor, catalogNames, PROOF_DEFAULTS, type JudgedRun, type ComparedRuns, type ProofPlan, type ProofResult, type ProofStatus } from './judge/index.ts';
export { prove, allProofsHold } from './prove/run.ts';
export { PROVE_FLAGS, resolveVariants, type ProveOptions } from './prove/options.ts';
export { formatProof, formatProofTable } from './prove/format.ts';
export { calibrate, calibrationFigures, type CalibrateOptions, type CalibrationResult, type LedgerFigures } from './calibrate/run.ts';
export { FULL_PLAN, QUICK_PLAN, type CalibrationPlan } from './calibrate/plan.ts';
export { readRun, readRunFolder, skippedLinesText, type RunData, type SkippedLine, type SkippedLinesLine } from './run/read-run.ts';
export type { RunMeta } from './run/meta.ts';
export { EXIT, EXIT_FOR_CODE, exitCodeOf, SoakError, type SoakErrorCode } from './errors.ts';
export { formatVerdict, formatComparison, VerdictError, type RunVerdict, type RunComparison, type ComparisonOutcome, type JudgeOptions } from './verdict/index.ts';
export type * from './records.ts';
export { buildReport, buildProofReport, ReportError, type ProofReportInput, type ProofSummary } from '../reports/index.ts';
export { buildIndex } from '../reports/index-page/index.ts';
export { mergeRuns, type MergeOptions, type MergeResult, type MergedShard } from './merge/index.ts';
