// mergeRuns and `soak merge` on run folders "produced on different days" by
// two shards (two runners, two hosts, a run folder name both have): copied
// without touching the inputs, listed in the order of their own start times
// (not the files' mtimes), the trend drawn, and each run held to the previous
// night's: a slope that jumped above the baseline's interval by more than δ, a
// handle type newly LEAK and a proof that held and now fails are flagged (in
// the index, merge.json and JUnit, exit 1); a pair within δ, a pair that leaked
// both nights and a proof that holds both nights are not. --baseline, and the
// bad inputs (exit 2, nothing written).

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checkpoint, ContinuousSample } from '../records.ts';
import { judgeRun, verdictMetaOf, type RunVerdict } from '../verdict/index.ts';
import { runCommand } from '../cli/command.ts';
import { mergeCommand } from '../cli/merge-command.ts';
import { main } from '../cli.ts';
import { mergeRuns, SoakError } from '../index.ts';
import { syntheticCheckpoints, syntheticSamples } from '../../test/fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../../test/fixtures/verdict/synthetic-meta.ts';
import { judgeOptionsFor } from '../../reports/verdict.ts';
import { holdRunTo } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'soak-merge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface RunSpec {
  startedAt: string;
  host: string;
  scenario?: string;
  leaks?: string[];
  leaky?: boolean;
  /** summary.json's heapUsed slope and interval (status kept). */
  heap?: { slope: number; lower: number; upper: number };
  /** Timeout handles grow by this many per checkpoint (a real handle LEAK when > 0). */
  timeoutGrowth?: number;
}

const ndjson = (records: readonly unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function writeRun(dir: string, spec: RunSpec): RunVerdict {
  mkdirSync(dir, { recursive: true });
  const meta = syntheticMeta({
    runId: `${spec.scenario ?? 'calibration'}-${spec.startedAt.slice(0, 10)}`,
    scenario: spec.scenario ?? 'calibration',
    leaks: spec.leaks ?? [],
    startedAt: spec.startedAt,
    endedAt: new Date(Date.parse(spec.startedAt) + 241_000).toISOString(),
    machine: { cores: 2, cpuModel: 'test', memoryBytes: 1, hostname: spec.host, kernel: 'test' },
    harness: { nodeVersion: spec.host === 'runner-b' ? 'v24.22.0' : 'v24.21.0', execArgv: [], argv: [] },
  });
  const growth = spec.timeoutGrowth ?? 0;
  const checkpoints: Checkpoint[] = syntheticCheckpoints({
    checkpoints: 12,
    phase: (i) => (i < 2 ? 'warm-up' : 'load'),
    heapUsed: spec.leaky ? (r) => 500 * r : undefined,
    resourcesAfterGc: (i) => ({ TCPSocketWrap: 4, Timeout: 2 + growth * i }),
  });
  const samples: ContinuousSample[] = syntheticSamples({ durationMs: 60_000, phase: (t) => (t < 10_000 ? 'warm-up' : 'load') });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta, null, 2));
  writeFileSync(join(dir, 'checkpoints.ndjson'), ndjson(checkpoints));
  writeFileSync(join(dir, 'samples.ndjson'), ndjson(samples));
  writeFileSync(join(dir, 'events.ndjson'), ndjson([{ kind: 'event', t: 0, type: 'phase', message: 'warm-up' }]));
  const verdict = judgeRun(verdictMetaOf(meta, { heapSizeLimit: 4 * 2 ** 30 }), checkpoints, samples, judgeOptionsFor(meta));
  if (spec.heap) Object.assign(verdict.memory.find((m) => m.signal === 'heapUsed')!, spec.heap);
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ verdict, recordVersion: 1, runId: meta.runId, outcome: meta.outcome, wallMs: 241_000 }));
  return verdict;
}

function writeProof(file: string, variant: string, status: 'holds' | 'failed', finishedAt: string): void {
  const failures = status === 'failed' ? ['the fixed run still grows: heapUsed LEAK'] : [];
  writeFileSync(file, JSON.stringify({ kind: 'proof', recordVersion: 1, variant, scenario: 'calibration', status, failures, leakyDir: null, fixedDir: null, comparison: null, wallMs: 60_000, finishedAt }));
}

/** Every file under `dir` with its size and mtime: what "not modified" is checked against. */
function snapshot(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).sort().map((f) => {
    const st = statSync(join(dir, f));
    return `${f} ${st.isDirectory() ? 'dir' : `${st.size} ${st.mtimeMs}`}`;
  });
}

interface IndexData {
  runs: Array<{ id: string; runId: string; startedAt: string; host: string | null; nodeVersion: string | null; dir: string; regressed: string | null; scenario: string; variant: string }>;
  proofs: Array<{ id: string; variant: string; regressed: string | null }>;
  groups: Array<{ scenario: string; variant: string; runs: string[]; regressed: string[] }>;
  heldTo: { rule: string; runs: Array<{ id: string; against: { label: string } | null; checks: Array<{ what: string; regressed: boolean; text: string }> }>; proofs: Array<{ id: string; checks: Array<{ regressed: boolean; text: string }> }> } | null;
}

function indexData(html: string): IndexData {
  const m = /<script type="application\/json" id="index-data" data-format="\d+">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as IndexData;
}

function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, cb) => (add(String(c)), cb()) });
  return { io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) }, out: () => out, err: () => err };
}

// Night 1 on runner-a, night 2 on runner-b. Groups (scenario · leak variants):
//   calibration · none     [−2, 4] → [40, 60]: moved 36 above > δ 32          REGRESSED
//   mixed · none           [−2, 4] → [10, 30]: moved 6 above, within δ 32      held
//   calibration · retry-timers  handles flat → Timeout growing (LEAK)          REGRESSED
//   calibration · inflight-map  LEAK both nights, overlapping intervals       held
// Proofs: inflight-map holds → fails (REGRESSED); error-body holds → holds (held).
const nightA = join(root, 'artifacts-night-1');
const nightB = join(root, 'artifacts-night-2');
const N1 = '2026-11-01T02:00:00.000Z';
const N2 = '2026-11-02T02:00:00.000Z';
writeRun(join(nightA, 'soak-calibration', 'nightly'), { startedAt: N1, host: 'runner-a', heap: { slope: 1, lower: -2, upper: 4 } });
writeRun(join(nightA, 'soak-mixed', 'mixed-run'), { startedAt: '2026-11-01T02:10:00.000Z', host: 'runner-a', scenario: 'mixed', heap: { slope: 1, lower: -2, upper: 4 } });
writeRun(join(nightA, 'prove', 'retry-timers'), { startedAt: '2026-11-01T02:20:00.000Z', host: 'runner-a', leaks: ['retry-timers'] });
writeRun(join(nightA, 'prove', 'inflight-map-leaky'), { startedAt: '2026-11-01T02:30:00.000Z', host: 'runner-a', leaks: ['inflight-map'], leaky: true, heap: { slope: 500, lower: 480, upper: 520 } });
writeProof(join(nightA, 'prove', 'inflight-map-proof.json'), 'inflight-map', 'holds', '2026-11-01T02:40:00.000Z');
writeProof(join(nightA, 'prove', 'error-body-proof.json'), 'error-body', 'holds', '2026-11-01T02:45:00.000Z');
// Night 2: the same folder names (soak-calibration/nightly, prove/…) in another shard.
writeRun(join(nightB, 'soak-calibration', 'nightly'), { startedAt: N2, host: 'runner-b', heap: { slope: 50, lower: 40, upper: 60 } });
writeRun(join(nightB, 'soak-mixed', 'mixed-run'), { startedAt: '2026-11-02T02:10:00.000Z', host: 'runner-b', scenario: 'mixed', heap: { slope: 20, lower: 10, upper: 30 } });
const newlyLeaking = writeRun(join(nightB, 'prove', 'retry-timers'), { startedAt: '2026-11-02T02:20:00.000Z', host: 'runner-b', leaks: ['retry-timers'], timeoutGrowth: 5 });
writeRun(join(nightB, 'prove', 'inflight-map-leaky'), { startedAt: '2026-11-02T02:30:00.000Z', host: 'runner-b', leaks: ['inflight-map'], leaky: true, heap: { slope: 505, lower: 490, upper: 530 } });
writeProof(join(nightB, 'prove', 'inflight-map-proof.json'), 'inflight-map', 'failed', '2026-11-02T02:40:00.000Z');
writeProof(join(nightB, 'prove', 'error-body-proof.json'), 'error-body', 'holds', '2026-11-02T02:45:00.000Z');
// Runner B's files are older on disk than runner A's (its clock, or the download): order must come from run.json.
for (const f of readdirSync(nightB, { recursive: true, encoding: 'utf8' }) as string[]) utimesSync(join(nightB, f), new Date('2026-10-01T00:00:00Z'), new Date('2026-10-01T00:00:00Z'));

describe('mergeRuns: two nights from two shards', () => {
  const out = join(root, 'merged');
  const before = [...snapshot(nightA), '--', ...snapshot(nightB)];

  it('the planted handle leak is a real LEAK verdict (the fixture can fail)', () => {
    expect(newlyLeaking.handles.types.find((t) => t.type === 'Timeout')?.status).toBe('LEAK');
  });

  it('copies both shards (same-named runs kept apart), lists the runs by their start times, keeps host and Node, flags the planted regressions only', async () => {
    const c = capture();
    // Night 2's shard first: input order is not time order.
    expect(await runCommand(mergeCommand, [nightB, nightA, '--out', out, '--junit', join(out, 'junit.xml')], c.io)).toBe(1);
    expect(c.out()).toContain(`merged 8 runs and 4 proofs from 2 shards into ${out}`);
    expect(c.out()).toContain(`artifacts-night-1: ${nightA} (4 runs, 2 proofs; host runner-a; Node v24.21.0)`);
    expect(c.out()).toContain(`artifacts-night-2: ${nightB} (4 runs, 2 proofs; host runner-b; Node v24.22.0)`);
    expect(c.out()).toMatch(/: 6 compared, 3 regressions\n/);
    expect(c.out()).toMatch(new RegExp(`index: ${join(out, 'index.html').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(8 runs\\)\\n$`));
    // The inputs: not one file added, removed or touched (reports are built in the copies).
    expect([...snapshot(nightA), '--', ...snapshot(nightB)]).toEqual(before);
    for (const shard of ['artifacts-night-1', 'artifacts-night-2']) {
      expect(existsSync(join(out, shard, 'soak-calibration', 'nightly', 'run.json'))).toBe(true);
      expect(existsSync(join(out, shard, 'soak-calibration', 'nightly', 'report.html'))).toBe(true);
      expect(existsSync(join(out, shard, 'prove', 'inflight-map-proof.json'))).toBe(true);
    }

    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const data = indexData(html);
    // Newest first by run.json's startedAt, although night 2's files have the older mtimes.
    expect(data.runs.map((r) => r.startedAt)).toEqual([...data.runs.map((r) => r.startedAt)].sort().reverse());
    expect(data.runs.slice(0, 4).every((r) => r.host === 'runner-b' && r.nodeVersion === 'v24.22.0')).toBe(true);
    expect(data.runs.slice(4).every((r) => r.host === 'runner-a' && r.dir.startsWith('artifacts-night-1/'))).toBe(true);
    expect(html).toContain('runner-b · Node v24.22.0');
    // The trend: one group per scenario+variant, each with both nights, oldest first.
    expect(data.groups.map((g) => `${g.scenario}/${g.variant}:${g.runs.length}`).sort()).toEqual(['calibration/inflight-map:2', 'calibration/none:2', 'calibration/retry-timers:2', 'mixed/none:2']);
    expect(html.match(/<svg class="spark"/g)?.length).toBe(4);
    const run = (scenario: string, variant: string, day: string) => data.runs.find((r) => r.scenario === scenario && r.variant === variant && r.startedAt.startsWith(day))!;
    const calib = data.groups.find((g) => g.scenario === 'calibration' && g.variant === 'none')!;
    expect(calib.runs).toEqual([run('calibration', 'none', '2026-11-01').id, run('calibration', 'none', '2026-11-02').id]);

    // Regressions: exactly the planted three, with their numbers.
    expect(data.runs.filter((r) => r.regressed !== null).map((r) => `${r.scenario}/${r.variant}`).sort()).toEqual(['calibration/none', 'calibration/retry-timers']);
    expect(run('calibration', 'none', '2026-11-02').regressed).toBe("heapUsed slope [40.0, 60.0] moved above the baseline's [-2.0, 4.0] by 36.0 > δ 32.0 B/request");
    expect(run('calibration', 'retry-timers', '2026-11-02').regressed).toMatch(/^handle type Timeout newly growing: LEAK Δ \+\d+ now, NO-LEAK Δ \+0 in the baseline$/);
    expect(run('mixed', 'none', '2026-11-02').regressed).toBeNull(); // 6 above, within δ
    expect(run('calibration', 'inflight-map', '2026-11-02').regressed).toBeNull(); // LEAK both nights: not new
    expect(data.proofs.filter((p) => p.regressed !== null).map((p) => p.variant)).toEqual(['inflight-map']);
    expect(data.proofs.find((p) => p.regressed !== null)!.regressed).toMatch(/^proof inflight-map held in the baseline \(2026-11-01 02:40Z\) and fails now: the fixed run still grows/);
    // Night 1 had nothing earlier: not compared, not flagged.
    const held = data.heldTo!;
    expect(held.rule).toMatch(/previous run of its scenario and leak variants/);
    expect(held.runs.filter((h) => h.against === null)).toHaveLength(4);
    expect(held.runs.find((h) => h.id === run('mixed', 'none', '2026-11-02').id)!.checks.find((c) => c.what === 'heapUsed')!.text).toMatch(/6\.0 above, within δ 32\.0/);
    // On the page: the banner, the marks, the table.
    expect(html).toMatch(/id="regressions"[^>]*data-regressions="3"/);
    expect(html).toMatch(/<title>3 regressed — /);
    expect(html).toMatch(/<section id="held-to" data-regressions="3">/);
    expect(html.match(/<tr[^>]*class="regressed"/g)?.length).toBe(3 + 3); // runs + proofs tables, and the comparisons table
    const card = /<div class="group" data-scenario="calibration" data-variant="none"[^]*?<\/svg>/.exec(html)![0];
    expect(card.match(/class="reg"/g)?.length).toBe(1);

    // merge.json: where each run came from, its host, its comparison.
    const manifest = JSON.parse(readFileSync(join(out, 'merge.json'), 'utf8'));
    expect(manifest.shards.map((s: { name: string; input: string }) => [s.name, s.input])).toEqual([
      ['artifacts-night-2', nightB],
      ['artifacts-night-1', nightA],
    ]);
    expect(manifest.runs.filter((r: { regressions: string[] }) => r.regressions.length > 0)).toHaveLength(2);
    expect(manifest.runs.find((r: { dir: string }) => r.dir === 'artifacts-night-2/soak-calibration/nightly')).toMatchObject({ host: 'runner-b', heldTo: 'artifacts-night-1/soak-calibration/nightly' });

    // JUnit: one testcase per scenario+variant group and per proof variant; the regressions fail with the numbers.
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
    const cases = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"[^>]*?(\/>|>([^]*?)<\/testcase>)/g)].map((m) => ({ id: `${m[1]}/${m[2]}`, body: m[4] ?? '' }));
    expect(cases.map((x) => x.id).sort()).toEqual(['merge.calibration/inflight-map', 'merge.calibration/none', 'merge.calibration/retry-timers', 'merge.mixed/none', 'merge.proof/error-body', 'merge.proof/inflight-map']);
    const failed = cases.filter((x) => x.body.includes('<failure')).map((x) => x.id).sort();
    expect(failed).toEqual(['merge.calibration/none', 'merge.calibration/retry-timers', 'merge.proof/inflight-map']);
    expect(cases.find((x) => x.id === 'merge.calibration/none')!.body).toContain("<failure message=\"calibration-2026-11-02 vs calibration-2026-11-01: heapUsed slope [40.0, 60.0] moved above the baseline's [-2.0, 4.0] by 36.0 &gt; δ 32.0 B/request\"");
    expect(xml).toMatch(/<testsuites name="relay-soak" tests="6" failures="3" errors="0" skipped="0"/);
  });

  it('--baseline: night 2 alone held to night 1\'s merge flags the same regressions; a baseline holding tonight never holds a run to itself', async () => {
    const night1 = await mergeRuns({ inputs: [nightA], out: join(root, 'night-1') });
    expect(night1.regressions).toEqual([]); // one night: nothing earlier to compare with
    expect(night1.judgement.runList.every((x) => x.result.against === null)).toBe(true);
    const r = await mergeRuns({ inputs: [nightB], out: join(root, 'night-2'), baseline: night1.index });
    expect(r.judgement.rule).toContain(`in the baseline ${join(root, 'night-1')}`);
    expect(r.regressions.map((g) => `${g.kind} ${g.group}`).sort()).toEqual(['proof calibration', 'run calibration · none', 'run calibration · retry-timers']);
    expect(r.judgement.runList.every((x) => x.result.against?.where.startsWith(join(root, 'night-1', 'artifacts-night-1')))).toBe(true);
    // A baseline that holds both nights: night 1 finds nothing earlier, night 2 is held to night 1, never to itself.
    const both = await mergeRuns({ inputs: [nightA, nightB], out: join(root, 'both-held-to-both'), baseline: join(root, 'merged') });
    expect(both.regressions.map((g) => `${g.kind} ${g.group}`).sort()).toEqual(['proof calibration', 'run calibration · none', 'run calibration · retry-timers']);
    for (const { run, result } of both.judgement.runList) {
      if (run.startedAt!.startsWith('2026-11-01')) expect(result.note).toBe('no earlier run of its scenario and leak variants in the baseline');
      else expect(result.against?.startedAt?.startsWith('2026-11-01')).toBe(true);
    }
  });

  it('holdRunTo: δ decides; an interval just above the baseline is not a regression', () => {
    const base = newlyLeaking;
    const shifted = structuredClone(base);
    const heap = shifted.memory.find((m) => m.signal === 'heapUsed')!;
    const b = base.memory.find((m) => m.signal === 'heapUsed')!;
    Object.assign(heap, { lower: b.upper! + heap.floor, upper: b.upper! + heap.floor + 10 });
    expect(holdRunTo(shifted, base).find((c) => c.what === 'heapUsed')!.regressed).toBe(false); // exactly δ: not more
    Object.assign(heap, { lower: b.upper! + heap.floor + 0.5 });
    expect(holdRunTo(shifted, base).find((c) => c.what === 'heapUsed')!.regressed).toBe(true);
  });
});

describe('merge: bad input is a usage error naming it, exit 2, nothing written', () => {
  const empty = join(root, 'no-runs');
  mkdirSync(join(empty, 'x'), { recursive: true });
  writeFileSync(join(empty, 'x', 'v-proof.json'), '{}');
  const cases: Array<[string, string[], RegExp]> = [
    ['no folders', ['--out', join(root, 'bad-1')], /soak merge: expected one or more shard folders, got 0 argument/],
    ['a folder that does not exist', [join(root, 'nope'), '--out', join(root, 'bad-2')], new RegExp(`${join(root, 'nope')}: no such folder`)],
    ['a folder with no run in it', [nightA, empty, '--out', join(root, 'bad-3')], /no-runs: no run folders \(a folder holding run\.json\) found here or up to 3 levels down \(1 proof record found, but no run folder\)/],
    ['--out inside an input', [nightA, nightB, '--out', join(nightA, 'merged')], /--out .*artifacts-night-1\/merged is inside the input .*artifacts-night-1: merge never writes into its inputs/],
    ['--out holding an input', [nightA, '--out', root], /--out .* holds the input/],
    ['an input given twice', [nightA, nightA, '--out', join(root, 'bad-4')], /given twice/],
    ['an input inside another', [root, nightA, '--out', join(tmpdir(), `soak-merge-bad-${process.pid}`)], /artifacts-night-1 is inside .*: give each shard once/],
    ['no --out', [nightA], /--out: required/],
    ['--out not empty', [nightA, '--out', join(root, 'merged')], /--out .*merged: exists and is not empty/],
  ];
  it.each(cases)('%s', async (_what, argv, message) => {
    const before = readdirSync(root).sort();
    const c = capture();
    expect(await main(['merge', ...argv], c.io)).toBe(2);
    expect(c.err()).toMatch(message);
    expect(c.out()).toBe('');
    expect(readdirSync(root).sort()).toEqual(before);
    expect(existsSync(join(nightA, 'merged'))).toBe(false);
  });

  it('mergeRuns from code: a SoakError SOAK_ERR_USAGE', async () => {
    const err = await mergeRuns({ inputs: [], out: join(root, 'bad-5') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoakError);
    expect((err as SoakError).code).toBe('SOAK_ERR_USAGE');
    expect(existsSync(join(root, 'bad-5'))).toBe(false);
  });

  it('--help names the exit codes', async () => {
    const c = capture();
    expect(await main(['merge', '--help'], c.io)).toBe(0);
    expect(c.out()).toContain('Usage: npm run soak -- merge <folder>... --out <dir>');
    expect(c.out()).toMatch(/Exit codes:\n {2}0 merged, no regression; 1 merged, a run or proof regressed/);
  });
});
