// Reading a run folder back, complete or not. A harness killed mid-write can
// leave a torn last line: it is skipped and counted, never fatal.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SoakError, usageError } from '../errors.ts';
import type { Checkpoint, ContinuousSample, RunEvent } from '../records.ts';
import type { RunMeta } from './meta.ts';
import { RUN_FILES } from './run-folder.ts';

export interface RunData {
  dir: string;
  meta: RunMeta;
  samples: ContinuousSample[];
  checkpoints: Checkpoint[];
  events: RunEvent[];
  /** summary.json, absent when the harness did not finish. */
  summary: unknown | null;
  /** Lines that could not be parsed (a torn last line after SIGKILL). */
  skippedLines: number;
}

export function readNdjson<T>(path: string): { records: T[]; skipped: number } {
  if (!existsSync(path)) return { records: [], skipped: 0 };
  const records: T[] = [];
  let skipped = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}

export function readRun(dir: string): RunData {
  const metaPath = join(dir, RUN_FILES.meta);
  if (!existsSync(metaPath)) {
    throw new SoakError('SOAK_ERR_RUN_FOLDER', `${dir}: not a run folder (no ${RUN_FILES.meta})`);
  }
  let meta: RunMeta;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as RunMeta;
  } catch (err) {
    throw new SoakError('SOAK_ERR_RUN_FOLDER', `${metaPath}: unreadable (${(err as Error).message})`);
  }
  const samples = readNdjson<ContinuousSample>(join(dir, RUN_FILES.samples));
  const checkpoints = readNdjson<Checkpoint>(join(dir, RUN_FILES.checkpoints));
  const events = readNdjson<RunEvent>(join(dir, RUN_FILES.events));
  const summaryPath = join(dir, RUN_FILES.summary);
  let summary: unknown | null = null;
  if (existsSync(summaryPath)) {
    try {
      summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
    } catch {
      summary = null;
    }
  }
  return {
    dir,
    meta,
    samples: samples.records,
    checkpoints: checkpoints.records,
    events: events.records,
    summary,
    skippedLines: samples.skipped + checkpoints.skipped + events.skipped,
  };
}

/**
 * A run folder named on a command line or in an API call (`name`: `<runA>`,
 * `leaky run`): a usage error naming it when it is missing or not a run.
 */
export function readRunFolder(name: string, dir: string): RunData {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw usageError(`${name}: no such run folder: ${dir}`);
  try {
    return readRun(path);
  } catch (err) {
    if (err instanceof SoakError) throw usageError(`${name}: ${err.message}`);
    throw err;
  }
}
