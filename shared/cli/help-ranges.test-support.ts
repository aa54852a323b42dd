// Reading back the ranges a --help text prints (shared/cli/flags.ts
// flagHelpLines: `--name <arg>  help (default: x; range: [a, b])`), for the
// tests that prove help and parser agree: the soak CLI and its verbs, the
// relay and the fake upstream.

import { durationFromText } from '../duration.ts';

export interface PrintedRange {
  /** `--port` */
  flag: string;
  low: string;
  high: string;
  /** `(0, 1000]`: the low bound itself is refused. */
  lowOpen: boolean;
  /** `250ms–5s` rather than numbers. */
  duration: boolean;
}

const FLAG = /^ {2}(?:-\w, | {4})(--[a-z][a-z0-9-]*)(?: <[^>]+>)? /;
const NUMBERS = /\brange: ([[(])(-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)\][;)]/;
const DURATIONS = /\brange: (\d+(?:ms|s|m|h))–(\d+(?:ms|s|m|h))[;)]/;

/** Every printed range; a line that says `range:` but cannot be read throws (the reader must not skip one). */
export function printedRanges(help: string): PrintedRange[] {
  const out: PrintedRange[] = [];
  for (const line of help.split('\n')) {
    if (!line.includes('range:')) continue;
    const flag = FLAG.exec(line)?.[1];
    const n = NUMBERS.exec(line);
    const d = DURATIONS.exec(line);
    if (flag === undefined || (n === null && d === null)) throw new Error(`a range line --help prints that cannot be read: ${JSON.stringify(line)}`);
    if (d !== null) out.push({ flag, low: d[1]!, high: d[2]!, lowOpen: false, duration: true });
    else out.push({ flag, low: n![2]!, high: n![3]!, lowOpen: n![1] === '(', duration: false });
  }
  return out;
}

/** The value one step outside a bound: min − 1 (or min itself when open), max + 1; 1 ms for durations. */
export function justOutside(r: PrintedRange, side: 'low' | 'high'): string {
  if (r.duration) {
    const ms = durationFromText(side === 'low' ? r.low : r.high)!;
    return `${side === 'low' ? ms - 1 : ms + 1}ms`;
  }
  const v = Number(side === 'low' ? r.low : r.high);
  if (side === 'low') return String(r.lowOpen ? v : v - 1);
  return String(v + 1);
}
