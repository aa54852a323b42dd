// The harness's public API: everything the CLI does is callable from code.

export { runSoak, exitCodeFor, type SoakOptions, type SoakResult, type TargetSpec } from './soak.ts';
export { readRun, type RunData } from './run/read-run.ts';
export type { RunMeta } from './run/meta.ts';
export { EXIT, SoakError } from './errors.ts';
export type * from './records.ts';
