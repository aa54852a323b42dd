// Level thresholds: an alarm on a level, as scenario data. Seed 002's own
// monitoring was "goroutine count above 2 000" (添加 Goroutine 数量监控): not a
// slope per request but a ceiling a healthy relay stays under whatever the
// load. A scenario states it as `thresholds: { levels: [{ signal, max }] }`
// and a run whose continuous samples go above `max` is a LEAK, with the peak,
// when it was reached and how long it stayed above, one line per threshold:
//   handles:tcp:ESTABLISHED reached 2 341 > 2 000 at 00:41 (above from 00:35, 14 of 90 samples)
//
// Continuous samples, not checkpoints: a checkpoint is drained (nothing in
// flight), which is exactly when an unbounded in-flight level is back at zero.
// One sample above is enough: the counts read here (sockets by TCP state, fds,
// a target's own gauges) are exact, not estimates with noise, and an alarm
// fires on one reading (the seed's ran every 30 s).
//
// Signals: `handles:<key>` as verdict/level.ts reads it (a probe resource type,
// `fds`, `tcp:<STATE>` from /proc), or a target /metrics series as it is
// printed (`relay_inflight_requests`, `go_goroutines`, `name{label="v"}`).
// Pure: no I/O.

import type { ContinuousSample } from '../records.ts';
import { handleKeyOf, sampleHandleCount } from './level.ts';

export interface LevelThreshold {
  /** `handles:<key>` (fds, tcp:ESTABLISHED, a resource type) or a /metrics series name as printed. */
  signal: string;
  /** The highest value a healthy target reaches; a sample above it is a breach. */
  max: number;
}

export type LevelThresholdStatus = 'breached' | 'held' | 'no-data';

export interface LevelThresholdResult {
  signal: string;
  max: number;
  status: LevelThresholdStatus;
  /** Highest value sampled; null without samples. */
  peak: number | null;
  /** When the peak was first sampled, ms since run start. */
  peakAt: number | null;
  /** Its phase. */
  peakPhase: string | null;
  /** First sample above max, ms since run start (breached only). */
  firstAboveAt: number | null;
  /** Samples carrying the signal, and those above max. */
  samples: number;
  above: number;
  /** The verdict's line for this threshold. */
  line: string;
}

export interface LevelThresholdsVerdict {
  /** LEAK when any threshold is breached; NO-LEAK when all held; INCONCLUSIVE when none could be read. */
  status: 'LEAK' | 'NO-LEAK' | 'INCONCLUSIVE';
  results: LevelThresholdResult[];
}

/** The value of `signal` in one sample, or null when the sample does not carry it. */
export function levelValueOf(sample: ContinuousSample, signal: string): number | null {
  const key = handleKeyOf(signal);
  if (key !== null) return sampleHandleCount(sample, key);
  const v = sample.relay?.[signal];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** `2341` → `2 341` (the grouping the verdict lines use for counts). */
export function grouped(v: number): string {
  const text = Number.isInteger(v) ? String(Math.abs(v)) : Math.abs(v).toFixed(1);
  const [int, frac] = text.split('.');
  const g = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${v < 0 ? '−' : ''}${g}${frac === undefined ? '' : `.${frac}`}`;
}

/** ms since run start → `mm:ss` (`h:mm:ss` past an hour). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return h > 0 ? `${h}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}

export function judgeLevelThreshold(samples: readonly ContinuousSample[], threshold: LevelThreshold): LevelThresholdResult {
  const { signal, max } = threshold;
  let peak: number | null = null;
  let peakAt: number | null = null;
  let peakPhase: string | null = null;
  let firstAboveAt: number | null = null;
  let n = 0;
  let above = 0;
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  for (const s of sorted) {
    const v = levelValueOf(s, signal);
    if (v === null) continue;
    n++;
    if (peak === null || v > peak) {
      peak = v;
      peakAt = s.t;
      peakPhase = s.phase;
    }
    if (v > max) {
      above++;
      firstAboveAt ??= s.t;
    }
  }
  const base = { signal, max, peak, peakAt, peakPhase, firstAboveAt, samples: n, above };
  if (n === 0 || peak === null || peakAt === null) {
    return { ...base, status: 'no-data', line: `${signal}: no sample carries it, level ≤ ${grouped(max)} not judged` };
  }
  if (above > 0) {
    const from = firstAboveAt !== null && firstAboveAt !== peakAt ? `above from ${clock(firstAboveAt)}, ` : '';
    return { ...base, status: 'breached', line: `${signal} reached ${grouped(peak)} > ${grouped(max)} at ${clock(peakAt)} (${from}${above} of ${n} samples, phase ${peakPhase})` };
  }
  return { ...base, status: 'held', line: `${signal} peaked at ${grouped(peak)} ≤ ${grouped(max)} (at ${clock(peakAt)}, ${n} samples)` };
}

export function judgeLevelThresholds(samples: readonly ContinuousSample[], thresholds: readonly LevelThreshold[]): LevelThresholdsVerdict {
  const results = thresholds.map((t) => judgeLevelThreshold(samples, t));
  const status = results.some((r) => r.status === 'breached') ? 'LEAK' : results.some((r) => r.status === 'held') ? 'NO-LEAK' : 'INCONCLUSIVE';
  return { status, results };
}

/** The breach lines, for the verdict's reason ("leaking: …"). */
export function breachLines(v: LevelThresholdsVerdict): string[] {
  return v.results.filter((r) => r.status === 'breached').map((r) => r.line);
}

/** Checks scenario data: a list of `{ signal, max }`; throws a message naming the bad field. */
export function checkLevelThresholds(value: unknown, field = 'thresholds.levels'): LevelThreshold[] {
  if (!Array.isArray(value)) throw new Error(`${field}: expected a list of { signal, max }`);
  return value.map((item, i) => {
    const t = item as Partial<LevelThreshold> | null;
    if (t === null || typeof t !== 'object') throw new Error(`${field}[${i}]: expected { signal, max }`);
    if (typeof t.signal !== 'string' || t.signal.trim() === '' || t.signal === 'handles:') throw new Error(`${field}[${i}].signal: expected 'handles:<key>' or a /metrics series name`);
    if (typeof t.max !== 'number' || !Number.isFinite(t.max) || t.max < 0) throw new Error(`${field}[${i}].max: expected a number ≥ 0, got ${JSON.stringify(t.max)}`);
    const extra = Object.keys(t).filter((k) => k !== 'signal' && k !== 'max');
    if (extra.length > 0) throw new Error(`${field}[${i}]: unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
    return { signal: t.signal, max: t.max };
  });
}

/**
 * The level thresholds of a resolved scenario (run.json `resolved.thresholds.levels`),
 * already validated by scenarios/resolve.ts; malformed entries are skipped
 * (an old or hand-edited run.json), never guessed at.
 */
export function levelThresholdsOf(resolved: unknown): LevelThreshold[] {
  const levels = (resolved as { thresholds?: { levels?: unknown } } | null)?.thresholds?.levels;
  if (!Array.isArray(levels)) return [];
  return levels.filter((t): t is LevelThreshold => typeof t?.signal === 'string' && typeof t?.max === 'number' && Number.isFinite(t.max));
}
