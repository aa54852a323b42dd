// Night over night: each run held to the previous run of its scenario+variant
// (by each run's own recorded start time: shards run on machines whose clocks
// differ, and the copy's mtime says nothing), or with `--baseline` to the
// newest run of its scenario+variant in the baseline folder that started before it. Judged from each
// run's summary.json verdict, no record re-read:
//
//  - a memory signal regresses when its 95 % interval moved above the
//    baseline's by more than δ: lower(now) − upper(baseline) > the signal's
//    floor (same signal, same unit). Overlapping or merely adjacent intervals
//    are noise, not a regression;
//  - a handle type regresses when it is LEAK now and was not in the baseline
//    (newly growing: a type that leaked in both is still leaking, not new);
//  - a proof regresses when the baseline's record of the same variant held and
//    this one failed (inconclusive or incomplete is not "fails").
//
// compareRuns is not used: it re-judges both runs on their common request
// range and refuses runs of another seed or Node, which nightly runs on other
// runners may well be; the interval-vs-δ rule needs only the verdicts.

import { relative } from 'node:path';
import type { RunVerdict } from '../verdict/index.ts';
import { readRunHead } from '../../reports/read-run-folder.ts';
import { proofRow, runRow } from '../../reports/index-page/rows.ts';
import type { HeldToCheck, HeldToResult, IndexBaseline } from '../../reports/index-page/index.ts';

export interface NightRun {
  dir: string;
  label: string;
  startedAt: string | null;
  time: number;
  host: string | null;
  /** The harness's process.version as run.json recorded it. */
  nodeVersion: string | null;
  scenario: string;
  variant: string;
  verdict: RunVerdict | null;
  /** The verdict's status, PARTIAL / UNREADABLE without one. */
  status: string;
}

export interface NightProof {
  file: string;
  variant: string;
  scenario: string;
  status: string;
  finishedAt: string | null;
  time: number;
  failures: string[];
}

export function nightRun(dir: string): NightRun {
  const row = runRow(dir, 0);
  let verdict: RunVerdict | null = null;
  if (row.status !== 'UNREADABLE' && row.status !== 'PARTIAL') {
    try {
      const v = readRunHead(dir).summary?.verdict as unknown as RunVerdict | undefined;
      verdict = v !== undefined && Array.isArray(v.memory) && typeof v.handles === 'object' && v.handles !== null ? v : null;
    } catch {
      verdict = null;
    }
  }
  return { dir, label: row.runId ?? dir, startedAt: row.startedAt, time: row.time, host: row.host, nodeVersion: row.nodeVersion, scenario: row.scenario, variant: row.variant, verdict, status: row.status };
}

export function nightProof(file: string): NightProof {
  const p = proofRow(file, 0);
  return { file, variant: p.variant, scenario: p.scenario, status: p.status, finishedAt: p.finishedAt, time: p.time, failures: p.failures };
}

const fmt = (v: number): string => {
  const a = Math.abs(v);
  if (a !== 0 && a < 0.1) return v.toPrecision(2);
  return a >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
};
const interval = (lower: number, upper: number): string => `[${fmt(lower)}, ${fmt(upper)}]`;

/** The checks of one run against its baseline run: every memory signal both judged, the handle types. */
export function holdRunTo(now: RunVerdict, base: RunVerdict): HeldToCheck[] {
  const checks: HeldToCheck[] = [];
  for (const m of now.memory) {
    const b = base.memory.find((x) => x.signal === m.signal);
    if (b === undefined || m.lower === null || m.upper === null || b.lower === null || b.upper === null || m.unit !== b.unit) continue;
    const moved = m.lower - b.upper;
    const delta = m.floor;
    const regressed = moved > delta;
    const nowText = `${fmt(m.slope ?? (m.lower + m.upper) / 2)} ${interval(m.lower, m.upper)} ${m.unit}`;
    const beforeText = `${fmt(b.slope ?? (b.lower + b.upper) / 2)} ${interval(b.lower, b.upper)}`;
    checks.push({
      what: m.signal,
      now: nowText,
      before: beforeText,
      regressed,
      text: regressed
        ? `${m.signal} slope ${interval(m.lower, m.upper)} moved above the baseline's ${interval(b.lower, b.upper)} by ${fmt(moved)} > δ ${fmt(delta)} ${m.unit}`
        : `${m.signal} slope ${interval(m.lower, m.upper)} vs the baseline's ${interval(b.lower, b.upper)} ${m.unit}: ${moved > 0 ? `${fmt(moved)} above, within δ ${fmt(delta)}` : 'overlapping'}`,
    });
  }
  const baseTypes = new Map(base.handles.types.map((t) => [t.type, t]));
  const quiet: string[] = [];
  for (const t of now.handles.types) {
    const b = baseTypes.get(t.type);
    const beforeText = b === undefined ? 'not counted' : `${b.status} Δ ${b.delta >= 0 ? '+' : ''}${b.delta}`;
    const nowText = `${t.status} Δ ${t.delta >= 0 ? '+' : ''}${t.delta}`;
    if (t.status === 'LEAK') {
      const regressed = b?.status !== 'LEAK';
      checks.push({
        what: `handles ${t.type}`,
        now: nowText,
        before: beforeText,
        regressed,
        text: regressed ? `handle type ${t.type} newly growing: ${nowText} now, ${beforeText} in the baseline` : `handle type ${t.type} still LEAK (${nowText}; baseline ${beforeText}): not new`,
      });
    } else quiet.push(t.type);
  }
  if (quiet.length > 0) {
    const baseLeaks = base.handles.types.filter((t) => t.status === 'LEAK').length;
    checks.push({ what: 'handles', now: `${quiet.length} of ${now.handles.types.length} types not LEAK`, before: `${baseLeaks} LEAK`, regressed: false, text: `no handle type newly growing (${quiet.length} of ${now.handles.types.length} not LEAK)` });
  }
  return checks;
}

export function holdProofTo(now: NightProof, base: NightProof): HeldToCheck[] {
  const regressed = base.status === 'holds' && now.status === 'failed';
  const when = base.finishedAt === null ? '' : ` (${base.finishedAt.slice(0, 16).replace('T', ' ')}Z)`;
  return [
    {
      what: `proof ${now.variant}`,
      now: now.status,
      before: base.status,
      regressed,
      text: regressed ? `proof ${now.variant} held in the baseline${when} and fails now${now.failures[0] ? `: ${now.failures[0]}` : ''}` : `proof ${now.variant}: ${now.status} (baseline ${base.status})`,
    },
  ];
}

export interface HeldToJudgement extends IndexBaseline {
  /** Every run, oldest first, with its result: for the command's output and JUnit. */
  runList: Array<{ run: NightRun; result: HeldToResult }>;
  proofList: Array<{ proof: NightProof; result: HeldToResult }>;
}

const groupKey = (r: { scenario: string; variant: string }): string => `${r.scenario}\u0000${r.variant}`;
const byTime = <T extends { time: number }>(a: T, b: T, tie: (x: T) => string): number => a.time - b.time || (tie(a) < tie(b) ? -1 : tie(a) > tie(b) ? 1 : 0);

/**
 * Holds every run and proof of `runs`/`proofs` to its baseline: the previous one
 * of its group among them, or (given `baseline`) the newest of its group there.
 * `where` names a baseline run or proof for the page (a path relative to the merge, or absolute).
 */
export function judgeNights(
  runDirs: readonly string[],
  proofFiles: readonly string[],
  baseline: { folder: string; runs: readonly string[]; proofs: readonly string[] } | null,
  where: (path: string) => string,
): HeldToJudgement {
  const runs = runDirs.map(nightRun).sort((a, b) => byTime(a, b, (x) => x.dir));
  const proofs = proofFiles.map(nightProof).sort((a, b) => byTime(a, b, (x) => x.file));
  // The baseline folder's judged runs (and readable proofs) per group, oldest first.
  const baseRuns = new Map<string, NightRun[]>();
  const baseProofs = new Map<string, NightProof[]>();
  if (baseline !== null) {
    for (const r of baseline.runs.map(nightRun).sort((a, b) => byTime(a, b, (x) => x.dir))) if (r.verdict !== null) baseRuns.set(groupKey(r), [...(baseRuns.get(groupKey(r)) ?? []), r]);
    for (const p of baseline.proofs.map(nightProof).sort((a, b) => byTime(a, b, (x) => x.file))) if (p.status !== 'UNREADABLE') baseProofs.set(p.variant, [...(baseProofs.get(p.variant) ?? []), p]);
  }
  // The newest one that started before `time`: a baseline folder that also holds tonight's runs (or the same
  // copies) never holds a run to itself or to a later night.
  const newestBefore = <T extends { time: number }>(list: readonly T[] | undefined, time: number): T | undefined => list?.filter((x) => x.time < time).at(-1);
  const against = (r: { label: string; startedAt: string | null; host: string | null }, path: string): HeldToResult['against'] => ({ label: r.label, startedAt: r.startedAt, where: where(path), host: r.host });

  const runList: HeldToJudgement['runList'] = [];
  const previous = new Map<string, NightRun>();
  for (const r of runs) {
    const key = groupKey(r);
    const base = baseline === null ? previous.get(key) : newestBefore(baseRuns.get(key), r.time);
    let result: HeldToResult;
    if (r.verdict === null) result = { against: null, note: `no verdict (${r.status}): not compared`, checks: [] };
    else if (base === undefined) {
      result = { against: null, note: baseline === null ? 'the first run of its scenario and leak variants here: nothing earlier to compare with' : 'no earlier run of its scenario and leak variants in the baseline', checks: [] };
    } else result = { against: against(base, base.dir), note: null, checks: holdRunTo(r.verdict, base.verdict!) };
    if (r.verdict !== null) previous.set(key, r);
    runList.push({ run: r, result });
  }

  const proofList: HeldToJudgement['proofList'] = [];
  const previousProof = new Map<string, NightProof>();
  for (const p of proofs) {
    const base = baseline === null ? previousProof.get(p.variant) : newestBefore(baseProofs.get(p.variant), p.time);
    let result: HeldToResult;
    if (p.status === 'UNREADABLE') result = { against: null, note: 'the proof record cannot be read: not compared', checks: [] };
    else if (base === undefined) result = { against: null, note: baseline === null ? 'the first proof of this variant here: nothing earlier to compare with' : 'no earlier proof of this variant in the baseline', checks: [] };
    else result = { against: { label: `proof ${base.variant}`, startedAt: base.finishedAt, where: where(base.file), host: null }, note: null, checks: holdProofTo(p, base) };
    if (p.status !== 'UNREADABLE') previousProof.set(p.variant, p);
    proofList.push({ proof: p, result });
  }

  const rule = baseline === null ? 'the previous run of its scenario and leak variants (by recorded start time)' : `the newest earlier run of its scenario and leak variants in the baseline ${baseline.folder}`;
  return {
    rule,
    runs: new Map(runList.map((x) => [x.run.dir, x.result])),
    proofs: new Map(proofList.map((x) => [x.proof.file, x.result])),
    runList,
    proofList,
  };
}

/** A path inside `root` as `root`-relative, any other as it is. */
export function whereFrom(root: string): (path: string) => string {
  return (path) => {
    const rel = relative(root, path);
    return rel === '' || rel.startsWith('..') ? path : rel;
  };
}
