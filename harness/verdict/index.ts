// The verdict engine's public API. Everything here is pure computation over a
// run folder's records (harness/records.ts): no I/O, deterministic for a given
// input (bootstraps use seeded generators from shared/prng.ts).

export { judgeRun, type JudgeOptions, type RunVerdict, type Finding } from './run.ts';
export { judgeLevelThresholds, checkLevelThresholds, type LevelThreshold, type LevelThresholdResult, type LevelThresholdsVerdict } from './level-threshold.ts';
export {
  compareRuns,
  runDifferences,
  type CompareOptions,
  type RunComparison,
  type RunRecords,
  type SignalComparison,
  type HandleComparison,
  type ComparisonOutcome,
  type VitalComparison,
  vitalLine,
} from './compare.ts';
export { vitalGrowthText, type VitalsVerdict, type VitalSignalVerdict, type VitalChoice } from './vitals.ts';
export { formatVerdict, formatComparison, harnessLine } from './format.ts';
export type { HarnessSelfVerdict } from './harness-self.ts';
export { siteTrend, type SitesVerdict, type SiteVerdict } from './sites.ts';
export { VerdictError, type VerdictErrorCode, type RunDifference } from './errors.ts';
export { adaptiveFloors, certifiableFloor, CONTROL_EVIDENCE, HEALTHY_GROWTH_BYTES, type AdaptiveFloor, type ControlEvidence } from './certify.ts';
export { DEFAULT_FLOORS, DEFAULT_HEAP_LIMIT_BYTES, type MemoryOptions, type SignalVerdict } from './memory.ts';
export type { HandleOptions, HandlesVerdict, HandleTypeVerdict } from './handles.ts';
export type { ChurnOptions, ChurnReport, ChurnComparison } from './churn.ts';
export type { SignatureExpectation, SignatureResult, SignatureSignal } from './signature.ts';
export type { WarmupDecision } from './warmup.ts';
export { judgeServedLoad, servedLoadAccumulator, DEFAULT_MIN_SERVED_SHARE, MIN_PHASE_ATTEMPTS, type ServedLoad, type ServedCounts, type PhaseServed, type ServedOptions, type FirstResponse } from './served.ts';
export { compareService, twoProportionZ, SERVICE_MARGIN, SERVICE_Z, type ServiceComparison, type ServiceRow, type ServiceKind } from './service.ts';
export { MEMORY_SIGNALS, type Axis, type MemorySignal, type Status, type VerdictRunMeta, type WarmupOptions } from './types.ts';
/** The statistics library (Theil–Sen, Sen's interval, Mann–Kendall/Hamed–Rao, bootstrap, normal). */
export * as stats from './stats.ts';
export { verdictMetaOf, verdictRunOf } from './from-run.ts';
export { judgeSequentialRun } from './run.ts';
export { judgeSequential, alphaSpent, sequentialLine, DEFAULT_SEQUENTIAL_ALPHA, DEFAULT_MIN_EARLY_SECONDS, DEFAULT_MIN_EARLY_REQUESTS, type SequentialOptions, type SequentialVerdict, type SequentialLook, type SpendingKind } from './sequential.ts';
