// buildProofReport on synthetic run folders, with real comparisons from the
// verdict engine's compareRuns: the page is written where it belongs, its
// banner says what the proof or the comparison says, it is self-contained,
// both run reports are linked (and built when missing), the data is embedded
// and versioned, and a refused comparison lists every difference.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checkpoint, ContinuousSample } from '../harness/records.ts';
import type { RunMeta } from '../harness/run/meta.ts';
import { compareRuns, judgeRun, verdictMetaOf, VerdictError, type CompareOptions, type RunComparison, type RunDifference } from '../harness/verdict/index.ts';
import { syntheticCheckpoints, syntheticSamples } from '../test/fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../test/fixtures/verdict/synthetic-meta.ts';
import { decodeColumn, type EncodedColumn } from './columns.ts';
import { buildProofReport, PROOF_DATA_FORMAT, type ProofSummary } from './index.ts';
import { commonParent } from './proof-report.ts';
import { judgeOptionsFor } from './verdict.ts';

const root = mkdtempSync(join(tmpdir(), 'soak-proof-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface RunSpec {
  leaky?: boolean;
  seed?: number;
  nodeVersion?: string;
}

interface WrittenRun {
  dir: string;
  meta: RunMeta;
  checkpoints: Checkpoint[];
  samples: ContinuousSample[];
}

const ndjson = (records: readonly unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** 12 checkpoints (2 warm-up); the leaky run keeps 500 B of heap per request and one Timeout per 100 '429's. */
function writeRun(parent: string, name: string, spec: RunSpec = {}): WrittenRun {
  const dir = join(root, parent, name);
  mkdirSync(dir, { recursive: true });
  const nodeVersion = spec.nodeVersion ?? 'v24.21.0';
  const meta = syntheticMeta({
    runId: name,
    seed: spec.seed ?? 1,
    leaks: spec.leaky ? ['retry-timers'] : [],
    target: { kind: 'relay', command: 'node relay/main.ts', pid: 1, url: 'http://127.0.0.1:1', nodeVersion, execArgv: ['--expose-gc'], heapSizeLimit: 4 * 2 ** 30 },
  });
  const checkpoints = syntheticCheckpoints({
    checkpoints: 12,
    seed: name,
    phase: (i) => (i < 2 ? 'warm-up' : 'load'),
    heapUsed: spec.leaky ? (r) => 500 * r : undefined,
    events: (i, r) => ({ '429': i * 100, requests: r }),
    resourcesAfterGc: (i) => ({ TCPSocketWrap: 4, Timeout: 2 + (spec.leaky ? i : 0) }),
    fds: (i) => 24 + (spec.leaky ? i : 0),
  });
  const samples = syntheticSamples({ durationMs: 240_000, seed: name, phase: (t) => (t < 40_000 ? 'warm-up' : 'load') });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta, null, 2));
  writeFileSync(join(dir, 'checkpoints.ndjson'), ndjson(checkpoints));
  writeFileSync(join(dir, 'samples.ndjson'), ndjson(samples));
  writeFileSync(join(dir, 'events.ndjson'), ndjson([{ kind: 'event', t: 0, type: 'phase', message: 'warm-up' }, { kind: 'event', t: 40_000, type: 'phase', message: 'load' }]));
  const verdict = judgeRun(verdictMetaOf(meta, { heapSizeLimit: 4 * 2 ** 30 }), checkpoints, samples, judgeOptionsFor(meta));
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ verdict, recordVersion: 1, runId: name, outcome: meta.outcome, wallMs: 241_000 }));
  return { dir, meta, checkpoints, samples };
}

const TIMEOUT_SIGNATURE = { variant: 'retry-timers', signal: 'handles:Timeout' as const, perEvent: 0.01, event: '429' };

function compare(a: WrittenRun, b: WrittenRun, extra: CompareOptions = {}): RunComparison {
  const records = (r: WrittenRun) => ({ meta: verdictMetaOf(r.meta, { heapSizeLimit: 4 * 2 ** 30 }), checkpoints: r.checkpoints, samples: r.samples });
  return compareRuns(records(a), records(b), { ...judgeOptionsFor(a.meta), ...extra });
}

function attr(html: string, id: string, name: string): string | null {
  const tag = new RegExp(`<[a-z]+[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  return tag === undefined ? null : (new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? null);
}

interface Embedded {
  format: number;
  kind: string;
  signal: { key: string };
  runs: Array<{ role: string; table: { n: number; cols: Record<string, EncodedColumn> }; fit: { slope: number } | null }>;
  input: { comparison: RunComparison | null; differences: RunDifference[] | null };
}

function embedded(html: string): Embedded {
  const m = /<script type="application\/octet-stream" id="data" data-kind="(?:proof|compare)" data-format="1"[^>]*>([A-Za-z0-9+/=]+)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(gunzipSync(Buffer.from(m![1]!, 'base64')).toString('utf8')) as Embedded;
}

function selfContained(html: string): void {
  expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i); // nor from CSS
  expect(html).not.toMatch(/\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon)\s*\(/);
  expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
}

function proofOf(comparison: RunComparison, over: Partial<ProofSummary> = {}): ProofSummary {
  return {
    variant: 'retry-timers',
    scenario: 'calibration',
    status: 'holds',
    failures: [],
    expects: "LEAK on handles:Timeout (≈ 0.01 per '429')",
    signal: 'handles:Timeout',
    kind: 'handles',
    leakyLine: `${comparison.before.status}; Timeout LEAK`,
    fixedLine: `${comparison.after.status}; Timeout NO-LEAK Δ 0`,
    signatureLine: 'triggered',
    wallMs: 300_000,
    ...over,
  };
}

describe('buildProofReport', () => {
  it('a plain compare: compare.html next to both runs, banner = the outcome, both run reports built and linked', async () => {
    const a = writeRun('plain', 'leaky', { leaky: true });
    const b = writeRun('plain', 'fixed');
    const comparison = compare(a, b);
    expect(comparison.outcome).toBe('fix-holds');
    expect(existsSync(join(a.dir, 'report.html'))).toBe(false);
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison, proof: null, differences: null, note: null });
    expect(r.file).toBe(join(root, 'plain', 'compare.html'));
    const html = readFileSync(r.file, 'utf8');
    expect(r.bytes).toBe(Buffer.byteLength(html));
    expect(attr(html, 'proof', 'data-status')).toBe('FIX-HOLDS');
    expect(html).toContain('FIX HOLDS');
    expect(html).toContain(comparison.reasons[0]);
    selfContained(html);
    // Both run reports exist now, linked relatively.
    expect(existsSync(join(a.dir, 'report.html'))).toBe(true);
    expect(existsSync(join(b.dir, 'report.html'))).toBe(true);
    expect(html).toContain('href="leaky/report.html"');
    expect(html).toContain('href="fixed/report.html"');
    expect(html).toContain(`npm run soak -- compare ${a.dir} ${b.dir}`);
    // The comparison table: one row per signal, the difference with its interval.
    expect(html).toContain('id="comparison-table"');
    for (const s of comparison.signals) expect(html).toContain(`<th scope="row">${s.signal}`);
    expect(html).toMatch(/id="alignment"[^>]*>Aligned on/);
    // Charts: the signal (heapUsed for a plain compare) and memory; handles, since fds and Timeout changed.
    expect(html).toMatch(/class="chart" id="chart-signal" data-chart="signal"/);
    expect(html).toMatch(/class="chart" id="chart-memory" data-chart="memory"/);
    expect(html).toContain('data-chart="handle:Timeout"');
    expect(attr(html, 'data', 'data-format')).toBe(String(PROOF_DATA_FORMAT));
    const data = embedded(html);
    expect(data.format).toBe(PROOF_DATA_FORMAT);
    expect(data.kind).toBe('compare');
    expect(data.signal.key).toBe('heapUsed');
    expect(data.runs.map((x) => x.role)).toEqual(['leaky', 'fixed']);
    // The leaky run's fit is the verdict's slope (≈ 500 B/request), drawn over its judged checkpoints only.
    const leaky = data.runs[0]!;
    expect(leaky.fit?.slope).toBe(comparison.before.memory.find((m) => m.signal === 'heapUsed')!.slope);
    const fit = decodeColumn(leaky.table.cols['fit']!);
    const judged = decodeColumn(leaky.table.cols['judged']!);
    expect(fit.slice(0, comparison.before.warmup.dropped).every((v) => v === null)).toBe(true);
    expect(judged.filter((v) => v === 1).length).toBe(comparison.before.checkpoints.judged);
    expect(decodeColumn(data.runs[1]!.table.cols['delta']!).some((v) => v !== null)).toBe(true);
  });

  it('a proof: <variant>-proof.html, banner = the proof status with its rule, the handle signal with the signature fit', async () => {
    const a = writeRun('proof', 'leaky', { leaky: true });
    const b = writeRun('proof', 'fixed');
    const comparison = compare(a, b, { signatures: [TIMEOUT_SIGNATURE] });
    const before = comparison.before.signatures.find((s) => s.variant === 'retry-timers');
    expect(before?.outcome).toBe('triggered');
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison, proof: proofOf(comparison), differences: null, note: 'judged as a proof of retry-timers' });
    expect(r.file).toBe(join(root, 'proof', 'retry-timers-proof.html'));
    const html = readFileSync(r.file, 'utf8');
    expect(attr(html, 'proof', 'data-status')).toBe('HOLDS');
    expect(html).toContain('PROOF HOLDS');
    expect(html).toContain('The rule (handles proof):');
    expect(html).toContain("the leaky run must show LEAK on handles:Timeout (≈ 0.01 per &#39;429&#39;)");
    expect(html).toContain('judged as a proof of retry-timers');
    selfContained(html);
    const data = embedded(html);
    expect(data.kind).toBe('proof');
    expect(data.signal.key).toBe('handles:Timeout');
    expect(data.runs[0]!.fit?.slope).toBeCloseTo(before!.measuredPerEvent!, 6);
    expect(decodeColumn(data.runs[0]!.table.cols['sig']!)).toEqual(a.checkpoints.map((c) => c.resourcesAfterGc['Timeout']));
    // The handle type is the main chart; fds, which also changed, is in the grid.
    expect(html).toContain('data-chart="handle:fds"');
    expect(html).not.toContain('data-chart="handle:Timeout"');
    expect(html).toMatch(/<tr class="own"><th scope="row" class="mono">Timeout/);
  });

  it('a level proof that holds while the slope comparison is undecided: the evidence leads, the comparison is a note, the fixed badge is its own verdict', async () => {
    const a = writeRun('level-holds', 'leaky', { leaky: true });
    const b = writeRun('level-holds', 'fixed');
    const aligned = compare(a, b);
    // As in a real level proof: the aligned after side lacks checkpoints, the fixed run on all of them is clean.
    const undecided = { ...aligned, outcome: 'inconclusive' as const, reasons: ['after run is INCONCLUSIVE: too few checkpoints after warm-up: 6 < 8'], after: { ...aligned.after, status: 'INCONCLUSIVE' as const } };
    const proof = proofOf(undecided, { kind: 'level', signatureLine: 'triggered (ESTABLISHED reached 2 809 > 2 000)', fixedStatus: 'NO-LEAK' });
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison: undecided, proof, differences: null, note: null });
    const html = readFileSync(r.file, 'utf8');
    expect(attr(html, 'proof', 'data-status')).toBe('HOLDS');
    expect(html).toMatch(/<p class="why">the leaky run shows the signature: triggered \(ESTABLISHED reached 2 809 &gt; 2 000\); the fixed run is NO-LEAK on all of its checkpoints<\/p>/);
    expect(html).toMatch(/<p class="note">a level proof rests on the level evidence, not on slopes; the slope comparison is inconclusive \(the comparison: after run is INCONCLUSIVE: too few checkpoints/);
    const fixedCard = html.slice(html.indexOf('id="run-fixed"'));
    expect(fixedCard).toMatch(/^id="run-fixed"><h3>[^\n]*<span class="badge tone-[a-z]+">NO-LEAK<\/span><\/h3>/);
  });

  it('a churn proof that holds leads with the allocation ratio; a fixed run INCONCLUSIVE overall is called clean as the proof requires', async () => {
    const a = writeRun('churn-holds', 'leaky', { leaky: true });
    const b = writeRun('churn-holds', 'fixed');
    const aligned = compare(a, b);
    const churn = { ...aligned.churn, allocatedBytesPerRequest: { ratio: 0.0176, lower: 0.0117, upper: 0.0247, windows: [28, 43] as [number, number] } };
    const undecided = { ...aligned, outcome: 'inconclusive' as const, reasons: ['before run is INCONCLUSIVE'], churn };
    const proof = proofOf(undecided, { kind: 'churn', signatureLine: 'churn: read from the allocation ratio', fixedStatus: 'INCONCLUSIVE' });
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison: undecided, proof, differences: null, note: null });
    const html = readFileSync(r.file, 'utf8');
    expect(html).toContain('<p class="why">the fixed run allocates 0.018× the leaky run&#39;s bytes per request (95 % CI 0.012–0.025); the fixed run is clean as the proof requires (its overall verdict: INCONCLUSIVE)</p>');
  });

  it('a failed proof: the first failure is the banner line, every other one listed', async () => {
    const a = writeRun('failed', 'leaky', { leaky: true });
    const b = writeRun('failed', 'fixed', { leaky: true });
    const comparison = compare(a, b, { signatures: [TIMEOUT_SIGNATURE] });
    const failures = ['comparison: not-fixed: after still leaks', 'the fixed run is not clean: handles Timeout LEAK'];
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison, proof: proofOf(comparison, { status: 'failed', failures }), differences: null, note: null });
    const html = readFileSync(r.file, 'utf8');
    expect(attr(html, 'proof', 'data-status')).toBe('FAILED');
    expect(html).toMatch(/<p class="why">comparison: not-fixed: after still leaks<\/p>/);
    expect(html).toContain('<li>the fixed run is not clean: handles Timeout LEAK</li>');
  });

  it('a refused comparison: every difference listed (field: before vs after), no comparison table', async () => {
    const a = writeRun('refused', 'leaky', { leaky: true });
    const b = writeRun('refused', 'fixed', { seed: 7, nodeVersion: 'v24.22.0' });
    let differences: RunDifference[] = [];
    try {
      compare(a, b);
      expect.unreachable('compareRuns should refuse runs with different seeds');
    } catch (err) {
      expect(err).toBeInstanceOf(VerdictError);
      differences = [...(err as VerdictError).differences];
    }
    expect(differences.map((d) => d.field)).toEqual(expect.arrayContaining(['seed', 'nodeVersion']));
    const out = join(root, 'refused', 'out', 'page.html');
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: b.dir, comparison: null, proof: null, differences, note: null, out });
    expect(r.file).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(attr(html, 'proof', 'data-status')).toBe('REFUSED');
    expect(html).toContain('NOT COMPARABLE');
    expect(attr(html, 'comparison', 'data-refused')).toBe('true');
    for (const d of differences) {
      expect(html).toContain(`<tr><th scope="row" class="mono">${d.field}</th><td class="mono">${d.before.replace(/"/g, '&quot;')}</td><td class="mono">${d.after.replace(/"/g, '&quot;')}</td></tr>`);
    }
    expect(html).not.toContain('id="comparison-table"');
    expect(html).toContain('--force');
    // Links are relative to where the page is.
    expect(html).toContain('href="../leaky/report.html"');
    selfContained(html);
    expect(embedded(html).input.differences).toEqual(differences);
  });

  it('an incomplete proof with a run folder missing: the page says so instead of failing', async () => {
    const a = writeRun('incomplete', 'leaky', { leaky: true });
    const missing = join(root, 'incomplete', 'fixed');
    const proof: ProofSummary = { ...proofOf(compare(a, a)), status: 'incomplete', failures: ['the fixed run did not finish: interrupted (SIGINT)'] };
    const r = await buildProofReport({ leakyDir: a.dir, fixedDir: missing, comparison: null, proof, differences: null, note: null });
    const html = readFileSync(r.file, 'utf8');
    expect(attr(html, 'proof', 'data-status')).toBe('INCOMPLETE');
    expect(html).toMatch(/id="run-fixed"[^]*Run folder not readable: [^<]*no such run folder/);
    // With a comparison the folders must read: a missing one is an error, and no page is written.
    const c = compare(a, a);
    const out = join(root, 'incomplete', 'never.html');
    await expect(buildProofReport({ leakyDir: a.dir, fixedDir: missing, comparison: c, proof: null, differences: null, note: null, out })).rejects.toThrow(/no such run folder/);
    expect(existsSync(out)).toBe(false);
  });

  it('commonParent: the folder holding both runs, never a run folder itself', () => {
    expect(commonParent('/a/b/leaky', '/a/b/fixed')).toBe('/a/b');
    expect(commonParent('/a/b/x/leaky', '/a/c/fixed')).toBe('/a');
    expect(commonParent('/a/b/run', '/a/b/run')).toBe('/a/b');
    expect(commonParent('/a/b', '/a/b/inner')).toBe('/a');
  });
});
