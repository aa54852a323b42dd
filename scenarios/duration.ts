// Human durations for scenarios and the CLI: `1500ms`, `90s`, `5m`, `2h`.
// A bare number is rejected on purpose: `--duration 300` is ambiguous
// (seconds? milliseconds?) and a soak that silently runs 1000× too long or too
// short wastes hours.

import { durationFromText } from '../shared/duration.ts';
import { ScenarioError } from './errors.ts';

/** A duration as data: milliseconds (number) or text with a unit (`90s`). */
export type Duration = number | string;

/**
 * Parses `1500ms | 90s | 5m | 2h` (decimals allowed: `1.5m`) into whole
 * milliseconds (shared/duration.ts, the rule every flag uses). `field` names
 * the flag or field in the error (`--duration`).
 */
export function parseDuration(text: string, field = 'duration'): number {
  const ms = durationFromText(text);
  if (ms !== null) return ms;
  // durationFromText refuses a malformed text and a too-large one alike; the same text with
  // every digit run shrunk to 1 (`1h`, `1.1m`) tells which: too large, or not a duration at all.
  if (durationFromText(text.replace(/\d+/g, '1')) !== null) {
    throw new ScenarioError('SCENARIO_ERR_DURATION', field, `${field}: duration ${JSON.stringify(text)} is too large`);
  }
  throw new ScenarioError(
    'SCENARIO_ERR_DURATION',
    field,
    `${field}: expected a duration like 1500ms, 90s, 5m or 2h, got ${JSON.stringify(text)}`,
  );
}

/** A Duration (number of ms or text) as whole milliseconds, > 0. */
export function durationMs(value: Duration, field: string): number {
  const ms = typeof value === 'number' ? value : parseDuration(value, field);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new ScenarioError('SCENARIO_ERR_DURATION', field, `${field}: expected a positive duration, got ${JSON.stringify(value)}`);
  }
  return Math.round(ms);
}

/** `300000` → `5m`, `1500` → `1.5s`: for help texts and listings. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000) return `${Math.round(ms / 100) / 10}s`;
  return `${ms}ms`;
}
