// What each phase asked for and what the target served: the scenario's plan
// (rate, request mix, fault rules, from run.json's resolved scenario) beside
// what the samples counted in that phase (requests by status class, client
// errors and timeouts, body mismatches, faults the upstream injected, and the
// share answered correctly: the verdict's own served-load rule, run here over
// the streamed samples so a report of an older run shows it too). A
// verdict on load the target did not serve is not a verdict: this table is
// where a reader sees that a phase was 100 % 4xx, or that the 429 storm the
// plan asked for never happened.

import type { PhaseServed, ServedLoad } from '../harness/verdict/index.ts';

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
  /** The served-load rule's counts for the phase (harness/verdict/served.ts); null when no sample was in it. */
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
export function phaseLoadRows(resolved: unknown, load: ServedLoad): PhaseLoadRow[] {
  const served = new Map(load.phases.map((p) => [p.phase, p]));
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
    if (!named.has(name) && s.attempts > 0) rows.push({ name, kind: '—', startMs: null, endMs: null, load: '—', mix: '—', faults: '—', served: s });
  }
  return rows;
}
