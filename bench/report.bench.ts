// npm run bench:report — what a report costs for the longest run it is made
// for: an 8-hour soak sampled at 1 Hz (28 800 samples), synthesised from a
// real run folder's record shapes (`--from DIR`: its first samples and
// checkpoints, relay gauges and all) or from a small built-in shape, written
// to a temp folder, then `buildReport`. Budgets, side by side:
//
//   build time < 5 s · file < 5 MB · first chart drawn in Chromium < 2 s after
//   navigation · a 5-minute run's report < 1 MB
//
// and, to show the samples are streamed, the build's peak RSS next to the
// size of samples.ndjson and a second build with the JS heap capped at 64 MiB
// (a build that held the samples would die of it). Builds run in a child
// (`--build DIR`): their figures are their own, not the generator's. The
// browser figure is skipped, with a line saying so, when there is no Chromium.
//
//   npm run bench:report [-- --hours 8 --rate-hz 1 --from /tmp/s5/prove-error-body/error-body-leaky]
//
// Run alone: `flock /tmp/soak-bench.lock npm run bench:report`.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { Checkpoint, ContinuousSample, RunEvent } from '../harness/records.ts';
import type { RunMeta } from '../harness/index.ts';
import { judgeRun, verdictMetaOf } from '../harness/verdict/index.ts';
import { buildReport } from '../reports/index.ts';
import { judgeOptionsFor } from '../reports/verdict.ts';
import { HELP_FLAG, type FlagSpecs } from '../shared/cli/flags.ts';
import { SoakError, usageError } from '../harness/errors.ts';
import { interruptOf, orInterrupt, runCommand, runMain, throwIfInterrupted, type Command, type CommandIo } from '../harness/cli/command.ts';

const BUDGETS = { buildMs: 5_000, bytes: 5_000_000, firstChartMs: 2_000, shortBytes: 1_000_000 };
const CHROMIUM = process.env.SOAK_CHROMIUM ?? '/usr/bin/chromium';
const CHECKPOINT_EVERY_MS = 5 * 60_000; // an 8-hour run: 96 checkpoints
const SHORT_RUN_MS = 5 * 60_000;
const MiB = 2 ** 20;
const TEMPLATE_RECORDS = 12;
/** The second build's old-space cap: far below what 28 800 parsed samples would take (≈ 90 MB on disk, several times that as objects). */
const CAPPED_HEAP_MIB = 64;

const FLAGS = {
  hours: { type: 'number', min: 0.01, max: 48, default: 8, arg: 'H', help: 'length of the long run' },
  'rate-hz': { type: 'number', min: 0.01, max: 20, default: 1, arg: 'HZ', help: 'samples per second' },
  from: { type: 'string', nonEmpty: true, arg: 'dir', help: "a real run folder whose first samples and checkpoints give the records' shape (default: a built-in shape)" },
  build: { type: 'string', nonEmpty: true, arg: 'dir', help: 'child mode: build DIR\'s report and print its figures as one JSON line' },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

// ---------------------------------------------------------------------------
// Record shapes

interface Shape {
  meta: RunMeta;
  samples: ContinuousSample[];
  checkpoints: Checkpoint[];
  source: string;
}

async function firstRecords<T>(file: string, n: number): Promise<T[]> {
  if (!existsSync(file)) throw usageError(`--from: ${file}: missing (expected a run folder)`);
  const out: T[] = [];
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        break; // a torn line: the records before it are shape enough
      }
      if (out.length >= n) break;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (out.length === 0) throw usageError(`--from: ${file}: no records`);
  return out;
}

async function shapeFrom(dir: string): Promise<Shape> {
  const metaFile = join(dir, 'run.json');
  if (!existsSync(metaFile)) throw usageError(`--from: ${metaFile}: missing (expected a run folder)`);
  let meta: RunMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as RunMeta;
  } catch (err) {
    throw usageError(`--from: ${metaFile}: not JSON (${(err as Error).message})`);
  }
  // Records from under load: the first few are the idle start.
  const samples = (await firstRecords<ContinuousSample>(join(dir, 'samples.ndjson'), TEMPLATE_RECORDS * 2)).filter((s) => s.kind === 'sample');
  const checkpoints = (await firstRecords<Checkpoint>(join(dir, 'checkpoints.ndjson'), TEMPLATE_RECORDS)).filter((c) => c.kind === 'checkpoint');
  const loaded = samples.filter((s) => s.load !== null);
  return { meta, samples: loaded.length > 0 ? loaded.slice(0, TEMPLATE_RECORDS) : samples, checkpoints, source: dir };
}

function builtInShape(): Shape {
  const relay: Record<string, number> = {};
  for (let i = 0; i < 40; i++) relay[`relay_structure_entries{structure="s${i}"}`] = i * 10;
  const memory = { rss: 140 * MiB, heapUsed: 40 * MiB, heapTotal: 64 * MiB, external: 6 * MiB, arrayBuffers: 1 * MiB };
  const sample: ContinuousSample = {
    kind: 'sample',
    t: 0,
    phase: 'load',
    proc: { rss: memory.rss, fds: 31, threads: 11, tcp: { ESTABLISHED: 34, LISTEN: 1, TIME_WAIT: 3 }, cpu: { user: 1e6, system: 2e5 } },
    probe: {
      memory,
      resources: { TCPSocketWrap: 34, TCPServerWrap: 1, Timeout: 6, PipeWrap: 2 },
      eventLoopDelay: { p50: 10.1, p99: 14.2, max: 30.5, mean: 10.6 },
      cpu: { user: 1e6, system: 2e5 },
      gc: { count: 100, timeMs: 120.5, majorCount: 4 },
      allocatedBytes: 1e9,
    },
    relay,
    load: { requests: 700, reqPerSec: 700, latencyMs: { p50: 3, p99: 18, max: 60 }, status: { '2xx': 690, '3xx': 0, '4xx': 4, '5xx': 6 }, errors: 0, timeouts: 0, mismatches: 0 },
    faults: { '429': 10, '503': 4, reset: 1 },
    requestsCompleted: 0,
  } as unknown as ContinuousSample;
  const checkpoint = {
    kind: 'checkpoint',
    seq: 0,
    t: 0,
    phase: 'load',
    requestsCompleted: 0,
    events: { requests: 0, '429': 0 },
    drainMs: 40,
    memory,
    preGcMemory: { ...memory, heapUsed: memory.heapUsed + 12 * MiB },
    resourcesBeforeGc: { TCPSocketWrap: 34, TCPServerWrap: 1, Timeout: 6, PipeWrap: 2 },
    resourcesAfterGc: { TCPServerWrap: 1, PipeWrap: 2 },
    fds: 23,
    tcp: { LISTEN: 1 },
    relay,
    gc: { count: 100, timeMs: 120, majorCount: 4 },
    forcedGcMs: 30,
    allocatedBytes: 1e9,
    procOnly: false,
  } as unknown as Checkpoint;
  const meta: RunMeta = {
    recordVersion: 1,
    runId: 'bench',
    scenario: 'mixed',
    resolved: { phases: [], thresholds: { heapUsed: 32 } },
    seed: 42,
    accounts: 5000,
    durationMs: 0,
    leaks: [],
    faultPlans: {},
    target: { kind: 'relay', command: 'node relay/main.ts', pid: 1, url: 'http://127.0.0.1:1', nodeVersion: process.version, execArgv: ['--expose-gc'], heapSizeLimit: 4 * 2 ** 30 },
    harness: { nodeVersion: process.version, execArgv: [], argv: [] },
    gitSha: null,
    machine: { cores: 2, cpuModel: 'bench', memoryBytes: 1, hostname: 'bench', kernel: 'bench' },
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    outcome: { status: 'completed' },
  };
  return { meta, samples: [sample], checkpoints: [checkpoint], source: 'built-in shape' };
}

// ---------------------------------------------------------------------------
// Synthesis: the template records with time, phase, requests, memory and
// cumulative faults moved along; everything else (relay gauges, handle counts)
// as the template has it, so lines are as long as the real ones.

/** Deterministic noise in [-1, 1). */
function noise(i: number): number {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

interface Plan {
  durationMs: number;
  rateHz: number;
  warmupMs: number;
  reqPerSec: number;
}

function phaseAt(t: number, plan: Plan): string {
  return t < plan.warmupMs ? 'warm-up' : 'load';
}

function requestsAt(t: number, plan: Plan): number {
  return Math.round((t / 1000) * plan.reqPerSec);
}

/** Post-GC heap: a slow 200 B/request leak on a flat base; the continuous figures add GC's sawtooth. */
function heapAt(base: number, t: number, plan: Plan, i: number): number {
  return Math.round(base + 200 * requestsAt(t, plan) * 1e-3 + 64 * 1024 * noise(i));
}

function sampleAt(tpl: ContinuousSample, i: number, plan: Plan): ContinuousSample {
  const t = Math.round((i * 1000) / plan.rateHz) + 1000;
  const saw = ((i % 40) / 40) * 24 * MiB;
  const spike = i % 9973 === 5000 ? 300 * MiB : 0; // a rare spike the envelope must keep
  const memory = tpl.probe?.memory;
  const heap = memory ? heapAt(memory.heapUsed, t, plan, i) + saw : 0;
  const rss = (tpl.proc?.rss ?? memory?.rss ?? 120 * MiB) + Math.round(saw / 2) + spike + Math.round(MiB * noise(i + 7));
  const faults: Record<string, number> | null = tpl.faults === null ? null : {};
  if (faults !== null && tpl.faults !== null) {
    let k = 1;
    for (const key of Object.keys(tpl.faults)) faults[key] = Math.floor((i * k++) / 7);
  }
  return {
    ...tpl,
    t,
    phase: phaseAt(t, plan),
    requestsCompleted: requestsAt(t, plan),
    proc: tpl.proc === null ? null : { ...tpl.proc, rss, fds: tpl.proc.fds + (i % 5) },
    probe: tpl.probe === null ? null : { ...tpl.probe, memory: { ...tpl.probe.memory, heapUsed: heap, heapTotal: Math.max(heap, tpl.probe.memory.heapTotal) + 8 * MiB, rss } },
    load: tpl.load === null ? null : { ...tpl.load, reqPerSec: plan.reqPerSec * (1 + 0.05 * noise(i + 3)), latencyMs: tpl.load.latencyMs && { ...tpl.load.latencyMs, p99: Math.max(1, tpl.load.latencyMs.p99 * (1 + 0.3 * noise(i + 5))) } },
    faults,
  };
}

function checkpointAt(tpl: Checkpoint, seq: number, t: number, plan: Plan): Checkpoint {
  const heapUsed = heapAt(tpl.memory.heapUsed, t, plan, seq * 31);
  const memory = { ...tpl.memory, heapUsed, rss: tpl.memory.rss + Math.round(MiB * noise(seq + 11)) };
  return { ...tpl, seq, t, phase: phaseAt(t, plan), requestsCompleted: requestsAt(t, plan), events: { ...tpl.events, requests: requestsAt(t, plan) }, memory, preGcMemory: { ...tpl.preGcMemory, heapUsed: heapUsed + 12 * MiB } };
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function closed(stream: WriteStream): Promise<void> {
  if (stream.closed) return;
  const done = once(stream, 'close');
  stream.end();
  await done;
}

/** Writes the run folder; returns samples.ndjson's size. */
async function synthesise(dir: string, shape: Shape, durationMs: number, rateHz: number, signal: AbortSignal): Promise<{ samples: number; samplesBytes: number; checkpoints: number }> {
  const warmupMs = Math.min(10 * 60_000, Math.round(durationMs * 0.1));
  const reqPerSec = shape.samples.find((s) => s.load !== null)?.load?.reqPerSec ?? 700;
  const plan: Plan = { durationMs, rateHz, warmupMs, reqPerSec: Math.max(1, reqPerSec) };
  const n = Math.floor((durationMs / 1000) * rateHz);
  mkdirSync(dir, { recursive: true });
  const samplesFile = join(dir, 'samples.ndjson');
  const out = createWriteStream(samplesFile);
  const thinned: ContinuousSample[] = []; // for the verdict's churn windows: one a minute, gauges dropped
  const every = Math.max(1, Math.round(60 * rateHz));
  try {
    for (let i = 0; i < n; i++) {
      if (i % 2000 === 0) throwIfInterrupted(signal);
      const s = sampleAt(shape.samples[i % shape.samples.length]!, i, plan);
      await write(out, JSON.stringify(s) + '\n');
      if (i % every === 0) thinned.push({ ...s, relay: null });
    }
  } finally {
    await closed(out);
  }
  const cpEvery = Math.min(CHECKPOINT_EVERY_MS, Math.floor(durationMs / 12));
  const checkpoints: Checkpoint[] = [];
  for (let seq = 0, t = 1000; t <= durationMs + 1000; seq++, t += cpEvery) checkpoints.push(checkpointAt(shape.checkpoints[seq % shape.checkpoints.length]!, seq, t, plan));
  writeFileSync(join(dir, 'checkpoints.ndjson'), checkpoints.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const events: RunEvent[] = [
    { kind: 'event', t: 0, type: 'phase', message: 'warm-up' },
    { kind: 'event', t: warmupMs, type: 'phase', message: 'load' },
    { kind: 'event', t: durationMs + 2000, type: 'outcome', message: 'completed' },
  ];
  writeFileSync(join(dir, 'events.ndjson'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const resolved = { ...((shape.meta.resolved ?? {}) as Record<string, unknown>), phases: [{ name: 'warm-up', kind: 'warm-up', startMs: 0, endMs: warmupMs }, { name: 'load', kind: 'steady', startMs: warmupMs, endMs: durationMs }] };
  const started = Date.parse('2026-01-01T00:00:00.000Z');
  const meta: RunMeta = {
    ...shape.meta,
    runId: `bench-${Math.round(durationMs / 60_000)}min`,
    resolved,
    durationMs,
    startedAt: new Date(started).toISOString(),
    endedAt: new Date(started + durationMs + 2000).toISOString(),
    outcome: { status: 'completed' },
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta, null, 2));
  const verdict = judgeRun(verdictMetaOf(meta, meta.target?.heapSizeLimit ? { heapSizeLimit: meta.target.heapSizeLimit } : {}), checkpoints, thinned, judgeOptionsFor(meta));
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ verdict, recordVersion: 1, runId: meta.runId, scenario: meta.scenario, outcome: meta.outcome, checkpoints: checkpoints.length, samples: n, wallMs: durationMs + 2000 }));
  return { samples: n, samplesBytes: statSync(samplesFile).size, checkpoints: checkpoints.length };
}

// ---------------------------------------------------------------------------
// The build, in a child: its time and peak RSS are the build's alone.

interface BuildFigures {
  ms: number;
  bytes: number;
  file: string;
  /** Peak RSS of the child before the build (node + modules) and over the whole build, bytes. */
  rssBefore: number;
  rssPeak: number;
}

/** The build in a child; `oldSpaceMiB` caps its JS heap (a build that held the samples would die of it). */
async function buildChild(dir: string, signal: AbortSignal, oldSpaceMiB?: number): Promise<BuildFigures> {
  const heap = oldSpaceMiB === undefined ? [] : [`--max-old-space-size=${oldSpaceMiB}`];
  const child = spawn(process.execPath, [...heap, import.meta.filename, '--build', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const onAbort = (): void => void child.kill('SIGTERM');
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    if (signal.aborted) throw interruptOf(signal);
    if (code !== 0) throw new SoakError('SOAK_ERR_CHILD_EXITED', `the build child exited ${code}${oldSpaceMiB === undefined ? '' : ` (heap capped at ${oldSpaceMiB} MiB)`}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(stdout.trim().split('\n').pop()!) as BuildFigures;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Peak resident set so far, bytes: VmHWM from /proc, else resourceUsage's maxRSS. */
function peakRss(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {
    // no /proc
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function buildHere(dir: string, io: CommandIo): Promise<number> {
  const rssBefore = peakRss();
  const started = performance.now();
  const r = await buildReport(dir);
  const ms = performance.now() - started;
  const figures: BuildFigures = { ms, bytes: r.bytes, file: r.file, rssBefore, rssPeak: peakRss() };
  io.stdout.write(JSON.stringify(figures) + '\n');
  return 0;
}

// ---------------------------------------------------------------------------
// Chromium: ms from navigation start to the first `.chart canvas` with drawn pixels.

// The functions passed to page.evaluate run in the page: its globals, not Node's.
declare const document: { querySelector(s: string): PageCanvas | null };
declare const performance: { now(): number };
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

async function firstChartMs(file: string, signal: AbortSignal): Promise<{ ms: number; errors: string[] } | { skipped: string }> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set SOAK_CHROMIUM)` };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The closed network refuses Chromium's own background connections: switch them off.
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await orInterrupt(page.goto(pathToFileURL(file).href, { waitUntil: 'commit' }), signal);
    // performance.now() in the page counts from its navigation start.
    const handle = await orInterrupt(
      page.waitForFunction(
        () => {
          const canvas = document.querySelector('.chart canvas');
          if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
          const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
          if (!data) return false;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) return performance.now();
          return false;
        },
        undefined,
        { polling: 'raf', timeout: 30_000 },
      ),
      signal,
    );
    return { ms: (await handle.jsonValue()) as number, errors };
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;
const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function row(figure: string, value: string, budget: string, verdict: string): string {
  return `${figure.padEnd(52)} ${value.padStart(10)}   ${budget.padEnd(10)} ${verdict}`;
}

const command: Command<typeof FLAGS> = {
  name: 'bench:report',
  usage: 'flock /tmp/soak-bench.lock npm run bench:report -- [--hours 8] [--rate-hz 1] [--from DIR]',
  about: [
    'What a run report costs for the longest run it is made for: an 8-hour soak sampled at 1 Hz (28 800 samples),',
    "synthesised from a real run folder's first samples and checkpoints (--from) or a built-in shape, written to a temp",
    `folder, then buildReport (in a child). Budgets: build < ${BUDGETS.buildMs / 1000} s, file < ${BUDGETS.bytes / 1e6} MB, first chart drawn in headless`,
    `Chromium < ${BUDGETS.firstChartMs / 1000} s after navigation, a 5-minute run's report < ${BUDGETS.shortBytes / 1e6} MB; and, to show the samples are streamed,`,
    `the build's peak RSS against samples.ndjson's size and a second build with the JS heap capped at ${CAPPED_HEAP_MIB} MiB. Run alone. ≈ 10 s.`,
  ],
  flags: FLAGS,
  more: ['--build is how the bench runs the build in a child: it builds DIR/report.html and prints one JSON line of figures.'],
  examples: ['npm run bench:report', 'npm run bench:report -- --from /tmp/s5/prove-error-body/error-body-leaky', 'npm run bench:report -- --hours 1 --rate-hz 2'],
  exitCodes: ['0 figures printed (PASS/FAIL per budget); 2 bad flags or --from is not a run folder (nothing written);', '3 the build child failed; 130/143 interrupted (temp folder removed).'],
  async run({ values, io, signal }) {
    if (values.build !== undefined) return buildHere(resolve(values.build), io);
    const shape = values.from !== undefined ? await shapeFrom(resolve(values.from)) : builtInShape();
    const durationMs = Math.round(values.hours * 3_600_000);
    const rateHz = values['rate-hz'];
    const tmp = mkdtempSync(join(tmpdir(), 'soak-bench-report-'));
    try {
      io.stderr.write(`bench:report: synthesising ${values.hours} h at ${rateHz} Hz from ${shape.source} in ${tmp}\n`);
      const longDir = join(tmp, 'long');
      const genStarted = performance.now();
      const long = await synthesise(longDir, shape, durationMs, rateHz, signal);
      io.stderr.write(`bench:report: ${long.samples} samples (${mb(long.samplesBytes)}), ${long.checkpoints} checkpoints written in ${sec(performance.now() - genStarted)}; building\n`);
      throwIfInterrupted(signal);
      const built = await buildChild(longDir, signal);
      throwIfInterrupted(signal);
      io.stderr.write('bench:report: opening it in Chromium\n');
      const browser = await firstChartMs(built.file, signal);
      io.stderr.write(`bench:report: building it again with the JS heap capped at ${CAPPED_HEAP_MIB} MiB\n`);
      const capped = await buildChild(longDir, signal, CAPPED_HEAP_MIB).then(
        (f) => ({ ok: true as const, ms: f.ms }),
        (err: unknown) => {
          if (signal.aborted) throw interruptOf(signal);
          return { ok: false as const, why: (err as Error).message };
        },
      );
      const shortDir = join(tmp, 'short');
      const short = await synthesise(shortDir, shape, SHORT_RUN_MS, rateHz, signal);
      const shortBuilt = await buildChild(shortDir, signal);

      const pass = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
      const label = `${values.hours} h @ ${rateHz} Hz (${long.samples.toLocaleString('en-US')} samples)`;
      const lines = [
        `bench:report  node ${process.version}  shape: ${shape.source}`,
        row('figure', 'value', 'budget', ''),
        row(`${label}: build time`, sec(built.ms), `< ${BUDGETS.buildMs / 1000} s`, pass(built.ms < BUDGETS.buildMs)),
        row(`${label}: report size`, mb(built.bytes), `< ${BUDGETS.bytes / 1e6} MB`, pass(built.bytes < BUDGETS.bytes)),
        'skipped' in browser
          ? row(`${label}: first chart in Chromium`, '—', `< ${BUDGETS.firstChartMs / 1000} s`, `SKIPPED: ${browser.skipped}`)
          : row(`${label}: first chart in Chromium`, sec(browser.ms), `< ${BUDGETS.firstChartMs / 1000} s`, `${pass(browser.ms < BUDGETS.firstChartMs)}${browser.errors.length > 0 ? ` (page errors: ${browser.errors.join('; ')})` : ''}`),
        row(`5 min @ ${rateHz} Hz (${short.samples} samples): report size`, mb(shortBuilt.bytes), `< ${BUDGETS.shortBytes / 1e6} MB`, pass(shortBuilt.bytes < BUDGETS.shortBytes)),
        row(`${label}: build peak RSS`, `${(built.rssPeak / MiB).toFixed(0)} MiB`, '(info)', `samples.ndjson ${(long.samplesBytes / MiB).toFixed(0)} MiB; the child before the build: ${(built.rssBefore / MiB).toFixed(0)} MiB`),
        row(`${label}: build, heap capped ${CAPPED_HEAP_MIB} MiB`, capped.ok ? sec(capped.ms) : 'died', '(streamed)', capped.ok ? 'PASS: the samples are not held in memory' : `FAIL: ${capped.why}`),
        row(`5 min: build time / peak RSS`, sec(shortBuilt.ms), '(info)', `${(shortBuilt.rssPeak / MiB).toFixed(0)} MiB peak RSS`),
      ];
      io.stdout.write(lines.join('\n') + '\n');
      io.stdout.write(
        JSON.stringify({
          shape: shape.source,
          long: { ...long, buildMs: built.ms, bytes: built.bytes, rssBefore: built.rssBefore, rssPeak: built.rssPeak, cappedHeapBuild: capped, firstChartMs: 'ms' in browser ? browser.ms : null },
          short: { ...short, buildMs: shortBuilt.ms, bytes: shortBuilt.bytes, rssPeak: shortBuilt.rssPeak },
          budgets: BUDGETS,
        }) + '\n',
      );
      return 0;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};

if (import.meta.main) runMain(() => runCommand(command, process.argv.slice(2)), 'bench:report');
