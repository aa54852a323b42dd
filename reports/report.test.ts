// buildReport on synthetic run folders written to a temp dir: the page exists,
// is self-contained, says what summary.json says, embeds the data, hides keys;
// bad folders throw ReportError naming the file and write nothing; a torn last
// line or a missing summary gives a partial report. (The page in a real
// browser: test/reports/browser.test.ts.)

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checkpoint, ContinuousSample, RunEvent } from '../harness/records.ts';
import type { RunMeta } from '../harness/run/meta.ts';
import { judgeRun, verdictMetaOf } from '../harness/verdict/index.ts';
import { syntheticCheckpoints, syntheticSamples } from '../test/fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../test/fixtures/verdict/synthetic-meta.ts';
import { decodeColumn, encodeColumn, envelope } from './columns.ts';
import { buildReport, ReportError } from './index.ts';
import { PAGE_SCRIPT } from './page-script.ts';
import { isGaugeKey, MAX_GAUGES } from './gauges.ts';
import { redactText } from '../shared/redact.ts';
import { judgeOptionsFor } from './verdict.ts';

const root = mkdtempSync(join(tmpdir(), 'soak-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SECRET = 'sk-test-1234567890abcdef';
const MiB = 2 ** 20;

interface RunSpec {
  leaky?: boolean;
  procOnly?: boolean;
  summary?: boolean;
  outcome?: RunMeta['outcome'];
}

function ndjson(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** A run folder shaped like the harness writes it: 12 checkpoints (2 warm-up), 2-s samples with /proc, load and faults. */
function writeRun(name: string, spec: RunSpec = {}): { dir: string; meta: RunMeta; status: string | null } {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const meta = syntheticMeta({
    runId: name,
    leaks: spec.leaky ? ['inflight-map'] : [],
    target: {
      kind: 'cmd',
      command: `node my-relay.js --port {port} --client-key ${SECRET} --management-key=mk-abcdef123456`,
      pid: 1,
      url: 'http://127.0.0.1:1',
      nodeVersion: 'v24.21.0',
      execArgv: ['--expose-gc'],
      heapSizeLimit: 4 * 2 ** 30,
    },
    harness: { nodeVersion: 'v24.21.0', execArgv: [], argv: ['--scenario', 'calibration', '--rate', '200'] },
    ...(spec.outcome !== undefined ? { outcome: spec.outcome } : {}),
  });
  const phase = (i: number): string => (i < 2 ? 'warm-up' : 'load');
  let checkpoints: Checkpoint[] = syntheticCheckpoints({
    checkpoints: 12,
    phase,
    heapUsed: spec.leaky ? (r) => 500 * r : undefined,
    resourcesAfterGc: (i) => ({ TCPSocketWrap: 4 + (spec.leaky ? i : 0), Timeout: 2 }),
  });
  if (spec.procOnly) checkpoints = checkpoints.map((c) => ({ ...c, procOnly: true, resourcesAfterGc: {}, resourcesBeforeGc: {} }));
  const samples: ContinuousSample[] = syntheticSamples({ durationMs: 240_000, phase: (t) => (t < 40_000 ? 'warm-up' : 'load') }).map((s, i) => ({
    ...s,
    probe: spec.procOnly ? null : s.probe && { ...s.probe, resources: { TCPSocketWrap: 4 + (i % 3) } },
    proc: { rss: 130 * MiB + i * 4096, fds: 24, threads: 7, tcp: { ESTABLISHED: 4, LISTEN: 1 }, cpu: { user: i * 1000, system: 0 } },
    load: i === 0 ? null : { requests: 2000, reqPerSec: 1000, latencyMs: { p50: 3, p99: 12, max: 40 }, status: { '2xx': 1990, '3xx': 0, '4xx': 0, '5xx': 10 }, errors: 10, timeouts: 0, mismatches: 0 },
    faults: { '429': i * 3, '503': i },
  }));
  const events: RunEvent[] = [
    { kind: 'event', t: 0, type: 'phase', message: 'warm-up' },
    { kind: 'event', t: 40_000, type: 'phase', message: 'load' },
    { kind: 'event', t: 241_000, type: 'outcome', message: 'completed', data: { authorization: `Bearer ${SECRET}` } },
  ];
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta, null, 2));
  writeFileSync(join(dir, 'checkpoints.ndjson'), ndjson(checkpoints));
  writeFileSync(join(dir, 'samples.ndjson'), ndjson(samples));
  writeFileSync(join(dir, 'events.ndjson'), ndjson(events));
  let status: string | null = null;
  if (spec.summary !== false) {
    const verdict = judgeRun(verdictMetaOf(meta, { heapSizeLimit: 4 * 2 ** 30 }), checkpoints, samples, judgeOptionsFor(meta));
    status = verdict.status;
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ verdict, recordVersion: 1, runId: name, outcome: meta.outcome, checkpoints: 12, samples: samples.length, wallMs: 241_000 }));
  }
  return { dir, meta, status };
}

function embedded(html: string): { format: number; checkpoints: { n: number; cols: Record<string, unknown> }; samples: { n: number }; verdict: { status: string } | null } {
  const m = /<script type="application\/octet-stream" id="data" data-format="1"[^>]*>([A-Za-z0-9+/=]+)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(gunzipSync(Buffer.from(m![1]!, 'base64')).toString('utf8'));
}

function attr(html: string, id: string, name: string): string | null {
  const tag = new RegExp(`<[a-z]+[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  return tag === undefined ? null : (new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? null);
}

describe('buildReport', () => {
  it('writes <runDir>/report.html: self-contained, the banner says what summary.json says, the data embedded', async () => {
    const run = writeRun('leaky', { leaky: true });
    const r = await buildReport(run.dir);
    expect(r.file).toBe(join(run.dir, 'report.html'));
    expect(existsSync(r.file)).toBe(true);
    const html = readFileSync(r.file, 'utf8');
    expect(r.bytes).toBe(Buffer.byteLength(html));
    expect(r.partial).toBe(false);
    expect(r.reason).toBeNull();
    expect(run.status).toBe('LEAK');
    expect(attr(html, 'verdict', 'data-status')).toBe(run.status);
    expect(html).not.toContain('id="partial"');
    // No script, stylesheet, image or link from any origin; the CSP forbids fetches anyway.
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    expect(html).toContain('uPlot'); // inlined
    expect(attr(html, 'data', 'data-builder-node')).toBe(process.version);
    const data = embedded(html);
    expect(data.format).toBe(1);
    expect(data.checkpoints.n).toBe(12);
    expect(data.samples.n).toBe(121);
    expect(data.verdict?.status).toBe('LEAK');
    expect(Object.keys(data.checkpoints.cols)).toEqual(expect.arrayContaining(['heapUsed', 'rss', 'fit', 'fitLo', 'fitHi', 'judged']));
    // Drawn: every chart but the /metrics gauges (this target has none).
    expect(html.match(/class="chart"/g)?.length).toBe(9);
    expect(html).toMatch(/id="chart-gauges" data-skipped="true"[^]*?Not drawn: the target exposes no \/metrics gauge that moved/);
    expect(html).toContain('data-chart="gc"');
    expect(html).toContain('npm run soak -- --scenario calibration --seed 1 --accounts 1000 --duration 320s --leak inflight-map --target-cmd');
    expect(html).toContain('--rate 200');
  });

  it('never shows a key: --client-key/--management-key values and sk-/mk- tokens are redacted, in the HTML and in the data', async () => {
    const run = writeRun('secrets');
    const r = await buildReport(run.dir);
    const html = readFileSync(r.file, 'utf8');
    const json = JSON.stringify(embedded(html));
    for (const text of [html, json]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('mk-abcdef123456');
      expect(text).toContain('--client-key [redacted]');
    }
    expect(redactText('a --client-key "x y" b')).toBe('a --client-key [redacted] b');
  });

  it('a /proc-only run: charts without data are skipped with a note, the others drawn', async () => {
    const run = writeRun('proc-only', { procOnly: true });
    const html = readFileSync((await buildReport(run.dir)).file, 'utf8');
    expect(attr(html, 'verdict', 'data-status')).toBe(run.status);
    expect(html).toMatch(/id="chart-eventloop" data-skipped="true"[^]*?Not drawn: no probe in the target/);
    expect(html).toContain('data-chart="memory"');
    expect(html).toContain('data-chart="tcp"');
  });

  it('options.out writes elsewhere and leaves the run folder alone', async () => {
    const run = writeRun('out');
    const out = join(root, 'elsewhere', 'r.html');
    const r = await buildReport(run.dir, { out });
    expect(r.file).toBe(out);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(join(run.dir, 'report.html'))).toBe(false);
  });

  it('a torn last line and no summary.json: a partial report, judged from the records', async () => {
    const run = writeRun('torn', { leaky: true, summary: false });
    const samples = readFileSync(join(run.dir, 'samples.ndjson'), 'utf8');
    writeFileSync(join(run.dir, 'samples.ndjson'), samples.slice(0, samples.length - 300));
    writeFileSync(join(run.dir, 'run.json'), JSON.stringify({ ...run.meta, outcome: null, endedAt: null }));
    const r = await buildReport(run.dir);
    expect(r.partial).toBe(true);
    expect(r.reason).toMatch(/no summary\.json/);
    expect(r.reason).toMatch(/torn last line in samples\.ndjson \(line 121/);
    const html = readFileSync(r.file, 'utf8');
    expect(html).toContain('id="partial"');
    expect(attr(html, 'verdict', 'data-status')).toBe('LEAK');
    expect(html).toContain('judged from the records');
    expect(embedded(html).samples.n).toBe(120);
  });

  it('a summary.json with an interrupted outcome, or only a torn line: partial, with the summary verdict', async () => {
    const run = writeRun('interrupted', { outcome: { status: 'interrupted', signal: 'SIGINT' } });
    const r = await buildReport(run.dir);
    expect(r.partial).toBe(true);
    expect(r.reason).toContain('run interrupted (SIGINT)');
    expect(attr(readFileSync(r.file, 'utf8'), 'verdict', 'data-status')).toBe(run.status);

    const torn = writeRun('torn-events');
    writeFileSync(join(torn.dir, 'events.ndjson'), readFileSync(join(torn.dir, 'events.ndjson'), 'utf8') + '{"kind":"event","t":2');
    const t = await buildReport(torn.dir);
    expect(t.partial).toBe(true);
    expect(t.reason).toMatch(/torn last line in events\.ndjson \(line 4/);
  });

  describe('bad input throws ReportError naming the file, and writes nothing', () => {
    const cases: Array<[string, (dir: string) => void, RegExp]> = [
      ['a folder that does not exist', () => {}, /no such run folder/],
      ['a folder with no run.json', (dir) => mkdirSync(dir), /run\.json: missing/],
      ['a run.json that is not JSON', (dir) => {
        mkdirSync(dir);
        writeFileSync(join(dir, 'run.json'), '{"runId": ');
      }, /run\.json: not JSON/],
      ['a run.json that is not an object', (dir) => {
        mkdirSync(dir);
        writeFileSync(join(dir, 'run.json'), '[1, 2]');
      }, /run\.json: expected a JSON object/],
    ];
    for (const [what, make, message] of cases) {
      it(what, async () => {
        const dir = join(root, `bad-${what.replace(/\W+/g, '-')}`);
        make(dir);
        const err = await buildReport(dir).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ReportError);
        expect((err as ReportError).code).toBe('SOAK_ERR_REPORT_INPUT');
        expect((err as ReportError).message).toMatch(message);
        expect((err as ReportError).message).toContain(dir);
        expect(existsSync(join(dir, 'report.html'))).toBe(false);
      });
    }

    it('an unreadable line that is not the last: file and line named', async () => {
      const run = writeRun('bad-middle');
      const lines = readFileSync(join(run.dir, 'checkpoints.ndjson'), 'utf8').split('\n');
      lines[2] = lines[2]!.slice(0, 40);
      writeFileSync(join(run.dir, 'checkpoints.ndjson'), lines.join('\n'));
      const err = await buildReport(run.dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReportError);
      expect((err as ReportError).message).toContain(`${join(run.dir, 'checkpoints.ndjson')}:3: not a JSON record`);
      expect((err as ReportError).line).toBe(3);
      expect(existsSync(join(run.dir, 'report.html'))).toBe(false);
    });

    it('a complete record of the wrong shape, even on the last line', async () => {
      const run = writeRun('bad-shape');
      writeFileSync(join(run.dir, 'samples.ndjson'), readFileSync(join(run.dir, 'samples.ndjson'), 'utf8') + '"just a string"\n');
      const err = await buildReport(run.dir).catch((e: unknown) => e);
      expect((err as ReportError).message).toContain('samples.ndjson:122: not a JSON object');
      expect(existsSync(join(run.dir, 'report.html'))).toBe(false);
    });
  });
});

/** Rewrite one NDJSON file of a run folder record by record. */
function rewrite(dir: string, file: string, fn: (r: any, i: number) => unknown): void {
  const lines = readFileSync(join(dir, file), 'utf8').trim().split('\n');
  writeFileSync(join(dir, file), ndjson(lines.map((l, i) => fn(JSON.parse(l), i))));
}

describe("the target's own /metrics gauges, events and restarts on the charts", () => {
  it('charts the gauges that moved at the drained checkpoints, by name; counters, capacities and flat gauges are left out', async () => {
    const run = writeRun('gauges', { leaky: true });
    const gauges = (i: number) => ({
      'relay_structure_entries{structure="inflight_requests"}': 40 * i,
      'relay_structure_entries{structure="auth_index_map"}': 1000,
      'relay_structure_capacity{structure="idempotency_cache"}': 1000 + i,
      'relay_requests_total{route="chat_completions",status="200"}': 2000 * i,
      'relay_upstream_pool{field="connected"}': 4 + (i % 2),
    });
    rewrite(run.dir, 'checkpoints.ndjson', (c, i) => ({ ...c, relay: gauges(i) }));
    rewrite(run.dir, 'samples.ndjson', (s, i) => ({ ...s, relay: gauges(Math.floor(i / 10)) }));
    const html = readFileSync((await buildReport(run.dir)).file, 'utf8');
    expect(html).toContain('data-chart="gauges"');
    expect(html).toContain('Read at the drained checkpoints');
    const data = embedded(html);
    const cols = Object.keys(data.checkpoints.cols).filter((k) => k.startsWith('m:'));
    expect(cols.sort()).toEqual(['m:relay_structure_entries{structure="inflight_requests"}', 'm:relay_upstream_pool{field="connected"}']);
    expect(decodeColumn(data.checkpoints.cols['m:relay_structure_entries{structure="inflight_requests"}'] as never)).toEqual(Array.from({ length: 12 }, (_, i) => 40 * i));
  });

  it('at most MAX_GAUGES series, the ones that moved most; the caption says how many were left out', async () => {
    const run = writeRun('many-gauges');
    const gauges = (i: number) => Object.fromEntries(Array.from({ length: MAX_GAUGES + 6 }, (_, k) => [`go_thing_${String(k).padStart(2, '0')}`, 100 + i * k]));
    rewrite(run.dir, 'checkpoints.ndjson', (c, i) => ({ ...c, relay: gauges(i) }));
    const html = readFileSync((await buildReport(run.dir)).file, 'utf8');
    const cols = Object.keys(embedded(html).checkpoints.cols).filter((k) => k.startsWith('m:'));
    expect(cols).toHaveLength(MAX_GAUGES);
    // k = 0 never moves; the 5 slowest movers after it are the ones left out.
    expect(cols).not.toContain('m:go_thing_00');
    expect(cols).not.toContain('m:go_thing_05');
    expect(cols).toContain('m:go_thing_06');
    expect(html).toContain('5 more moving series are left out');
  });

  it('a probe GC count that goes back is an inferred restart: listed with the events and marked, like warnings; a completed outcome is not marked', async () => {
    const run = writeRun('restart');
    rewrite(run.dir, 'samples.ndjson', (s, i) => (s.probe ? { ...s, probe: { ...s.probe, gc: { ...s.probe.gc, count: i < 60 ? 10 * i : i - 60 } } } : s));
    rewrite(run.dir, 'events.ndjson', (e) => e);
    writeFileSync(join(run.dir, 'events.ndjson'), readFileSync(join(run.dir, 'events.ndjson'), 'utf8') + ndjson([{ kind: 'event', t: 100_000, type: 'warning', message: 'sample failed: probe timed out' }]));
    const html = readFileSync((await buildReport(run.dir)).file, 'utf8');
    const rows = /<section id="events">[^]*?<\/section>/.exec(html)?.[0] ?? "";
    expect(rows, rows).toMatch(/<tr class="warn"><td class="num">120\.0 s<\/td><td>restart<\/td><td>target restarted\? the probe&#39;s cumulative GC count went back/);
    const marks = (embedded(html) as unknown as { marks: Array<{ t: number; type: string }> }).marks;
    expect(marks.map((m) => [m.type, m.t])).toEqual([['warning', 100_000], ['restart', 120_000]]);
  });

  it('load and faults per phase: the plan beside what the samples counted (requests by class, faults injected in the phase)', async () => {
    const run = writeRun('phase-load');
    const html = readFileSync((await buildReport(run.dir)).file, 'utf8');
    const table = /<table id="phase-load-table"[^]*?<\/table>/.exec(html)?.[0] ?? '';
    // load: samples 20..120, 101 windows of 2 000 requests (1 990 2xx, 10 5xx) and 10 connection errors:
    // 203 010 attempts, 200 990 correct; with 404 failing faults injected in the phase, the 1 010 5xx answers are
    // excused whole and the 1 010 connection errors up to 404 (harness/verdict/served.ts): 99.7 %, shown as 100 %.
    const loadRow = /<tr><th scope="row">load[^]*?<\/tr>/.exec(table)?.[0] ?? '';
    expect(loadRow).toContain('<td class="num">100 %</td><td class="num">203,010</td><td class="num">200,990</td>');
    expect(loadRow).toContain('1,010 <span class="muted">(0.5 %)</span>');
    // Faults: cumulative 3·i of 429 and i of 503 → 360 − 57 and 120 − 19 in the load phase.
    expect(loadRow).toContain('429: 303, 503: 101');
    // The served-load line: the verdict's rule (summary.json's verdict carries it).
    const served = /<p id="served"[^>]*>[^<]*/.exec(html)?.[0] ?? '';
    expect(served, served).toMatch(/data-served="served" class="">the target answered (99\.\d|100) % of \d+ non-fault requests correctly \(at least 90 % needed, in every phase\)/);
  });

  it('gauge keys: levels only', () => {
    expect(isGaugeKey('relay_structure_entries{structure="x"}')).toBe(true);
    expect(isGaugeKey('process_open_fds')).toBe(true);
    for (const k of ['relay_requests_total{a="b"}', 'http_duration_seconds_bucket{le="1"}', 'x_sum', 'x_count', 'relay_structure_capacity{structure="x"}', 'build_info']) expect(isGaugeKey(k)).toBe(false);
  });
});

describe('page pieces', () => {
  it('reports/ reads run folders only: no import of relay/, mocks/, harness/load or harness/judge', () => {
    const offenders: string[] = [];
    for (const f of readdirSync(import.meta.dirname).filter((n) => n.endsWith('.ts'))) {
      for (const m of readFileSync(join(import.meta.dirname, f), 'utf8').matchAll(/from '([^']+)'/g)) {
        if (/(^|\/)(relay|mocks)\/|harness\/(load|judge)\//.test(m[1]!)) offenders.push(`${f}: ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });


  it('the in-page script parses', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
    expect(PAGE_SCRIPT).not.toMatch(/<\/script/i);
  });

  it('columns: deltas round-trip, nulls kept; the envelope bounds rows and keeps a spike', () => {
    const values = [5, null, 7, 7, 1_000_000, null, 3];
    expect(decodeColumn(encodeColumn(values))).toEqual(values);
    expect(encodeColumn([1.23456, null])).toEqual([1.235, null]);
    const env = envelope(64);
    for (let i = 0; i < 1000; i++) env.add(i * 1000, 0, { rss: i === 777 ? 1e9 : 100 + i, 'has:probe': 1 });
    const { rows, factor } = env.finish();
    expect(factor).toBe(16); // 1000 rows into < 64 buckets
    expect(rows.length).toBeLessThanOrEqual(128);
    expect(Math.max(...rows.map((r) => r.row.rss!))).toBe(1e9);
    expect(rows[0]!.t).toBe(0);
    expect(rows[rows.length - 1]!.t).toBe(999_000);
  });
});
