// Reading a run folder back, complete or not. What is fatal and what is not:
//  - run.json missing, not JSON, of another shape or another recordVersion
//    (also summary.json's) → SoakError SOAK_ERR_RUN_FOLDER naming the file,
//    its line and the field (exit 2), never a TypeError later on;
//  - an NDJSON record that is valid JSON of the wrong shape → the same, with
//    file:line: it is another format, not damage;
//  - an NDJSON line that does not parse → skipped, never fatal, but never
//    silent either: each is returned with its file and line (RunData.skipped)
//    for the caller to print and the verdict text to carry. A torn LAST line
//    is what a harness killed mid-write leaves (expected after SIGKILL);
//    one in the middle of a file means the file was damaged.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SoakError, usageError } from '../errors.ts';
import type { Checkpoint, ContinuousSample, RunEvent } from '../records.ts';
import type { RunMeta } from './meta.ts';
import { lineOfKey, metaProblem, recordProblem, versionProblem, type RecordKind } from './record-shape.ts';
import { RUN_FILES } from './run-folder.ts';

/** A line of an NDJSON file that could not be parsed and was skipped. */
export interface SkippedLine {
  file: string;
  /** 1-based. */
  line: number;
  bytes: number;
  /** The file's last line: a write cut by a kill (expected), not damage in the middle. */
  last: boolean;
}

export interface RunData {
  dir: string;
  meta: RunMeta;
  samples: ContinuousSample[];
  checkpoints: Checkpoint[];
  events: RunEvent[];
  /** summary.json, absent when the harness did not finish. */
  summary: unknown | null;
  /** How many lines could not be parsed (skipped.length). */
  skippedLines: number;
  /** Each of them, where it is: print them (skippedLinesText), they are in the verdict text too. */
  skipped: SkippedLine[];
}

function runFolderError(file: string, line: number | null, problem: string): SoakError {
  return new SoakError('SOAK_ERR_RUN_FOLDER', `${file}${line === null ? '' : `:${line}`}: ${problem}`);
}

/**
 * Every record of an NDJSON file (none when it does not exist). Lines that do
 * not parse are skipped and listed; with `kind`, a parsed record of the wrong
 * shape throws naming file:line.
 */
export function readNdjson<T>(path: string, kind?: RecordKind): { records: T[]; skipped: number; unreadable: SkippedLine[] } {
  if (!existsSync(path)) return { records: [], skipped: 0, unreadable: [] };
  const records: T[] = [];
  const unreadable: SkippedLine[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  let lastNonEmpty = lines.length - 1;
  while (lastNonEmpty >= 0 && lines[lastNonEmpty]!.trim() === '') lastNonEmpty--;
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      unreadable.push({ file: path, line: i + 1, bytes: Buffer.byteLength(line), last: i === lastNonEmpty });
      return;
    }
    const problem = kind === undefined ? null : recordProblem(kind, parsed);
    if (problem !== null) throw runFolderError(path, i + 1, problem);
    records.push(parsed as T);
  });
  return { records, skipped: unreadable.length, unreadable };
}

/** A whole-file JSON document of the run (run.json, summary.json), checked for its version and shape. */
function readJsonDocument(path: string, check: (value: Record<string, unknown>) => { field: string; problem: string } | null): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw runFolderError(path, null, `unreadable (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw runFolderError(path, null, `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const problem = check(value as Record<string, unknown>);
  if (problem !== null) throw runFolderError(path, lineOfKey(text, problem.field), `${problem.field}: ${problem.problem}`);
  return value as Record<string, unknown>;
}

export function readRun(dir: string): RunData {
  const metaPath = join(dir, RUN_FILES.meta);
  if (!existsSync(metaPath)) {
    throw new SoakError('SOAK_ERR_RUN_FOLDER', `${dir}: not a run folder (no ${RUN_FILES.meta})`);
  }
  const meta = readJsonDocument(metaPath, metaProblem) as unknown as RunMeta;
  const samples = readNdjson<ContinuousSample>(join(dir, RUN_FILES.samples), 'sample');
  const checkpoints = readNdjson<Checkpoint>(join(dir, RUN_FILES.checkpoints), 'checkpoint');
  const events = readNdjson<RunEvent>(join(dir, RUN_FILES.events), 'event');
  const summaryPath = join(dir, RUN_FILES.summary);
  let summary: unknown | null = null;
  if (existsSync(summaryPath)) {
    // A torn summary.json is the harness dying while writing it: no summary.
    // One of another version is another format: refused like run.json.
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(readFileSync(summaryPath, 'utf8'));
    } catch {
      parsed = null;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) summary = readJsonDocument(summaryPath, versionProblem);
  }
  const skipped = [...samples.unreadable, ...checkpoints.unreadable, ...events.unreadable];
  return {
    dir,
    meta,
    samples: samples.records,
    checkpoints: checkpoints.records,
    events: events.records,
    summary,
    skippedLines: skipped.length,
    skipped,
  };
}

/** One line about skipped lines: damage in the middle of a file is a warning, a torn last line a note. */
export interface SkippedLinesLine {
  level: 'warning' | 'note';
  text: string;
}

/**
 * The skipped lines in words, one or two lines per file, for the CLI
 * (`WARNING:` / `note:`) and the verdict text: empty when none were skipped.
 */
export function skippedLinesText(skipped: readonly SkippedLine[]): SkippedLinesLine[] {
  const byFile = new Map<string, SkippedLine[]>();
  for (const s of skipped) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  const out: SkippedLinesLine[] = [];
  for (const [file, lines] of byFile) {
    const middle = lines.filter((l) => !l.last);
    const torn = lines.find((l) => l.last);
    const name = basename(file);
    if (middle.length > 0) {
      const at = middle.slice(0, 10).map((l) => `${name}:${l.line}`).join(', ');
      out.push({ level: 'warning', text: `${middle.length} unreadable line(s) skipped in the middle of ${file} (${at}${middle.length > 10 ? ', …' : ''}): the file is damaged, the verdict is built without them` });
    }
    if (torn) out.push({ level: 'note', text: `torn last line skipped: ${name}:${torn.line} (${torn.bytes} bytes; a write cut by a kill, expected after SIGKILL)` });
  }
  return out;
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
