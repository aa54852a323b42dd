// Is a parsed run.json, summary.json or NDJSON record one this harness wrote
// (harness/records.ts, harness/run/meta.ts)? Readers ask before they use a
// field, so a folder of another shape or version is refused naming the file
// and the field (`run.json: target: expected an object, got null`), exit 2,
// instead of a TypeError deep in the verdict. Only what the readers use is
// checked; informational fields (machine, harness, gitSha) are not.

import { RECORD_VERSION } from '../records.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function shown(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A field at fault and what is wrong with it, for `file: field: problem`. */
export interface ShapeProblem {
  field: string;
  problem: string;
}

const want = (field: string, what: string, v: unknown): ShapeProblem => ({ field, problem: `expected ${what}, got ${shown(v)}` });

/**
 * recordVersion of run.json / summary.json: the format of the whole folder.
 * A folder written by a harness of another format is refused, not misread.
 */
export function versionProblem(value: Json): ShapeProblem | null {
  const v = value['recordVersion'];
  if (v === RECORD_VERSION) return null;
  if (typeof v === 'number') return { field: 'recordVersion', problem: `${v} is not a record version this harness reads (it reads ${RECORD_VERSION}): written by another version of relay-soak` };
  return want('recordVersion', `the record version ${RECORD_VERSION}`, v);
}

const TARGET_KINDS = ['relay', 'cmd', 'pid'];
const OUTCOMES = ['completed', 'interrupted', 'target-crashed', 'failed'];

/** run.json (RunMeta): the first field the readers would trip on, or null. */
export function metaProblem(value: unknown): ShapeProblem | null {
  if (!isObject(value)) return want('(top level)', 'a JSON object (RunMeta)', value);
  const version = versionProblem(value);
  if (version) return version;
  for (const f of ['runId', 'scenario', 'startedAt']) if (typeof value[f] !== 'string') return want(f, 'a string', value[f]);
  for (const f of ['seed', 'accounts', 'durationMs']) if (typeof value[f] !== 'number' || !Number.isFinite(value[f])) return want(f, 'a number', value[f]);
  const leaks = value['leaks'];
  if (!Array.isArray(leaks) || !leaks.every((l) => typeof l === 'string')) return want('leaks', 'an array of variant names', leaks);
  if (!isObject(value['faultPlans'])) return want('faultPlans', 'an object (fault plan per phase)', value['faultPlans']);
  const resolved = value['resolved'];
  if (!isObject(resolved)) return want('resolved', 'an object (the resolved scenario)', resolved);
  if (resolved['phases'] !== undefined && (!Array.isArray(resolved['phases']) || !resolved['phases'].every(isObject))) return want('resolved.phases', 'an array of phases', resolved['phases']);
  if (resolved['thresholds'] !== undefined && !isObject(resolved['thresholds'])) return want('resolved.thresholds', 'an object', resolved['thresholds']);
  const target = value['target'];
  if (!isObject(target)) return want('target', 'an object (the target description)', target);
  if (!TARGET_KINDS.includes(target['kind'] as string)) return want('target.kind', TARGET_KINDS.join(' | '), target['kind']);
  if (target['nodeVersion'] != null && typeof target['nodeVersion'] !== 'string') return want('target.nodeVersion', 'a string or null', target['nodeVersion']);
  const execArgv = target['execArgv'];
  if (execArgv != null && (!Array.isArray(execArgv) || !execArgv.every((a) => typeof a === 'string'))) return want('target.execArgv', 'an array of strings or null', execArgv);
  if (target['heapSizeLimit'] != null && typeof target['heapSizeLimit'] !== 'number') return want('target.heapSizeLimit', 'a number or null', target['heapSizeLimit']);
  const outcome = value['outcome'];
  if (outcome != null && (!isObject(outcome) || !OUTCOMES.includes(outcome['status'] as string))) return want('outcome', `null or { status: ${OUTCOMES.join(' | ')} }`, isObject(outcome) ? outcome['status'] : outcome);
  return null;
}

export type RecordKind = 'sample' | 'checkpoint' | 'event';

/** One NDJSON record: the problem in words, or null. A record of the wrong shape is not a torn write. */
export function recordProblem(kind: RecordKind, value: unknown): string | null {
  if (!isObject(value)) return `not a JSON object (got ${shown(value)})`;
  if (typeof value['t'] !== 'number' || !Number.isFinite(value['t'])) return `not a ${kind} record (no numeric t)`;
  if (kind === 'checkpoint') {
    const memory = value['memory'];
    if (!isObject(memory) || typeof memory['heapUsed'] !== 'number') return 'not a checkpoint record (no memory.heapUsed)';
    if (typeof value['requestsCompleted'] !== 'number') return 'not a checkpoint record (no numeric requestsCompleted)';
    if (!isObject(value['events'])) return 'not a checkpoint record (no events counts)';
  }
  if (kind === 'event' && (typeof value['type'] !== 'string' || typeof value['message'] !== 'string')) return 'not an event record (no type or message)';
  return null;
}

/** 1-based line of `"key":` in a JSON text (run.json is written indented), or null: for `file:line` in messages. */
export function lineOfKey(text: string, key: string): number | null {
  const at = text.indexOf(`"${key.split('.')[0]}"`);
  if (at === -1) return null;
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
