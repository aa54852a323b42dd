// Reading a run folder for the report, streaming: samples.ndjson of an 8-hour
// run is tens of MB, so records are read line by line (node:readline over a
// file stream) and handed to the caller one at a time, never held as one string.
//
// What is fatal and what is not:
//  - no folder, no run.json, run.json not a JSON object or of another
//    recordVersion → ReportError naming the file (and the line of the field);
//  - an NDJSON line that is not a JSON record → ReportError naming file and line,
//    EXCEPT the last line of a file: a harness killed mid-write leaves a torn
//    last line, which is skipped and counted (the report then says it is partial);
//  - a missing record file or summary.json → not fatal (a run killed early has none).

import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Checkpoint, ContinuousSample, RunEvent, RunOutcome } from '../harness/records.ts';
import type { RunMeta } from '../harness/run/meta.ts';
import type { RunVerdict } from '../harness/verdict/index.ts';
import { RUN_FILES } from '../harness/run/run-folder.ts';
import { lineOfKey, versionProblem } from '../harness/run/record-shape.ts';
import { ReportError } from './errors.ts';

/** File names inside a run folder: the harness's own table (it writes them), not a copy. */
export { RUN_FILES };

/** The parts of summary.json the report reads; the rest is shown as is. */
export interface SummaryLike {
  verdict?: RunVerdict;
  outcome?: RunOutcome;
  requestsCompleted?: number;
  wallMs?: number;
  [key: string]: unknown;
}

export interface TornLine {
  file: string;
  /** 1-based line number of the torn line. */
  line: number;
  bytes: number;
}

export interface RunHead {
  dir: string;
  meta: RunMeta;
  summary: SummaryLike | null;
  /** Why summary is null, in words (missing, unreadable). */
  summaryProblem: string | null;
}

export interface RunRecordsRead {
  checkpoints: Checkpoint[];
  events: RunEvent[];
  samples: number;
  /** Record files that do not exist (a run killed before it wrote them). */
  missing: string[];
  torn: TornLine[];
}

function isRecordObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** run.json and summary.json: small files written whole, read whole. */
export function readRunHead(dirArg: string): RunHead {
  const dir = resolve(dirArg);
  if (!existsSync(dir)) throw new ReportError(dir, null, 'no such run folder');
  if (!statSync(dir).isDirectory()) throw new ReportError(dir, null, 'not a folder (expected a run folder)');
  const metaPath = join(dir, RUN_FILES.meta);
  if (!existsSync(metaPath)) throw new ReportError(metaPath, null, 'missing: not a run folder');
  let meta: unknown;
  const metaText = readFileSync(metaPath, 'utf8');
  try {
    meta = JSON.parse(metaText);
  } catch (err) {
    throw new ReportError(metaPath, null, `not JSON (${(err as Error).message})`, { cause: err });
  }
  if (!isRecordObject(meta)) throw new ReportError(metaPath, null, 'expected a JSON object (RunMeta)');
  // A folder of another record format is refused, not drawn wrong (the harness's own rule, harness/run/record-shape.ts).
  const version = versionProblem(meta);
  if (version !== null) throw new ReportError(metaPath, lineOfKey(metaText, version.field), `${version.field}: ${version.problem}`);

  const summaryPath = join(dir, RUN_FILES.summary);
  let summary: SummaryLike | null = null;
  let summaryProblem: string | null = null;
  if (!existsSync(summaryPath)) {
    summaryProblem = 'no summary.json: the harness did not finish the run (killed, or still running)';
  } else {
    // A torn summary.json is the harness dying while writing it: the run is
    // then reported as partial and judged from its records, not refused.
    try {
      const parsed: unknown = JSON.parse(readFileSync(summaryPath, 'utf8'));
      if (isRecordObject(parsed)) summary = parsed as SummaryLike;
      else summaryProblem = 'summary.json is not a JSON object';
    } catch (err) {
      summaryProblem = `summary.json unreadable (${(err as Error).message})`;
    }
  }
  return { dir, meta: meta as unknown as RunMeta, summary, summaryProblem };
}

/**
 * Streams one NDJSON file, calling `onRecord` per record. Returns null when the
 * file does not exist. A line that fails to parse is held back until the next
 * non-empty line proves it was not the last one (then it is fatal).
 */
export async function streamNdjson(
  path: string,
  check: (record: Record<string, unknown>) => string | null,
  onRecord: (record: Record<string, unknown>) => void,
): Promise<{ records: number; torn: TornLine | null } | null> {
  if (!existsSync(path)) return null;
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let records = 0;
  let pending: { line: number; bytes: number; problem: string } | null = null;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim().length === 0) continue;
      if (pending !== null) throw new ReportError(path, pending.line, pending.problem);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (err) {
        pending = { line: lineNo, bytes: Buffer.byteLength(line), problem: `not a JSON record (${(err as Error).message})` };
        continue;
      }
      const problem = isRecordObject(parsed) ? check(parsed) : 'not a JSON object';
      // A complete JSON value of the wrong shape is not a torn write: fatal wherever it is.
      if (problem !== null) throw new ReportError(path, lineNo, problem);
      records++;
      onRecord(parsed as Record<string, unknown>);
    }
  } catch (err) {
    if (err instanceof ReportError) throw err;
    throw new ReportError(path, null, `cannot be read (${(err as Error).message})`, { cause: err });
  } finally {
    lines.close();
    input.destroy();
  }
  return { records, torn: pending === null ? null : { file: path, line: pending.line, bytes: pending.bytes } };
}

const hasTime = (what: string) => (r: Record<string, unknown>): string | null =>
  typeof r['t'] === 'number' && Number.isFinite(r['t']) ? null : `not a ${what} record (no numeric t)`;

/** Checkpoints and events are kept (hundreds of records); samples go to `onSample` one by one. */
export async function readRunRecords(dir: string, onSample: (sample: ContinuousSample) => void): Promise<RunRecordsRead> {
  const out: RunRecordsRead = { checkpoints: [], events: [], samples: 0, missing: [], torn: [] };
  const files: Array<[keyof typeof RUN_FILES, string, (r: Record<string, unknown>) => void]> = [
    ['checkpoints', 'checkpoint', (r) => out.checkpoints.push(r as unknown as Checkpoint)],
    ['events', 'event', (r) => out.events.push(r as unknown as RunEvent)],
    ['samples', 'sample', (r) => onSample(r as unknown as ContinuousSample)],
  ];
  for (const [key, what, sink] of files) {
    const name = RUN_FILES[key];
    const checkpointShape = (r: Record<string, unknown>): string | null =>
      hasTime(what)(r) ?? (isRecordObject(r['memory']) && typeof r['requestsCompleted'] === 'number' ? null : 'not a checkpoint record (no memory or requestsCompleted)');
    const result = await streamNdjson(join(dir, name), key === 'checkpoints' ? checkpointShape : hasTime(what), sink);
    if (result === null) {
      out.missing.push(name);
      continue;
    }
    if (key === 'samples') out.samples = result.records;
    if (result.torn !== null) out.torn.push(result.torn);
  }
  return out;
}
