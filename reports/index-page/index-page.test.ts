// buildIndex on synthetic folders of run folders written to a temp dir: runs
// found to a bounded depth, newest first, verdicts from summary.json (PARTIAL
// without one), missing reports built, proof records listed and tied to their
// runs, the baseline and the regressions per scenario+variant group, the page
// self-contained with relative links; a folder without runs is a ReportError.
// The `index` verb through runCommand.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checkpoint, ContinuousSample, RunEvent } from '../../harness/records.ts';
import type { RunMeta } from '../../harness/run/meta.ts';
import { judgeRun, verdictMetaOf, type RunVerdict } from '../../harness/verdict/index.ts';
import { runCommand } from '../../harness/cli/command.ts';
import { indexCommand } from '../../harness/cli/index-command.ts';
import { syntheticCheckpoints, syntheticSamples } from '../../test/fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../../test/fixtures/verdict/synthetic-meta.ts';
import { ReportError } from '../errors.ts';
import { judgeOptionsFor } from '../verdict.ts';
import { DATA_FORMAT } from '../index.ts';
import { buildIndex, envelopeSeries, groupTrend, INDEX_DATA_FORMAT, reportIsCurrent, type TrendPoint } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'soak-index-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SECRET = 'sk-test-1234567890abcdef';

interface RunSpec {
  startedAt: string;
  scenario?: string;
  leaks?: string[];
  leaky?: boolean;
  summary?: boolean;
  gitSha?: string | null;
  /** Overrides summary.json's heapUsed slope and interval (status kept). */
  heap?: { slope: number; lower: number; upper: number };
  report?: boolean;
}

function ndjson(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** A run folder as the harness writes it (12 checkpoints, 2-s samples), under `root/rel`. */
function writeRun(base: string, rel: string, spec: RunSpec): { dir: string; status: string | null } {
  const dir = join(base, rel);
  mkdirSync(dir, { recursive: true });
  const meta = syntheticMeta({
    runId: rel.split('/').pop()!,
    scenario: spec.scenario ?? 'calibration',
    leaks: spec.leaks ?? [],
    startedAt: spec.startedAt,
    endedAt: new Date(Date.parse(spec.startedAt) + 241_000).toISOString(),
    gitSha: spec.gitSha === undefined ? 'abcdef0123456789abcdef0123456789abcdef01' : spec.gitSha,
    target: { kind: 'cmd', command: `node relay.js --client-key ${SECRET}`, pid: 1, url: 'http://127.0.0.1:1', nodeVersion: 'v24.21.0', execArgv: ['--expose-gc'], heapSizeLimit: 4 * 2 ** 30 },
  });
  const checkpoints: Checkpoint[] = syntheticCheckpoints({
    checkpoints: 12,
    phase: (i) => (i < 2 ? 'warm-up' : 'load'),
    heapUsed: spec.leaky ? (r) => 500 * r : undefined,
  });
  const samples: ContinuousSample[] = syntheticSamples({ durationMs: 60_000, phase: (t) => (t < 10_000 ? 'warm-up' : 'load') });
  const events: RunEvent[] = [{ kind: 'event', t: 0, type: 'phase', message: 'warm-up' }];
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta, null, 2));
  writeFileSync(join(dir, 'checkpoints.ndjson'), ndjson(checkpoints));
  writeFileSync(join(dir, 'samples.ndjson'), ndjson(samples));
  writeFileSync(join(dir, 'events.ndjson'), ndjson(events));
  let status: string | null = null;
  if (spec.summary !== false) {
    const verdict: RunVerdict = judgeRun(verdictMetaOf(meta, { heapSizeLimit: 4 * 2 ** 30 }), checkpoints, samples, judgeOptionsFor(meta));
    if (spec.heap) {
      const heap = verdict.memory.find((m) => m.signal === 'heapUsed')!;
      Object.assign(heap, spec.heap);
    }
    status = verdict.status;
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ verdict, recordVersion: 1, runId: meta.runId, outcome: meta.outcome, wallMs: 241_000 }));
  }
  // A current report: written after the records, for this data format (reportIsCurrent).
  if (spec.report) writeFileSync(join(dir, 'report.html'), `<!doctype html><title>existing</title><body data-format="${DATA_FORMAT}">`);
  return { dir, status };
}

function indexData(html: string): {
  format: number;
  runs: Array<{ id: string; runId: string; status: string; scenario: string; variant: string; baseline: boolean; regressed: string | null; dir: string; report: { file: string | null; built: boolean }; proof: { variant: string; role: string } | null }>;
  proofs: Array<{ variant: string; status: string; leakyDir: string | null; fixedDir: string | null; page: string | null }>;
  groups: Array<{ scenario: string; variant: string; baseline: string | null; runs: string[]; regressed: string[] }>;
} {
  const m = /<script type="application\/json" id="index-data" data-format="(\d+)">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  expect(Number(m![1])).toBe(INDEX_DATA_FORMAT);
  return JSON.parse(m![2]!);
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

describe('buildIndex', () => {
  const base = join(root, 'runs');
  // calibration, no variant: an old LEAK (before the baseline), the baseline, a clean run,
  // a run whose interval sits above the baseline's, a LEAK; and other groups beside.
  const r1 = writeRun(base, 'old-leak', { startedAt: '2026-11-01T10:00:00.000Z', leaky: true, leaks: [] });
  const r2 = writeRun(base, 'nested/deeper/baseline', { startedAt: '2026-11-02T10:00:00.000Z', heap: { slope: 1, lower: -2, upper: 4 } });
  const r3 = writeRun(base, 'clean', { startedAt: '2026-11-03T10:00:00.000Z', heap: { slope: 2, lower: -1, upper: 5 }, report: true });
  const r4 = writeRun(base, 'higher', { startedAt: '2026-11-04T10:00:00.000Z', heap: { slope: 9, lower: 6, upper: 12 } });
  const r5 = writeRun(base, 'leaks-again', { startedAt: '2026-11-05T10:00:00.000Z', leaky: true });
  const partial = writeRun(base, 'killed', { startedAt: '2026-11-06T10:00:00.000Z', summary: false });
  // A prove base: the two runs and the proof record next to them.
  const leaky = writeRun(base, 'prove-x/inflight-map-leaky', { startedAt: '2026-11-07T10:00:00.000Z', leaks: ['inflight-map'], leaky: true });
  const fixed = writeRun(base, 'prove-x/inflight-map-fixed', { startedAt: '2026-11-07T10:05:00.000Z', leaks: [], scenario: 'mixed' });
  writeFileSync(
    join(base, 'prove-x', 'inflight-map-proof.json'),
    JSON.stringify({ kind: 'proof', recordVersion: 1, variant: 'inflight-map', scenario: 'calibration', status: 'holds', failures: [], leakyDir: '/moved/away/inflight-map-leaky', fixedDir: fixed.dir, comparison: { outcome: 'fix-holds' }, wallMs: 300_000, finishedAt: '2026-11-07T10:10:00.000Z' }),
  );
  writeFileSync(join(base, 'prove-x', 'inflight-map-proof.html'), '<!doctype html><title>proof</title>');
  // Too deep to be found (depth 4).
  writeRun(base, 'a/b/c/too-deep', { startedAt: '2026-11-08T10:00:00.000Z' });
  // A broken run.json: listed as unreadable, the index still built.
  mkdirSync(join(base, 'broken'), { recursive: true });
  writeFileSync(join(base, 'broken', 'run.json'), '{"runId": ');

  it('lists the runs newest first with verdicts, builds missing reports, ties proofs to their runs', async () => {
    const r = await buildIndex(base);
    expect(r.file).toBe(join(base, 'index.html'));
    const html = readFileSync(r.file, 'utf8');
    expect(r.bytes).toBe(Buffer.byteLength(html));
    expect(r.runs).toBe(9);
    expect(r.proofs).toBe(1);
    const data = indexData(html);
    expect(data.format).toBe(INDEX_DATA_FORMAT);
    const known = data.runs.filter((x) => x.status !== 'UNREADABLE');
    expect(known.map((x) => x.runId)).toEqual(['inflight-map-fixed', 'inflight-map-leaky', 'killed', 'leaks-again', 'higher', 'clean', 'baseline', 'old-leak']);
    expect(data.runs.some((x) => x.runId === 'too-deep')).toBe(false);
    expect(data.runs.find((x) => x.status === 'UNREADABLE')?.runId).toBe('broken');
    expect(known.find((x) => x.runId === 'killed')?.status).toBe('PARTIAL');
    expect(partial.status).toBeNull();
    expect(known.find((x) => x.runId === 'old-leak')?.status).toBe(r1.status);
    expect(r1.status).toBe('LEAK');
    expect(r2.status).toBe('NO-LEAK');
    // Reports: built where missing (the partial run too), kept where present.
    for (const dir of [r1.dir, r2.dir, r4.dir, r5.dir, partial.dir, leaky.dir, fixed.dir]) expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(readFileSync(join(r3.dir, 'report.html'), 'utf8')).toContain('existing');
    expect(r.reportsBuilt).toBe(7);
    expect(known.find((x) => x.runId === 'clean')?.report.built).toBe(false);
    // The proof: found beside its record although its leakyDir was recorded elsewhere.
    expect(data.proofs).toHaveLength(1);
    expect(data.proofs[0]).toMatchObject({ variant: 'inflight-map', status: 'holds', leakyDir: 'prove-x/inflight-map-leaky', fixedDir: 'prove-x/inflight-map-fixed', page: 'prove-x/inflight-map-proof.html' });
    expect(known.find((x) => x.runId === 'inflight-map-leaky')?.proof).toMatchObject({ variant: 'inflight-map', role: 'leaky' });
    expect(known.find((x) => x.runId === 'inflight-map-fixed')?.proof).toMatchObject({ role: 'fixed' });
    // Columns shown.
    expect(html).toContain('abcdef01'); // short sha
    expect(html).toContain('2026-11-04 10:00Z');
    expect(html).toContain('9.0 [6.0, 12.0] B/request');
    expect(html).toContain('4 min 1 s');
    expect(html).toMatch(/class="badge status-partial">PARTIAL</);
    expect(html).not.toContain(SECRET);
  });

  it('a folder of proofs leads with them and counts how many hold; a folder of soaks keeps them last', async () => {
    const mixed = readFileSync((await buildIndex(base)).file, 'utf8');
    expect(mixed).toContain('9 runs in');
    expect(mixed).toContain(', 1 proof (1 hold)');
    expect(mixed.indexOf('id="proofs"')).toBeGreaterThan(mixed.indexOf('id="runs-table"'));
    const prove = readFileSync((await buildIndex(join(base, 'prove-x'))).file, 'utf8');
    expect(prove).toContain('2 runs in');
    expect(prove.indexOf('id="proofs"')).toBeGreaterThan(0);
    expect(prove.indexOf('id="proofs"')).toBeLessThan(prove.indexOf('id="runs-table"'));
    rmSync(join(base, 'prove-x', 'index.html'));
  });

  it('marks the baseline and the runs that regressed against it, per scenario+variant group, with a sparkline each', async () => {
    const html = readFileSync((await buildIndex(base)).file, 'utf8');
    const data = indexData(html);
    const id = (runId: string): string => data.runs.find((x) => x.runId === runId)!.id;
    const calib = data.groups.find((g) => g.scenario === 'calibration' && g.variant === 'none')!;
    expect(calib.runs.length).toBe(6);
    expect(calib.baseline).toBe(id('baseline'));
    expect(calib.regressed.sort()).toEqual([id('higher'), id('leaks-again')].sort());
    const higher = data.runs.find((x) => x.runId === 'higher')!;
    expect(higher.regressed).toMatch(/lower bound 6\.0 > the baseline's upper bound 4\.0 B\/request/);
    expect(data.runs.find((x) => x.runId === 'leaks-again')!.regressed).toMatch(/^LEAK where the baseline baseline was NO-LEAK/);
    expect(data.runs.find((x) => x.runId === 'old-leak')!.regressed).toBeNull(); // older than the baseline
    expect(data.runs.find((x) => x.runId === 'clean')!.regressed).toBeNull();
    // The leaky variant's group has no NO-LEAK run: no baseline, nothing regressed.
    const variant = data.groups.find((g) => g.variant === 'inflight-map')!;
    expect(variant.baseline).toBeNull();
    expect(variant.regressed).toEqual([]);
    expect(data.groups.map((g) => `${g.scenario}/${g.variant}`)).toEqual(['calibration/none', 'calibration/inflight-map', 'mixed/none']);
    // One sparkline per group; the calibration one has the baseline ring and two regression dots.
    expect(html.match(/<svg class="spark"/g)?.length).toBe(3);
    const card = /<div class="group" data-scenario="calibration" data-variant="none"[^]*?<\/svg>/.exec(html)![0];
    expect(card.match(/class="reg"/g)?.length).toBe(2);
    expect(card.match(/class="basept"/g)?.length).toBe(1);
    expect(card).toContain('class="base"');
    expect(html).toMatch(/id="regressions"[^>]*data-regressions="2"/);
    expect(html).toMatch(/<title>2 regressed — /);
  });

  it('is self-contained: a CSP, no origin anywhere, every link relative and pointing at a file that exists', async () => {
    const r = await buildIndex(base);
    const html = readFileSync(r.file, 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'none';/);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script(?![^>]*type="application\/json")/);
    const links = hrefs(html).filter((h) => !h.startsWith('#') && !h.startsWith('data:'));
    expect(links.length).toBeGreaterThanOrEqual(9);
    for (const h of links) {
      expect(h.startsWith('/')).toBe(false);
      expect(existsSync(resolve(dirname(r.file), decodeURIComponent(h)))).toBe(true);
    }
    for (const h of hrefs(html).filter((x) => x.startsWith('#'))) expect(html).toContain(`id="${h.slice(1)}"`);
  });

  it('options.out: written there, links relative to it', async () => {
    const out = join(root, 'elsewhere', 'sub', 'all.html');
    const r = await buildIndex(base, { out });
    expect(r.file).toBe(out);
    const links = hrefs(readFileSync(out, 'utf8')).filter((h) => !h.startsWith('#') && !h.startsWith('data:'));
    expect(links.every((h) => h.startsWith('../../runs/'))).toBe(true);
    for (const h of links) expect(existsSync(resolve(dirname(out), decodeURIComponent(h)))).toBe(true);
  });

  it('maxDepth bounds the scan', async () => {
    const r = await buildIndex(base, { out: join(root, 'deep.html'), maxDepth: 4 });
    expect(indexData(readFileSync(r.file, 'utf8')).runs.some((x) => x.runId === 'too-deep')).toBe(true);
    const shallow = await buildIndex(base, { out: join(root, 'shallow.html'), maxDepth: 1 });
    expect(shallow.runs).toBe(6); // old-leak, clean, higher, leaks-again, killed, broken
  });

  it('a report.html older than its records, or of another data format, is rebuilt; a current one is kept', async () => {
    const dir = join(root, 'stale');
    const current = writeRun(dir, 'current', { startedAt: '2026-11-01T10:00:00.000Z', report: true });
    const older = writeRun(dir, 'older', { startedAt: '2026-11-02T10:00:00.000Z', report: true });
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(join(older.dir, 'report.html'), past, past);
    const format = writeRun(dir, 'format', { startedAt: '2026-11-03T10:00:00.000Z' });
    writeFileSync(join(format.dir, 'report.html'), `<!doctype html><body data-format="${DATA_FORMAT + 1}">`);
    expect(reportIsCurrent(current.dir, join(current.dir, 'report.html'))).toBe(true);
    expect(reportIsCurrent(older.dir, join(older.dir, 'report.html'))).toBe(false);
    expect(reportIsCurrent(format.dir, join(format.dir, 'report.html'))).toBe(false);
    const r = await buildIndex(dir);
    expect(r.reportsBuilt).toBe(2);
    expect(readFileSync(join(current.dir, 'report.html'), 'utf8')).toContain('existing');
    for (const d of [older.dir, format.dir]) expect(readFileSync(join(d, 'report.html'), 'utf8')).toContain('id="verdict"');
  });

  it('a run whose report cannot be built is listed without a link, the others are not held up', async () => {
    const dir = join(root, 'one-bad');
    const good = writeRun(dir, 'good', { startedAt: '2026-11-01T10:00:00.000Z' });
    const bad = writeRun(dir, 'bad', { startedAt: '2026-11-02T10:00:00.000Z' });
    const lines = readFileSync(join(bad.dir, 'checkpoints.ndjson'), 'utf8').split('\n');
    lines[2] = lines[2]!.slice(0, 30);
    writeFileSync(join(bad.dir, 'checkpoints.ndjson'), lines.join('\n'));
    const r = await buildIndex(dir);
    expect(r.reportsBuilt).toBe(1);
    expect(existsSync(join(good.dir, 'report.html'))).toBe(true);
    const html = readFileSync(r.file, 'utf8');
    const row = indexData(html).runs.find((x) => x.runId === 'bad')!;
    expect(row.report.file).toBeNull();
    expect(html).toMatch(/title="[^"]*checkpoints\.ndjson:3: not a JSON record[^"]*">no report</);
  });

  it('a folder with no runs, or no folder: ReportError SOAK_ERR_REPORT_INPUT naming it, nothing written', async () => {
    const empty = join(root, 'empty');
    mkdirSync(join(empty, 'x', 'y'), { recursive: true });
    writeFileSync(join(empty, 'x', 'v-proof.json'), '{}');
    const err = await buildIndex(empty).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReportError);
    expect((err as ReportError).code).toBe('SOAK_ERR_REPORT_INPUT');
    expect((err as ReportError).message).toContain(empty);
    expect((err as ReportError).message).toMatch(/no run folders .*run\.json.* \(1 proof record found, but not their run folders\)/);
    expect(existsSync(join(empty, 'index.html'))).toBe(false);
    const missing = await buildIndex(join(root, 'nope')).catch((e: unknown) => e);
    expect((missing as ReportError).code).toBe('SOAK_ERR_REPORT_INPUT');
    expect((missing as ReportError).message).toMatch(/nope: no such folder/);
  });
});

describe('trend pieces', () => {
  const p = (status: string, lower: number | null, upper: number | null): TrendPoint => ({ time: 0, label: status, status, slope: lower, lower, upper, unit: 'B/request' });

  it('groupTrend: baseline = first NO-LEAK; later LEAK or a lower bound above its upper bound regresses', () => {
    const t = groupTrend([p('LEAK', 400, 500), p('NO-LEAK', -1, 3), p('NO-LEAK', 2, 8), p('INCONCLUSIVE', 3.5, 20), p('LEAK', 100, 200), p('NO-LEAK', 0, 2)]);
    expect(t.baseline).toBe(1);
    expect(t.regressed.map((r) => r !== null)).toEqual([false, false, false, true, true, false]);
    expect(groupTrend([p('LEAK', 1, 2), p('INCONCLUSIVE', 1, 2)])).toEqual({ baseline: null, regressed: [null, null] });
    // Different units are not compared.
    expect(groupTrend([p('NO-LEAK', 0, 1), { ...p('NO-LEAK', 5, 6), unit: "B/event '429'" }]).regressed).toEqual([null, null]);
  });

  it('envelopeSeries: at most 200 buckets, min and max per bucket (a spike survives), gaps stay gaps', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i === 7777 ? 1e6 : i === 1234 ? -1e6 : Math.sin(i / 100)));
    const b = envelopeSeries(values, 200);
    expect(b.length).toBe(200);
    expect(Math.max(...b.map((x) => x!.max))).toBe(1e6);
    expect(Math.min(...b.map((x) => x!.min))).toBe(-1e6);
    expect(b[0]!.from).toBe(0);
    expect(b[199]!.to).toBe(10_000);
    expect(b.every((x, i) => i === 0 || x!.from === b[i - 1]!.to)).toBe(true);
    expect(envelopeSeries([1, null, 3])).toEqual([{ from: 0, to: 1, min: 1, max: 1 }, null, { from: 2, to: 3, min: 3, max: 3 }]);
    expect(envelopeSeries([])).toEqual([]);
  });

  it('reports/index-page reads run folders only: no import of relay/, mocks/, harness/load or harness/judge', () => {
    const offenders: string[] = [];
    for (const f of readdirSync(import.meta.dirname).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      for (const m of readFileSync(join(import.meta.dirname, f), 'utf8').matchAll(/from '([^']+)'/g)) {
        if (/(^|\/)(relay|mocks)\/|harness\/(load|judge|cli)\//.test(m[1]!)) offenders.push(`${f}: ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('npm run soak -- index', () => {
  function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
    let out = '';
    let err = '';
    const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, cb) => (add(String(c)), cb()) });
    return { io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) }, out: () => out, err: () => err };
  }

  it('prints index: <file> (<n> runs); --out; a folder without runs exits 2 naming it', async () => {
    const dir = join(root, 'cli');
    writeRun(dir, 'one', { startedAt: '2026-11-01T10:00:00.000Z' });
    const c = capture();
    expect(await runCommand(indexCommand, [dir], c.io)).toBe(0);
    expect(c.out()).toBe(`index: ${join(dir, 'index.html')} (1 run)\n`);
    const out = join(root, 'cli-out.html');
    const o = capture();
    expect(await runCommand(indexCommand, [dir, '--out', out], o.io)).toBe(0);
    expect(o.out()).toContain(`index: ${out} (1 run)`);
    const e = capture();
    mkdirSync(join(root, 'cli-empty'));
    expect(await runCommand(indexCommand, [join(root, 'cli-empty')], e.io)).toBe(2);
    expect(e.err()).toContain(`soak index: ${join(root, 'cli-empty')}: no run folders`);
    const h = capture();
    expect(await runCommand(indexCommand, ['--help'], h.io)).toBe(0);
    expect(h.out()).toContain('Usage: npm run soak -- index <folder> [--out FILE]');
  });
});

describe('buildIndex: the proofs table says what each proof decided on', () => {
  it("shows a record's kind and evidence with the slope comparison under it; an older record, its comparison", async () => {
    const base = join(root, 'decided-on');
    const leaky = writeRun(base, 'p/retry-timers-leaky', { startedAt: '2026-12-07T10:00:00.000Z', leaks: ['retry-timers'], leaky: true });
    const fixed = writeRun(base, 'p/retry-storm-fixed', { startedAt: '2026-12-07T10:01:00.000Z', leaks: [] });
    const record = (variant: string, extra: Record<string, unknown>) =>
      writeFileSync(
        join(base, 'p', `${variant}-proof.json`),
        JSON.stringify({ kind: 'proof', recordVersion: 1, variant, scenario: 'retry-storm', status: 'holds', failures: [], leakyDir: leaky.dir, fixedDir: fixed.dir, wallMs: 1000, finishedAt: '2026-12-07T10:03:00.000Z', ...extra }),
      );
    record('retry-timers', { comparison: { outcome: 'inconclusive' }, proofKind: 'level', evidence: 'Timeout level: leaky only' });
    record('old-proof', { comparison: { outcome: 'fix-holds' } });
    record('churny', { comparison: { outcome: 'inconclusive' }, proofKind: 'churn', evidence: 'alloc/request ×0.02 [0.01, 0.03]' });
    // An incomplete proof (a run missing) decided on nothing: its kind, no evidence, no "retained: -".
    record('unfinished', { status: 'incomplete', proofKind: 'retained', evidence: '' });
    const html = readFileSync((await buildIndex(base)).file, 'utf8');
    const table = html.slice(html.indexOf('<table id="proofs-table">'), html.indexOf('</table>', html.indexOf('<table id="proofs-table">')));
    expect(table).toContain('decided on (leaky → fixed)');
    const row = (variant: string) => table.split('<tr').find((r) => r.includes(`>${variant}<`)) ?? '';
    expect(row('retry-timers')).toContain('<td>Timeout level: leaky only<span class="small-note">slope comparison: inconclusive</span></td>');
    expect(row('churny')).toContain('<td><span class="muted">churn:</span> alloc/request ×0.02 [0.01, 0.03]<span class="small-note">');
    expect(row('old-proof')).toContain('<td>fix-holds</td>');
    expect(row('unfinished')).toContain('<td>retained proof</td>');
  });
});
