// Which of the target's own /metrics series the report charts, and under what name.
//
// The harness records every series /metrics exposes (name{labels} → value):
// counters, capacities and gauges alike. A structure that leaks is a gauge
// that keeps growing (relay_structure_entries{structure="inflight_requests"}),
// so the report keeps gauges only (counters grow by definition, capacities
// never move) and, because a third-party target may expose hundreds of series
// (a Go service's go_memstats_*), only those that moved during the run,
// the ones that moved most first, at most MAX_GAUGES of them.

/** Column prefix of a /metrics gauge in the embedded tables. */
export const GAUGE_PREFIX = 'm:';

/** Series charted at most; the rest are named in the caption as left out. */
export const MAX_GAUGES = 24;

/** Prometheus suffixes of series that are not levels: counters, histogram parts, capacities, info. */
const NOT_A_LEVEL = /(_total|_created|_bucket|_sum|_count|_capacity|_info)$/;

/** True for a flattened /metrics key that is a level worth charting. */
export function isGaugeKey(key: string): boolean {
  const brace = key.indexOf('{');
  const name = brace === -1 ? key : key.slice(0, brace);
  return name.length > 0 && !NOT_A_LEVEL.test(name);
}

export interface GaugeRange {
  key: string;
  first: number;
  min: number;
  max: number;
}

/**
 * The gauges to chart: those whose value changed, ranked by how far they moved
 * relative to where they started (a map going 0 → 5 000 before a pool going
 * 90 → 100), then by name so the choice is stable.
 */
export function chartedGauges(ranges: Iterable<GaugeRange>, max = MAX_GAUGES): { keys: string[]; leftOut: number } {
  const moved = [...ranges].filter((r) => r.max > r.min);
  const score = (r: GaugeRange): number => (r.max - r.min) / Math.max(1, Math.abs(r.first));
  moved.sort((a, b) => score(b) - score(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { keys: moved.slice(0, max).map((r) => r.key), leftOut: Math.max(0, moved.length - max) };
}

/** Track each gauge's first, min and max as rows stream past. */
export function gaugeRanges(): { add(key: string, v: number): void; ranges(): GaugeRange[] } {
  const byKey = new Map<string, GaugeRange>();
  return {
    add(key, v) {
      const r = byKey.get(key);
      if (r === undefined) byKey.set(key, { key, first: v, min: v, max: v });
      else {
        if (v < r.min) r.min = v;
        if (v > r.max) r.max = v;
      }
    },
    ranges: () => [...byKey.values()],
  };
}
