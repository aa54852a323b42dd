// How calibrate hands the ground-truth leak to the relay, and how it
// checks the leak stayed invisible to what the verdict reads. Kept apart from
// the preload itself (which runs inside the relay) and from the bench's main.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRun } from '../run/read-run.ts';
import { verdictMetaOf } from '../verdict/index.ts';
import type { Truth } from './summary.ts';

export const GROUND_TRUTH_PRELOAD = resolve(import.meta.dirname, 'ground-truth-leak.ts');

/**
 * Strings that would betray the preload if they reached run.json or the
 * verdict's inputs: its file, its variables. (The scenario's name is no
 * betrayal: control runs use the same scenario.)
 */
const PRELOAD_MARKERS = ['ground-truth-leak', 'SOAK_CALIBRATION', 'NODE_OPTIONS'];

/** The relay's extra environment for one run (TargetSpec.env): the preload and its knob, or nothing for a control. */
export function groundTruthEnv(truth: Truth, inherited: string | undefined = process.env.NODE_OPTIONS): Record<string, string> {
  if (truth.kind === 'control') return {};
  const nodeOptions = `${inherited ?? ''} --import=${GROUND_TRUTH_PRELOAD}`.trim();
  return truth.kind === 'bytes'
    ? { NODE_OPTIONS: nodeOptions, SOAK_CALIBRATION_RETAIN_BYTES: String(truth.bytesPerRequest) }
    : { NODE_OPTIONS: nodeOptions, SOAK_CALIBRATION_HANDLE_EVERY: String(truth.every) };
}

/** True when neither run.json nor the verdict meta built from it names the preload or its knobs. */
export function preloadInvisible(runDir: string): boolean {
  const text = readFileSync(join(runDir, 'run.json'), 'utf8');
  const meta = JSON.stringify(verdictMetaOf(readRun(runDir).meta));
  return PRELOAD_MARKERS.every((m) => !text.includes(m) && !meta.includes(m));
}
