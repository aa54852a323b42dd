// What each phase asked for and what the target served: the scenario's plan
// (rate, request mix, fault rules, from run.json's resolved scenario) beside
// what the samples counted in that phase (requests by status class, client
// errors and timeouts, body mismatches, faults the upstream injected). A
// verdict on load the target did not serve is not a verdict: this table is
// where a reader sees that a phase was 100 % 4xx, or that the 429 storm the
// plan asked for never happened.

import type { ContinuousSample, Counts } from '../harness/records.ts';

export interface PhaseServed {
  /** Sample windows in the phase that carried load figures. */
  windows: number;
  requests: number;
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  errors: number;
  timeouts: number;
  mismatches: number;
  /** Faults injected during the phase, by kind (difference of the upstream's cumulative counts). */
  injected: Counts;
}

export interface PhaseLoadRow {
  name: string;
  kind: string;
  startMs: number | null;
  endMs: number | null;
  /** '350 req/s', '350→700 req/s', '32 connections', or '—'. */
  load: string;
  /** Non-zero shares of the request mix, largest first: 'chat 60 %, chat-stream 30 %'. */
  mix: string;
  /** The fault rules: '429 1 %, 503 0.5 %, latency 5 %', or 'none'. */
  faults: string;
  served: PhaseServed | null;
}

interface PhaseLike {
  name?: unknown;
  kind?: unknown;
  startMs?: unknown;
  endMs?: unknown;
  rate?: { from?: unknown; to?: unknown } | null;
  connections?: unknown;
  mix?: Record<string, unknown> | null;
  faults?: { rules?: Array<{ fault?: unknown; probability?: unknown }> } | null;
}

/** Request kinds named in the mix cell; the rest are summed (the full mix is in run.json and the facts). */
const MIX_SHOWN = 4;

const pct = (p: number): string => `${Math.round(p * 1000) / 10} %`;

function emptyServed(): PhaseServed {
  return { windows: 0, requests: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, errors: 0, timeouts: 0, mismatches: 0, injected: {} };
}

/** Streams the samples: per phase, the load windows summed and the injected faults differenced. */
export function phaseLoadAccumulator(): { add(s: ContinuousSample): void; byPhase(): Map<string, PhaseServed> } {
  const byPhase = new Map<string, PhaseServed>();
  let lastFaults: Counts = {};
  return {
    add(s) {
      let p = byPhase.get(s.phase);
      if (p === undefined) byPhase.set(s.phase, (p = emptyServed()));
      const l = s.load;
      if (l) {
        p.windows++;
        p.requests += l.requests ?? 0;
        for (const k of ['2xx', '3xx', '4xx', '5xx'] as const) p.status[k] += l.status?.[k] ?? 0;
        p.errors += l.errors ?? 0;
        p.timeouts += l.timeouts ?? 0;
        p.mismatches += l.mismatches ?? 0;
      }
      if (s.faults && typeof s.faults === 'object') {
        for (const [k, v] of Object.entries(s.faults)) {
          if (typeof v !== 'number') continue;
          // A counter that went back (the upstream restarted) counts from zero again.
          const d = v - (lastFaults[k] ?? 0);
          p.injected[k] = (p.injected[k] ?? 0) + (d >= 0 ? d : v);
        }
        lastFaults = { ...s.faults };
      }
    },
    byPhase: () => byPhase,
  };
}

function loadText(p: PhaseLike): string {
  const from = p.rate?.from;
  const to = p.rate?.to;
  if (typeof from === 'number') return typeof to === 'number' && to !== from ? `${from}→${to} req/s` : `${from} req/s`;
  if (typeof p.connections === 'number') return `${p.connections} connections`;
  return '—';
}

function mixText(mix: PhaseLike['mix']): string {
  if (!mix || typeof mix !== 'object') return '—';
  const parts = Object.entries(mix)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
    .sort((a, b) => b[1] - a[1]);
  if (parts.length === 0) return '—';
  const shown = parts.slice(0, MIX_SHOWN).map(([k, v]) => `${k} ${pct(v)}`);
  const rest = parts.slice(MIX_SHOWN).reduce((a, [, v]) => a + v, 0);
  return parts.length > MIX_SHOWN ? `${shown.join(', ')}, ${parts.length - MIX_SHOWN} more ${pct(rest)}` : shown.join(', ');
}

function faultsText(faults: PhaseLike['faults']): string {
  const rules = faults?.rules;
  if (!Array.isArray(rules) || rules.length === 0) return 'none';
  return rules.map((r) => `${String(r.fault ?? '?')}${typeof r.probability === 'number' ? ` ${pct(r.probability)}` : ''}`).join(', ');
}

/** One row per planned phase (run.json), plus any phase the samples saw that the plan does not name. */
export function phaseLoadRows(resolved: unknown, served: Map<string, PhaseServed>): PhaseLoadRow[] {
  const phases = (resolved as { phases?: PhaseLike[] } | null)?.phases;
  const rows: PhaseLoadRow[] = [];
  const named = new Set<string>();
  for (const p of Array.isArray(phases) ? phases : []) {
    const name = String(p.name ?? '?');
    named.add(name);
    rows.push({
      name,
      kind: String(p.kind ?? '?'),
      startMs: typeof p.startMs === 'number' ? p.startMs : null,
      endMs: typeof p.endMs === 'number' ? p.endMs : null,
      load: loadText(p),
      mix: mixText(p.mix),
      faults: faultsText(p.faults),
      served: served.get(name) ?? null,
    });
  }
  // A phase only the samples name (the harness's start-up samples before the first phase) is shown when it carried load.
  for (const [name, s] of served) {
    if (!named.has(name) && s.requests > 0) rows.push({ name, kind: '—', startMs: null, endMs: null, load: '—', mix: '—', faults: '—', served: s });
  }
  return rows;
}
