// One row per run folder and per proof record: what the index shows, read from
// run.json and summary.json only (small files written whole): the records are
// not opened here, so an index over hundreds of 8-hour runs stays quick. A run
// folder that cannot be read is a row that says so, not a failed index.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RunVerdict } from '../../harness/verdict/index.ts';
import { readRunHead, type RunHead } from '../read-run-folder.ts';
import { redactText } from '../../shared/redact.ts';
import { describeOutcome, outcomeOf } from '../verdict.ts';

export interface KeySlope {
  signal: 'heapUsed';
  status: string;
  slope: number | null;
  lower: number | null;
  upper: number | null;
  unit: string;
  floor: number | null;
}

export interface HandleSummary {
  status: string;
  /** Types whose Δ at the last judged checkpoint is above 0, largest first. */
  grew: Array<{ type: string; delta: number }>;
  /** Types counted. */
  types: number;
}

export interface RunRow {
  /** Anchor of the row in the page (`run-3`). */
  id: string;
  dir: string;
  runId: string | null;
  startedAt: string | null;
  /** ms since the epoch: startedAt, else run.json's mtime. */
  time: number;
  gitSha: string | null;
  /** The machine and the harness's Node (process.version) as run.json recorded them: shards run on many. */
  host: string | null;
  nodeVersion: string | null;
  scenario: string;
  leaks: string[];
  /** The leak variants as the group key says them: `inflight-map`, `a+b`, or `none`. */
  variant: string;
  /** Summary verdict status, PARTIAL when there is none, UNREADABLE when run.json is not a run. */
  status: string;
  /** Why the status is PARTIAL or UNREADABLE (or the run did not complete). */
  note: string | null;
  key: KeySlope | null;
  handles: HandleSummary | null;
  durationMs: number | null;
  outcome: string;
  /** report.html: the file, whether this index built it, or why it could not. */
  report: { file: string | null; built: boolean; problem: string | null };
  /** Set when a proof record names this folder as its leaky or fixed run. */
  proof: { variant: string; role: 'leaky' | 'fixed'; status: string } | null;
  /** Filled by the trend pass: this run is its group's baseline, or regressed against it. */
  baseline: boolean;
  regressed: string | null;
}

export interface ProofRow {
  id: string;
  file: string;
  variant: string;
  scenario: string;
  status: string;
  failures: string[];
  comparison: string | null;
  /** retained, handles, churn, level (the record's proofKind); null in records without it. */
  proofKind: string | null;
  /** What the proof decided on, leaky → fixed (harness/judge/proof.ts `evidence`); null in records before 2026-12-07. */
  evidence: string | null;
  wallMs: number | null;
  finishedAt: string | null;
  time: number;
  leakyDir: string | null;
  fixedDir: string | null;
  /** `<variant>-proof.html` next to the record, when it exists. */
  page: string | null;
  problem: string | null;
  /** Filled when the index holds proofs to a baseline (held-to.ts): a proof that held before and fails now. */
  regressed: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): number | null => (finite(v) ? v : null);

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function verdictOf(head: RunHead): RunVerdict | null {
  const v = head.summary?.verdict as unknown;
  return isObject(v) && typeof v.status === 'string' && Array.isArray(v.memory) ? (v as unknown as RunVerdict) : null;
}

function keySlope(v: RunVerdict | null): KeySlope | null {
  const m = v?.memory.find((s) => isObject(s) && s.signal === 'heapUsed');
  if (m === undefined) return null;
  return {
    signal: 'heapUsed',
    status: String(m.status),
    slope: numOrNull(m.slope),
    lower: numOrNull(m.lower),
    upper: numOrNull(m.upper),
    unit: typeof m.unit === 'string' ? m.unit : '',
    floor: numOrNull(m.floor),
  };
}

function handleSummary(v: RunVerdict | null): HandleSummary | null {
  const h = v?.handles;
  if (!isObject(h) || !Array.isArray(h.types)) return null;
  const grew = h.types
    .filter((t) => isObject(t) && finite(t.delta) && t.delta > 0)
    .map((t) => ({ type: String(t.type), delta: t.delta }))
    .sort((a, b) => b.delta - a.delta || (a.type < b.type ? -1 : 1));
  return { status: String(h.status), grew, types: h.types.length };
}

function durationOf(head: RunHead): number | null {
  if (finite(head.summary?.wallMs)) return head.summary.wallMs;
  const start = Date.parse(String(head.meta.startedAt ?? ''));
  const end = Date.parse(String(head.meta.endedAt ?? ''));
  if (Number.isFinite(start) && Number.isFinite(end) && end >= start) return end - start;
  return null;
}

/** The row of one run folder (report and proof fields are filled by the caller). */
export function runRow(dir: string, index: number): RunRow {
  const base = {
    id: `run-${index}`,
    dir,
    report: { file: null, built: false, problem: null },
    proof: null,
    baseline: false,
    regressed: null,
  };
  let head: RunHead;
  try {
    head = readRunHead(dir);
  } catch (err) {
    return {
      ...base,
      runId: basename(dir),
      startedAt: null,
      time: mtime(join(dir, 'run.json')),
      gitSha: null,
      host: null,
      nodeVersion: null,
      scenario: '?',
      leaks: [],
      variant: '?',
      status: 'UNREADABLE',
      note: redactText((err as Error).message),
      key: null,
      handles: null,
      durationMs: null,
      outcome: 'unknown',
    };
  }
  const meta = head.meta;
  const verdict = verdictOf(head);
  const leaks = Array.isArray(meta.leaks) ? meta.leaks.filter((l): l is string => typeof l === 'string') : [];
  const startedAt = typeof meta.startedAt === 'string' ? meta.startedAt : null;
  const parsed = startedAt === null ? NaN : Date.parse(startedAt);
  const outcome = outcomeOf(head);
  let note: string | null = null;
  if (verdict === null) note = head.summaryProblem ?? 'summary.json holds no verdict';
  else if (outcome !== null && outcome.status !== 'completed') note = `run ${describeOutcome(outcome)}`;
  return {
    ...base,
    runId: typeof meta.runId === 'string' ? meta.runId : basename(dir),
    startedAt,
    time: Number.isFinite(parsed) ? parsed : mtime(join(dir, 'run.json')),
    gitSha: typeof meta.gitSha === 'string' && meta.gitSha !== '' ? meta.gitSha : null,
    host: isObject(meta.machine) && typeof meta.machine.hostname === 'string' && meta.machine.hostname !== '' ? redactText(meta.machine.hostname) : null,
    nodeVersion: isObject(meta.harness) && typeof meta.harness.nodeVersion === 'string' ? meta.harness.nodeVersion : null,
    scenario: typeof meta.scenario === 'string' ? meta.scenario : '?',
    leaks,
    variant: leaks.length === 0 ? 'none' : [...leaks].sort().join('+'),
    status: verdict?.status ?? 'PARTIAL',
    note: note === null ? null : redactText(note),
    key: keySlope(verdict),
    handles: handleSummary(verdict),
    durationMs: durationOf(head),
    outcome: redactText(describeOutcome(outcome)),
  };
}

/** A run folder named by a proof record: as recorded, else next to the record (a copied artifact). */
function proofRunDir(recorded: unknown, proofFile: string): string | null {
  if (typeof recorded !== 'string' || recorded === '') return null;
  const beside = join(dirname(proofFile), basename(recorded));
  if (existsSync(join(beside, 'run.json'))) return beside;
  return existsSync(join(recorded, 'run.json')) ? recorded : null;
}

export function proofRow(file: string, index: number): ProofRow {
  const variant = basename(file).replace(/-proof\.json$/, '');
  const html = join(dirname(file), `${variant}-proof.html`);
  const row: ProofRow = {
    id: `proof-${index}`,
    file,
    variant,
    scenario: '?',
    status: 'UNREADABLE',
    failures: [],
    comparison: null,
    proofKind: null,
    evidence: null,
    wallMs: null,
    finishedAt: null,
    time: mtime(file),
    leakyDir: null,
    fixedDir: null,
    page: existsSync(html) ? html : null,
    problem: null,
    regressed: null,
  };
  let r: unknown;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { ...row, problem: `not JSON (${(err as Error).message})` };
  }
  if (!isObject(r)) return { ...row, problem: 'not a JSON object' };
  const finishedAt = typeof r.finishedAt === 'string' ? r.finishedAt : null;
  const t = finishedAt === null ? NaN : Date.parse(finishedAt);
  const comparison = isObject(r.comparison) && typeof r.comparison.outcome === 'string' ? r.comparison.outcome : null;
  return {
    ...row,
    variant: typeof r.variant === 'string' ? r.variant : variant,
    scenario: typeof r.scenario === 'string' ? r.scenario : '?',
    status: typeof r.status === 'string' ? r.status : 'UNKNOWN',
    failures: Array.isArray(r.failures) ? r.failures.map((f) => redactText(String(f))) : [],
    comparison,
    proofKind: typeof r.proofKind === 'string' ? r.proofKind : null,
    evidence: typeof r.evidence === 'string' && r.evidence !== '' ? redactText(r.evidence) : null,
    wallMs: numOrNull(r.wallMs),
    finishedAt,
    time: Number.isFinite(t) ? t : row.time,
    leakyDir: proofRunDir(r.leakyDir, file),
    fixedDir: proofRunDir(r.fixedDir, file),
  };
}
