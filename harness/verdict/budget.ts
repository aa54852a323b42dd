// A floor in the user's terms (issue #18): `--budget 50MB/day` at
// `--production-rate 300` is the growth the user can live with; the verdict's
// δ per request is that budget spread over the requests production serves in
// the same time, δ = budget ÷ (rate × seconds). Pure: text and numbers in,
// floors and sentences out.

import { certifiableFloor, CERTIFIED_SIGNALS } from './certify.ts';
import { VerdictError } from './errors.ts';
import { DEFAULT_FLOORS } from './memory.ts';
import type { MemorySignal } from './types.ts';

/** What the user said: bytes per day (an hourly budget is ×24), and the production rate when given. */
export interface MemoryBudget {
  /** As given, for the verdict text: `50MB/day`. */
  text: string;
  bytesPerDay: number;
  /** Requests per second in production; absent: the run's own judged rate. */
  productionRate?: number;
}

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};
const PER: Readonly<Record<string, number>> = { day: 1, d: 1, hour: 24, h: 24 };

/** `50MB/day`, `1.5 GiB/day`, `200MiB/h` → bytes per day. The error names the flag. */
export function parseBudget(text: string, flag = '--budget'): { text: string; bytesPerDay: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)\s*\/\s*(day|d|hour|h)\s*$/i.exec(text);
  if (!m) throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `${flag}: expected a size per day or hour, e.g. 50MB/day, 1GiB/day or 200MiB/h; got ${JSON.stringify(text)}`);
  const bytesPerDay = Number(m[1]) * UNITS[m[2]!.toLowerCase()]! * PER[m[3]!.toLowerCase()]!;
  if (!(bytesPerDay > 0) || !Number.isFinite(bytesPerDay)) throw new VerdictError('SOAK_ERR_VERDICT_INPUT', `${flag}: expected a positive size, got ${JSON.stringify(text)}`);
  return { text: text.replace(/\s+/g, ''), bytesPerDay };
}

/**
 * The smallest δ a budget may set, per signal: what a run can certify, not
 * what the user wishes. Measured (README, full-mode calibration, 10-minute
 * runs of the fixed relay): healthy post-GC heap drift 0.4–0.7 B/request
 * with intervals about ±0.3 wide, so controls reach ≈ 1.0 B/request at the
 * upper bound; 2 B/request keeps a factor 2 above that. rss moves in pages
 * and allocator arenas (memory.ts DEFAULT_FLOORS): a budget never takes it
 * below its default floor.
 */
export const BUDGET_MIN_FLOORS: Readonly<Record<MemorySignal, number>> = {
  heapUsed: 2,
  external: 2,
  arrayBuffers: 2,
  rss: DEFAULT_FLOORS.rss,
};

export interface BudgetFloors {
  budget: { text: string; bytesPerDay: number };
  /** Requests per second the budget is spread over, and where it came from. */
  rate: number;
  rateSource: 'production' | 'run';
  /** δ = budget ÷ (rate × 86 400 s), bytes per request, before the minimum. */
  asked: number;
  /** The floors used, per signal (asked, or the signal's minimum when asked is below it). */
  floors: Record<MemorySignal, number>;
  /** Signals whose floor is the minimum, not the budget's: the run cannot certify the budget there. */
  raised: MemorySignal[];
}

const SECONDS_PER_DAY = 86_400;

/**
 * Floors from a budget at `rate` requests/s; null when the rate is unknown or
 * zero (no δ can be derived). With the judged requests known, the JS memory
 * floors are also never below what a run that long certifies (certify.ts): a
 * 90-s run's healthy drift reaches ≈ 9 B/request, so a budget asking 2 there
 * would call it a leak.
 */
export function budgetFloors(budget: MemoryBudget, runRate: number | null, judgedRequests?: number): BudgetFloors | null {
  const rate = budget.productionRate ?? runRate;
  if (rate === null || !(rate > 0)) return null;
  const asked = Number((budget.bytesPerDay / (rate * SECONDS_PER_DAY)).toPrecision(3));
  const floors = {} as Record<MemorySignal, number>;
  const raised: MemorySignal[] = [];
  // Every scenario is held to the calibration controls' bound (the least healthy drift measured; the only controls so far).
  const certifiable = judgedRequests === undefined ? 0 : certifiableFloor(judgedRequests);
  for (const signal of Object.keys(BUDGET_MIN_FLOORS) as MemorySignal[]) {
    const min = CERTIFIED_SIGNALS.includes(signal) ? Math.max(BUDGET_MIN_FLOORS[signal], Number.isFinite(certifiable) ? certifiable : 0) : BUDGET_MIN_FLOORS[signal];
    floors[signal] = Math.max(asked, min);
    if (asked < min) raised.push(signal);
  }
  return { budget: { text: budget.text, bytesPerDay: budget.bytesPerDay }, rate, rateSource: budget.productionRate !== undefined ? 'production' : 'run', asked, floors, raised };
}

/** Bytes in the units people say budgets in (decimal, as `50MB/day` is read). */
export function sizeText(bytes: number): string {
  const a = Math.abs(bytes);
  const sign = bytes < 0 ? '−' : '';
  if (a >= 1e9) return `${sign}${(a / 1e9).toFixed(a >= 1e10 ? 0 : 1)} GB`;
  if (a >= 1e6) return `${sign}${(a / 1e6).toFixed(a >= 1e7 ? 0 : 1)} MB`;
  if (a >= 1e3) return `${sign}${(a / 1e3).toFixed(a >= 1e4 ? 0 : 1)} kB`;
  return `${sign}${Math.round(a)} B`;
}

/** A slope in B/request as growth per day at `rate` requests/s. */
export function perDay(bytesPerRequest: number, rate: number): number {
  return bytesPerRequest * rate * SECONDS_PER_DAY;
}
