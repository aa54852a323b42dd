// harness/soak: one soak run. runSoak (run.ts) is the entry point; the parts
// it wires together are targets.ts (what runs), drive.ts (the scenario's
// timeline and fault plans), sampling.ts (continuous samples) and
// checkpoint.ts (the drained post-GC series the verdict reads).

export { runSoak, exitCodeFor, interruptReason } from './run.ts';
export { PROJECT_ROOT } from './paths.ts';
export { SOAK_FLAGS, SEED_FLAG, validateSoakOptions, type SoakOptions, type SoakResult, type TargetSpec } from './options.ts';
