// Where the soak finds the programs it starts. Everything is resolved from the
// repository root, so a run works from any working directory.

import { join, resolve } from 'node:path';

/** The repository root (this file is harness/soak/paths.ts). */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
/** Preloaded into Node targets (--import): samples the heap and handles, forces GC at checkpoints. */
export const PROBE_PATH = join(PROJECT_ROOT, 'harness/probe/probe.ts');
/** Preloaded into every child: it stops itself when the harness dies, even by SIGKILL. */
export const EXIT_WITH_HARNESS = join(PROJECT_ROOT, 'harness/run/exit-with-harness.ts');
/** The reference relay (--target relay, the default). */
export const RELAY_MAIN = join(PROJECT_ROOT, 'relay/main.ts');
/** The fake upstream the relay forwards to. */
export const UPSTREAM_MAIN = join(PROJECT_ROOT, 'mocks/main.ts');
