// Human durations on the command line and in scenarios: `1500ms`, `90s`, `5m`,
// `2h` (decimals allowed: `1.5m`). A bare number is refused on purpose:
// `--duration 300` is ambiguous (seconds? milliseconds?) and a soak that
// silently runs 1000× too long or too short wastes hours.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/** Whole milliseconds, or null when `text` is not a duration (or too large to be exact). */
export function durationFromText(text: string): number | null {
  const match = PATTERN.exec(text.trim());
  if (match === null) return null;
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** Exact: the largest unit that divides `ms` (`250ms`, `1s`, `90s`, `5m`, `2h`), for ranges and defaults in help texts. */
export function durationText(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
