// The proof page's charts of what a level or churn proof rests on, on
// synthetic run folders: a level-under-load proof gets its chart of the
// samples with the per-phase figures the rule compared, a drained level proof
// its checkpoint chart on the level's signal with the pre-load baseline, a
// churn proof its allocation and GC charts with the comparison's ratio; and
// every figure in their tables and in the embedded data is the one the
// records and the judge give (recomputed here from the records written).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checkpoint, ContinuousSample } from '../harness/records.ts';
import type { RunMeta } from '../harness/run/meta.ts';
import { compareRuns, judgeRun, verdictMetaOf, type RunComparison } from '../harness/verdict/index.ts';
import { compareLevels, levelAtDrainedCheckpoints, levelUnderLoad } from '../harness/verdict/level.ts';
import { syntheticCheckpoints, syntheticSamples } from '../test/fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../test/fixtures/verdict/synthetic-meta.ts';
import { decodeColumn, type EncodedColumn } from './columns.ts';
import { num } from './html.ts';
import { buildProofReport, type ProofSummary } from './index.ts';
import { judgeOptionsFor } from './verdict.ts';

const root = mkdtempSync(join(tmpdir(), 'soak-proof-evidence-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ndjson = (records: readonly unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** warm-up, two load phases (the second runs the trigger harder), cool-down: 240 s, a sample every 2 s. */
const PHASES = [
  { name: 'warm-up', kind: 'warm-up' },
  { name: 'fast', kind: 'steady' },
  { name: 'slow', kind: 'steady' },
  { name: 'cool-down', kind: 'cool-down' },
];
const phaseAt = (t: number): string => (t < 40_000 ? 'warm-up' : t < 120_000 ? 'fast' : t < 220_000 ? 'slow' : 'cool-down');

interface RunSpec {
  /** ESTABLISHED sockets in a sample (under-load level). */
  established?: (t: number, phase: string) => number;
  /** Timeouts after GC at checkpoint i (drained level). */
  timeouts?: (i: number) => number;
  allocatedPerRequest?: number;
  gcMsPerRequest?: number;
}

interface WrittenRun {
  dir: string;
  meta: RunMeta;
  checkpoints: Checkpoint[];
  samples: ContinuousSample[];
}

function writeRun(parent: string, name: string, spec: RunSpec): WrittenRun {
  const dir = join(root, parent, name);
  mkdirSync(dir, { recursive: true });
  const meta = syntheticMeta({ runId: name, resolved: { phases: PHASES, thresholds: { heapUsed: 32 } } });
  const checkpoints = syntheticCheckpoints({
    checkpoints: 12,
    seed: name,
    phase: (i) => phaseAt((i + 1) * 20_000),
    resourcesAfterGc: (i) => ({ TCPSocketWrap: 4, Timeout: spec.timeouts?.(i) ?? 2 }),
    ...(spec.allocatedPerRequest === undefined ? {} : { allocatedPerRequest: spec.allocatedPerRequest }),
    ...(spec.gcMsPerRequest === undefined ? {} : { gcMsPerRequest: spec.gcMsPerRequest }),
  });
  const samples = syntheticSamples({
    durationMs: 240_000,
    seed: name,
    phase: phaseAt,
    ...(spec.allocatedPerRequest === undefined ? {} : { allocatedPerRequest: spec.allocatedPerRequest }),
    ...(spec.gcMsPerRequest === undefined ? {} : { gcMsPerRequest: spec.gcMsPerRequest }),
  }).map((s, i): ContinuousSample => ({
    ...s,
    // Every 15th sample has no /proc reading: a gap in the level, not a zero.
    proc: i % 15 === 7 ? null : { rss: 1, fds: 30, threads: 10, tcp: { ESTABLISHED: spec.established?.(s.t, s.phase) ?? 4, LISTEN: 1 }, cpu: { user: 0, system: 0 } },
  }));
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta, null, 2));
  writeFileSync(join(dir, 'checkpoints.ndjson'), ndjson(checkpoints));
  writeFileSync(join(dir, 'samples.ndjson'), ndjson(samples));
  writeFileSync(join(dir, 'events.ndjson'), ndjson(PHASES.map((p, i) => ({ kind: 'event', t: [0, 40_000, 120_000, 220_000][i], type: 'phase', message: p.name }))));
  const verdict = judgeRun(verdictMetaOf(meta, { heapSizeLimit: 4 * 2 ** 30 }), checkpoints, samples, judgeOptionsFor(meta));
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ verdict, recordVersion: 1, runId: name, outcome: meta.outcome, wallMs: 241_000 }));
  return { dir, meta, checkpoints, samples };
}

function compare(a: WrittenRun, b: WrittenRun): RunComparison {
  const records = (r: WrittenRun) => ({ meta: verdictMetaOf(r.meta, { heapSizeLimit: 4 * 2 ** 30 }), checkpoints: r.checkpoints, samples: r.samples });
  return compareRuns(records(a), records(b), judgeOptionsFor(a.meta));
}

function proof(kind: string, over: Partial<ProofSummary>): ProofSummary {
  return { variant: 'sse-abort', scenario: 'stream-abort', status: 'holds', failures: [], expects: '', signal: null, kind, leakyLine: 'leaky', fixedLine: 'fixed', signatureLine: 'sig', wallMs: 1, ...over };
}

interface Embedded {
  level: {
    where: string;
    leakyLine: string;
    fixedLine: string;
    holds: boolean;
    bar: { phase: string; leakyMedian: number; fixedP90: number } | null;
    runs: Array<{ role: string; figures: { baseline: number; held: number; extraSum: number; median: number }; table: { n: number; cols: Record<string, EncodedColumn> } | null; extras?: Array<number | null> }>;
  } | null;
  churn: {
    ratio: { ratio: number; lower: number; upper: number } | null;
    runs: Array<{ role: string; bytesPerRequest: number; windows: number; matched: number; table: { n: number; cols: Record<string, EncodedColumn> } }>;
  } | null;
}

function embedded(html: string): Embedded {
  const m = /<script type="application\/octet-stream" id="data"[^>]*>([A-Za-z0-9+/=]+)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(gunzipSync(Buffer.from(m![1]!, 'base64')).toString('utf8')) as Embedded;
}

/** The rows of a server-rendered table, as cell texts (tags stripped, entities of numbers kept). */
function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}"[^>]*>([^]*?)</table>`).exec(html)?.[1];
  expect(table, `table #${id}`).toBeDefined();
  const body = /<tbody>([^]*?)<\/tbody>/.exec(table!)![1]!;
  return [...body.matchAll(/<tr[^>]*>([^]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>([^]*?)<\/t[hd]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()));
}

const chartOrder = (html: string): string[] => [...html.matchAll(/id="chart-([^"]+)"/g)].map((m) => m[1]!);
const fmt = (v: number): string => num(v, Number.isInteger(v) ? 0 : 1);
const loadPhases = new Set(['fast', 'slow']);

describe('proof page: the evidence of a level or churn proof', () => {
  // The leaky relay holds ≈ 3× the sockets while the slow phase runs; the fast phase is the same in both.
  const leakyEst = (t: number, phase: string) => (phase === 'slow' ? 120 + ((t / 2000) % 7) : 20 + ((t / 2000) % 5));
  const fixedEst = (t: number, phase: string) => (phase === 'slow' ? 40 + ((t / 2000) % 6) : 20 + ((t / 2000) % 5));

  it('a level under load: the chart of the samples, before the checkpoint chart, with the per-phase figures the rule compared', async () => {
    const a = writeRun('under-load', 'leaky', { established: leakyEst });
    const b = writeRun('under-load', 'fixed', { established: fixedEst });
    const comparison = compare(a, b);
    // No `level` field: the plan's words say where the level shows (an older caller).
    const p = proof('level', { signal: 'handles:tcp:ESTABLISHED', expects: "handles:tcp:ESTABLISHED higher under load than the fixed relay's (a level while 'sse-abort' runs)" });
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison, proof: p, differences: null, note: null });
    const html = readFileSync(r.file, 'utf8');

    expect(html).toMatch(/<figure class="chart" id="chart-level" data-chart="level"/);
    expect(chartOrder(html).slice(0, 2)).toEqual(['level', 'signal']);
    // The judge's own figures, from the records as written.
    const el = levelUnderLoad(a.samples, 'handles:tcp:ESTABLISHED', loadPhases);
    const ef = levelUnderLoad(b.samples, 'handles:tcp:ESTABLISHED', loadPhases);
    const judged = compareLevels(el, ef);
    expect(judged.holds).toBe(true);
    const data = embedded(html);
    expect(data.level?.where).toBe('under-load');
    expect(data.level?.leakyLine).toBe(judged.leakyLine);
    expect(data.level?.fixedLine).toBe(judged.fixedLine);
    const slowL = el.phases.find((x) => x.phase === 'slow')!;
    const slowF = ef.phases.find((x) => x.phase === 'slow')!;
    expect(data.level?.bar).toEqual({ phase: 'slow', leakyMedian: slowL.median, fixedP90: slowF.p90 });

    // The table: one row per counted phase, each run's samples / median / p90 / max, the deciding one marked.
    const rows = tableRows(html, 'level-table');
    expect(rows.map((x) => x[0])).toEqual(['fast', 'slow (deciding)']);
    for (const [k, name] of ['fast', 'slow'].entries()) {
      const l = el.phases.find((x) => x.phase === name)!;
      const f = ef.phases.find((x) => x.phase === name)!;
      expect(rows[k]!.slice(1, 9)).toEqual([l.values.length, l.median, l.p90, l.max, f.values.length, f.median, f.p90, f.max].map((v) => fmt(v)));
    }
    expect(rows[1]![9]).toBe('leaky median above fixed p90');
    expect(rows[0]![9]).toBe('not above');
    expect(html).toContain(`the leaky median ${fmt(slowL.median)} and the fixed run&#39;s 90th percentile ${fmt(slowF.p90)}`);

    // The data behind the chart: every sample of both runs, the count as the records have it, null without /proc.
    for (const [k, run] of [a, b].entries()) {
      const t = data.level!.runs[k]!.table!;
      expect(t.n).toBe(run.samples.length);
      expect(decodeColumn(t.cols['count']!)).toEqual(run.samples.map((s) => (s.proc === null ? null : s.proc.tcp['ESTABLISHED']!)));
      expect(decodeColumn(t.cols['counted']!)).toEqual(run.samples.map((s) => (s.proc !== null && loadPhases.has(s.phase) ? 1 : 0)));
      const shown = tableRows(html, `level-samples-${k === 0 ? 'leaky' : 'fixed'}`);
      expect(shown).toHaveLength(run.samples.length);
      expect(shown.map((x) => x[3])).toEqual(run.samples.map((s) => (s.proc === null ? '—' : fmt(s.proc.tcp['ESTABLISHED']!))));
    }

    // The caller's plan, when given, is the one used (the same page here).
    const again = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison, proof: { ...p, expects: 'anything', level: { where: 'under-load', signal: 'handles:tcp:ESTABLISHED' } }, differences: null, note: null, out: join(root, 'under-load', 'again.html') });
    expect(embedded(readFileSync(again.file, 'utf8')).level?.bar).toEqual(data.level?.bar);
  });

  it('a level under load with no /proc readings: the slot says why nothing is drawn', async () => {
    const a = writeRun('no-proc', 'leaky', {});
    const b = writeRun('no-proc', 'fixed', {});
    for (const r of [a, b]) writeFileSync(join(r.dir, 'samples.ndjson'), ndjson(r.samples.map((s) => ({ ...s, proc: null }))));
    const p = proof('level', { signal: 'handles:tcp:ESTABLISHED', level: { where: 'under-load', signal: 'handles:tcp:ESTABLISHED' } });
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison: compare(a, b), proof: p, differences: null, note: null });
    const html = readFileSync(r.file, 'utf8');
    expect(html).toMatch(/<div class="chart-skipped" id="chart-level" data-skipped="true">[^]*?Not drawn: no tcp:ESTABLISHED figures in the samples/);
  });

  it('a drained level: the checkpoint chart on the level signal, with the pre-load baseline and the figures the rule used', async () => {
    // retry-timers: the leaky relay holds 3–6 armed timers at each drained checkpoint after load; the fixed one none.
    const a = writeRun('drained', 'leaky', { timeouts: (i) => (i === 0 ? 2 : 5 + (i % 4)) });
    const b = writeRun('drained', 'fixed', { timeouts: () => 2 });
    const comparison = compare(a, b);
    const p = proof('level', { variant: 'retry-timers', signal: 'handles:Timeout', expects: 'handles:Timeout held at drained checkpoints beyond the pre-load count (a level, not a slope)' });
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison, proof: p, differences: null, note: null });
    const html = readFileSync(r.file, 'utf8');

    expect(chartOrder(html)[0]).toBe('signal');
    expect(html).not.toContain('id="chart-level"');
    const data = embedded(html);
    expect(data.level?.where).toBe('drained');
    const el = levelAtDrainedCheckpoints(a.checkpoints, 'handles:Timeout');
    const ef = levelAtDrainedCheckpoints(b.checkpoints, 'handles:Timeout');
    expect(data.level?.leakyLine).toBe(compareLevels(el, ef).leakyLine);
    // The level's table sits in the signal chart's figure.
    expect(html).toMatch(/id="chart-signal"[^]*?<table id="level-table"[^]*?<\/figure>/);
    const rows = tableRows(html, 'level-table');
    const sum = (values: number[]) => values.reduce((s, v) => s + Math.max(0, v), 0);
    expect(rows[0]!.slice(1)).toEqual([fmt(el.baseline), String(el.values.length), String(el.held), `+${fmt(el.median)}`, `+${fmt(el.max)}`, `+${fmt(sum(el.values))}`]);
    expect(rows[1]!.slice(1)).toEqual([fmt(ef.baseline), String(ef.values.length), String(ef.held), `+${fmt(ef.median)}`, `+${fmt(ef.max)}`, `+${fmt(sum(ef.values))}`]);
    // Each checkpoint's count above the pre-load one, in the checkpoint table and the data.
    const extras = a.checkpoints.map((c, i) => (i === 0 ? null : c.resourcesAfterGc['Timeout']! - a.checkpoints[0]!.resourcesAfterGc['Timeout']!));
    expect(data.level?.runs[0]?.extras).toEqual(extras);
    const shown = tableRows(html, 'checkpoints-leaky').map((x) => x[5]);
    expect(shown).toEqual(extras.map((e) => (e === null ? 'pre-load' : `${e > 0 ? '+' : ''}${e}`)));
    expect(html).toContain('<th scope="col" class="num">Timeout above pre-load</th>');
  });

  it('a churn proof: allocation and GC per request of both runs, the ratio the proof used, the figures from the records', async () => {
    const a = writeRun('churn', 'leaky', { allocatedPerRequest: 60_000, gcMsPerRequest: 0.02 });
    const b = writeRun('churn', 'fixed', { allocatedPerRequest: 6_000, gcMsPerRequest: 0.002 });
    const comparison = compare(a, b);
    const ratio = comparison.churn.allocatedBytesPerRequest!;
    expect(ratio.upper).toBeLessThan(1);
    const p = proof('churn', { variant: 'account-clone', scenario: 'health-scan', expects: "≈ 15000000 B allocated per 'api-call': after/before allocation ratio well below 1" });
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison, proof: p, differences: null, note: null });
    const html = readFileSync(r.file, 'utf8');

    expect(chartOrder(html).slice(0, 3)).toEqual(['churn:alloc', 'churn:gc', 'signal']);
    expect(html).toMatch(/<figure class="chart" id="chart-churn:alloc" data-chart="churn:alloc"/);
    expect(html).toMatch(/<figure class="chart" id="chart-churn:gc" data-chart="churn:gc"/);
    // The caption states the ratio the proof used.
    expect(html).toContain(`The churn ratio the proof used: after/before ${num(ratio.ratio, 3)} (95 % CI ${num(ratio.lower, 3)}–${num(ratio.upper, 3)}`);

    const data = embedded(html);
    const rows = tableRows(html, 'churn-table');
    for (const [k, run] of [a, b].entries()) {
      const verdict = k === 0 ? comparison.before.churn : comparison.after.churn;
      const side = data.churn!.runs[k]!;
      expect(side.windows).toBe(verdict.windows.length);
      expect(side.matched).toBe(verdict.windows.length);
      // The windows from the records: consecutive samples, allocation and requests differences.
      const s = [...run.samples].sort((x, y) => x.t - y.t);
      const perRequest = s.slice(1).map((x, i) => (x.probe!.allocatedBytes - s[i]!.probe!.allocatedBytes) / (x.requestsCompleted - s[i]!.requestsCompleted));
      expect(side.table.n).toBe(perRequest.length);
      decodeColumn(side.table.cols['bytesPerRequest']!).forEach((v, i) => expect(v).toBeCloseTo(perRequest[i]!, 2));
      // Σ / Σ over the windows marked used is the comparison's figure, and the table says it.
      const used = decodeColumn(side.table.cols['used']!);
      const windowReq = decodeColumn(side.table.cols['windowRequests']!);
      let alloc = 0;
      let req = 0;
      used.forEach((u, i) => {
        if (u !== 1) return;
        alloc += perRequest[i]! * windowReq[i]!;
        req += windowReq[i]!;
      });
      expect(used.filter((u) => u === 1)).toHaveLength(verdict.windows.length);
      expect(alloc / req).toBeCloseTo(verdict.allocatedBytesPerRequest!, 3);
      expect(rows[k]![2]).toBe(String(verdict.windows.length));
      expect(rows[k]![3]).toBe(num(req, 0));
      expect(rows[k]![5]).toBe(num(verdict.allocatedBytesPerRequest!, 0));
      expect(rows[k]![8]).toBe(num(verdict.gcMicrosPerRequest!, 2));
      // Every window is in the table behind the charts, the used ones said so.
      const shown = tableRows(html, `churn-windows-${k === 0 ? 'leaky' : 'fixed'}`);
      expect(shown).toHaveLength(perRequest.length);
      expect(shown.map((x) => x[6])).toEqual(used.map((u) => (u === 1 ? 'used' : 'not used')));
    }
    expect(rows[2]!.join(' ')).toContain(`after/before ${num(ratio.ratio, 3)}`);
    expect(data.churn?.ratio).toEqual(ratio);
  });
});
