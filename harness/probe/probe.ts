// The soak probe: preloaded into the measured process with
//   node --import /abs/path/harness/probe/probe.ts target.js
// (directly, or through NODE_OPTIONS for a target started by a shell command).
//
// It runs inside the process it measures, so it is built to be small and
// constant: node: built-ins only, nothing per request of the target, heap
// snapshots only when asked after the judged run, no JS callback per GC, and every handle it owns is unref'd (it
// never keeps the target alive, and process.getActiveResourcesInfo(), which
// lists ref'd handles only, never sees it).
//
// It activates only when SOAK_PROBE_SOCKET names a Unix socket path (and, when
// SOAK_PROBE_MATCH is set, only in a process whose argv contains that text, so
// a wrapper like `npm run relay` does not claim the socket meant for the relay
// it spawns). Otherwise importing it does nothing at all. The process that
// claims the socket removes both variables from its environment, so its own
// Node children do not also try. Protocol: ./protocol.ts and ./README.md.

import { rmdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import { RelaySoakError } from '../../shared/errors.ts';
import inspector from 'node:inspector';
import { createServer, type Server, type Socket } from 'node:net';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Counts, MemoryFigures, ProbeSample } from '../records.ts';
import type { ProbeCheckpoint, ProbeErrorBody, ProbeHandleGroup, ProbeHandles, ProbeInfo, ProbeResponse, ProbeSite, ProbeSites, ProbeSitesStatus, ProbeSnapshot } from './protocol.ts';

/** Coarse on purpose: 50 timer wake-ups per second; delays below it are not measured. */
const EVENT_LOOP_RESOLUTION_MS = 20;
/**
 * Event-loop turns a checkpoint waits after each forced GC. Measured on Node
 * 24.21: a fetch() Response dropped unread releases its socket 3 turns after
 * the GC that collects it (finalizer task → stream cancel → socket destroy →
 * close callback), and only a second GC after those turns collects the rest
 * of a batch. 5 leaves a margin; a drained process runs 5 turns in < 1 ms.
 */
const SETTLE_TURNS = 5;
/** A request line is a few dozen bytes; anything this long is not our harness. */
const MAX_LINE_CHARS = 64 * 1024;
/**
 * GCProfiler keeps every GC record (≈ 4 KB of JSON each) until stop(). Samples
 * fold it; this unref'd timer folds it when nobody samples, so memory stays
 * bounded in a 24 h run even without a harness connected.
 */
const GC_FOLD_INTERVAL_MS = 10_000;
/** GC kinds that complete a collection; the others are steps of one (marking, weak callbacks). */
const COLLECTIONS = new Set(['Scavenge', 'MinorMarkSweep', 'MarkSweepCompact']);

type ForceGc = () => void;

/**
 * A function that forces a full, synchronous GC, or null. A target started
 * without --expose-gc has no global gc(): setting the V8 flag at run time only
 * affects contexts created afterwards, so a fresh vm context hands us its gc
 * (it collects the whole isolate, not just that context). The flag is turned
 * off again so the target's own vm contexts do not start seeing a gc global.
 */
function acquireGc(): ForceGc | null {
  const native = (globalThis as { gc?: unknown }).gc;
  if (typeof native === 'function') return native as ForceGc;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fromContext: unknown = vm.runInNewContext('gc');
    return typeof fromContext === 'function' ? (fromContext as ForceGc) : null;
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/**
 * Cumulative GC figures from v8.GCProfiler, chosen over a PerformanceObserver
 * on 'gc' entries because it records in C++ (no JS callback, no
 * PerformanceEntry allocated in the measured heap per GC) and it is the only
 * source of the heap size before and after each GC, which the allocation
 * estimate needs: Node 24's v8.getHeapStatistics() has no allocation counter.
 *
 * allocated ≈ Σ (usedHeap before GC i − usedHeap after GC i−1) + growth since
 * the last GC. It is an estimate: objects allocated and freed within one
 * incremental-marking step are not seen, and the probe's own answers count.
 */
class GcAccounting {
  #profiler: v8.GCProfiler;
  #count = 0;
  #majorCount = 0;
  #costUs = 0;
  #allocatedBeforeLastGc = 0;
  #usedAfterLastGc: number;
  #lastFold = performance.now();

  constructor() {
    this.#usedAfterLastGc = v8.getHeapStatistics().used_heap_size;
    this.#profiler = new v8.GCProfiler();
    this.#profiler.start();
  }

  /** Moves the profiler's records into the totals and starts a fresh profiler. */
  fold(): void {
    // Start the next profiler before stopping this one: stop() parses a JSON
    // string of every record, which allocates and can trigger GCs that the
    // next profiler must see. stop() detaches its callbacks before it builds
    // that string, so no GC is counted twice.
    const next = new v8.GCProfiler();
    next.start();
    const { statistics } = this.#profiler.stop();
    this.#profiler = next;
    this.#lastFold = performance.now();
    for (const gc of statistics) {
      if (COLLECTIONS.has(gc.gcType)) this.#count++;
      if (gc.gcType === 'MarkSweepCompact') this.#majorCount++;
      this.#costUs += gc.cost;
      const grown = gc.beforeGC.heapStatistics.usedHeapSize - this.#usedAfterLastGc;
      if (grown > 0) this.#allocatedBeforeLastGc += grown;
      this.#usedAfterLastGc = gc.afterGC.heapStatistics.usedHeapSize;
    }
  }

  stop(): void {
    this.#profiler.stop();
  }

  foldIfStale(): void {
    if (performance.now() - this.#lastFold >= GC_FOLD_INTERVAL_MS) this.fold();
  }

  /** Totals as of now; `heapUsed` is the current used heap size. */
  totals(heapUsed: number): { gc: ProbeSample['gc']; allocatedBytes: number } {
    this.fold();
    const sinceLastGc = Math.max(0, heapUsed - this.#usedAfterLastGc);
    return {
      gc: { count: this.#count, timeMs: this.#costUs / 1000, majorCount: this.#majorCount },
      allocatedBytes: this.#allocatedBeforeLastGc + sinceLastGc,
    };
  }
}

/**
 * Event-loop delay, measured by an unref'd JS interval timer: how late each
 * tick fires. Not perf_hooks.monitorEventLoopDelay: its reset() also forgets
 * the previous tick's time, so the first interval after each sample is never
 * recorded, and a stall that starts right after a sample (exactly what a
 * harness sampling every second would catch) vanishes. Here the previous
 * tick's time survives the reset. One callback every 20 ms costs ≈ 1 µs.
 */
class LoopDelayMonitor {
  readonly #histogram: RecordableHistogram = createHistogram();
  readonly #timer: NodeJS.Timeout;
  #lastTick = performance.now();

  constructor() {
    this.#timer = setInterval(() => {
      const now = performance.now();
      // Recorded in µs (the histogram takes integers ≥ 1).
      this.#histogram.record(Math.max(1, Math.round((now - this.#lastTick - EVENT_LOOP_RESOLUTION_MS) * 1000)));
      this.#lastTick = now;
    }, EVENT_LOOP_RESOLUTION_MS).unref();
  }

  /** Delay figures since the previous call, in ms; then starts a new window. */
  takeWindow(): ProbeSample['eventLoopDelay'] {
    const h = this.#histogram;
    // A tick of 1 µs is "no delay": report 0, not 0.001.
    const ms = (us: number): number => (h.count === 0 || us <= 1 ? 0 : us / 1000);
    const window = { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), mean: h.count === 0 ? 0 : h.mean / 1000 };
    h.reset();
    return window;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Sites sent per checkpoint: enough that a growing site is in every checkpoint's list. */
const TOP_SITES = 40;
/** Bounds on the sampling interval a request may ask for, bytes. */
const MIN_SAMPLING_BYTES = 1024;
const MAX_SAMPLING_BYTES = 64 * 1024 * 1024;

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  id: number;
  children: SamplingNode[];
}

function post<T>(session: inspector.Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

/**
 * Live bytes by allocation site: V8's sampling heap profiler over an
 * in-process inspector session (no --inspect port opened). It samples one
 * allocation per `intervalBytes` on average and keeps the samples of objects
 * still alive, so after the checkpoint's forced GCs the profile is what the
 * heap holds, by the stack that allocated it. Measured (field notes): ≈ 0 %
 * relay CPU per request at 512 KiB, +4 % at 128 KiB, +13 % at 32 KiB;
 * reading it 24–121 ms. The profile lives in V8's native memory; reading it
 * allocates in the JS heap, so the probe reads it after the memory figures.
 */
class HeapSites {
  #session: inspector.Session | null = null;
  #intervalBytes = 0;
  #includeCollected = false;

  get active(): boolean {
    return this.#session !== null;
  }

  async start(intervalBytes: number, includeCollected = false): Promise<ProbeSitesStatus> {
    if (this.#session !== null) {
      // Already on in this mode: unchanged (its interval too), so a second caller cannot reset the samples.
      if (includeCollected === this.#includeCollected) return { active: true, intervalBytes: this.#intervalBytes, includeCollected };
      // One sampling heap profiler per isolate: the other mode means a restart (the old samples go).
      await this.stopped();
    }
    let session: inspector.Session | null = null;
    try {
      session = new inspector.Session();
      session.connect();
      await post(session, 'HeapProfiler.startSampling', {
        samplingInterval: intervalBytes,
        ...(includeCollected ? { includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } : {}),
      });
      this.#session = session;
      this.#intervalBytes = intervalBytes;
      this.#includeCollected = includeCollected;
      return { active: true, intervalBytes, includeCollected };
    } catch (error) {
      session?.disconnect();
      return { active: false, intervalBytes, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async read(): Promise<ProbeSites | undefined> {
    const session = this.#session;
    if (session === null) return undefined;
    const started = performance.now();
    const { profile } = await post<{ profile: { head: SamplingNode; samples?: { nodeId: number }[] } }>(session, 'HeapProfiler.getSamplingProfile');
    const samplesByNode = new Map<number, number>();
    for (const sample of profile.samples ?? []) samplesByNode.set(sample.nodeId, (samplesByNode.get(sample.nodeId) ?? 0) + 1);
    const sites = new Map<string, ProbeSite>();
    let totalBytes = 0;
    // Depth-first with an explicit stack: the innermost own frame on the way down is carried along.
    const stack: { node: SamplingNode; own: string | null }[] = [{ node: profile.head, own: null }];
    while (stack.length > 0) {
      const { node, own: above } = stack.pop()!;
      const frame = this.#frameText(node.callFrame);
      const own = this.#isOwn(node.callFrame.url) ? frame : above;
      if (node.selfSize > 0) {
        totalBytes += node.selfSize;
        const key = `${own ?? frame}\u0000${frame}`;
        const site = sites.get(key);
        if (site) {
          site.bytes += node.selfSize;
          site.samples += samplesByNode.get(node.id) ?? 0;
        } else {
          sites.set(key, { frame: own ?? frame, alloc: frame, bytes: node.selfSize, samples: samplesByNode.get(node.id) ?? 0 });
        }
      }
      for (const child of node.children) stack.push({ node: child, own });
    }
    const top = [...sites.values()].sort((a, b) => b.bytes - a.bytes).slice(0, TOP_SITES);
    return {
      intervalBytes: this.#intervalBytes,
      ...(this.#includeCollected ? { includeCollected: true } : {}),
      totalBytes,
      siteCount: sites.size,
      top,
      readMs: performance.now() - started,
    };
  }

  stop(): void {
    const session = this.#session;
    this.#session = null;
    if (session === null) return;
    session.post('HeapProfiler.stopSampling', () => session.disconnect());
  }

  /** `sites` with intervalBytes 0 (bench:probe's OFF windows): stopped before the answer, so a restart cannot race it. */
  async stopped(): Promise<ProbeSitesStatus> {
    const session = this.#session;
    this.#session = null;
    if (session !== null) {
      try {
        await post(session, 'HeapProfiler.stopSampling');
      } finally {
        session.disconnect();
      }
    }
    return { active: false, intervalBytes: 0 };
  }

  /** The target's own code: a file outside node_modules, not Node's internals, not this probe. */
  #isOwn(url: string): boolean {
    // Not import.meta.url for "this probe": the inspector-loaded copy (bundle.ts) is a plain script.
    if (url === '' || url.endsWith('/harness/probe/probe.ts') || url.startsWith('node:')) return false;
    if (!url.startsWith('file://') && !url.startsWith('/')) return false;
    return !url.includes('/node_modules/');
  }

  #frameText(frame: SamplingNode['callFrame']): string {
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    if (frame.url === '') return name;
    let file = frame.url.startsWith('file://') ? decodeURIComponent(frame.url.slice('file://'.length)) : frame.url;
    const cwd = `${process.cwd()}/`;
    if (file.startsWith(cwd)) file = file.slice(cwd.length);
    return `${name} (${file}:${frame.lineNumber + 1})`;
  }
}

function memoryFigures(): MemoryFigures {
  // memoryUsage() walks V8's heap pages (≈ 10 µs here): fine once per sample,
  // never per request.
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

/**
 * Used bytes per V8 heap space (≈ 16 µs). Spaces at 0 are left out.
 */
function heapSpaceFigures(): Counts {
  const out: Counts = {};
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_used_size > 0) out[s.space_name] = s.space_used_size;
  return out;
}

const sum = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);

/**
 * memoryUsage() and the heap spaces as one consistent pair, once per
 * checkpoint. Read back to back they usually add up within a few hundred
 * bytes, but V8's concurrent sweeper finishes pages after a forced GC, and
 * about 1 pair in 200 (Node 24.21, GC forced twice as below) differed by up
 * to 680 kB, failing the test that they agree. Spaces read before and after
 * memoryUsage() that agree bracket it; else read again (at most 4 tries, the
 * last pair taken as it is). Measured over 600 such reads: 4 retries, the
 * pairs within 10.5 kB.
 */
function settledHeapFigures(): { memory: MemoryFigures; heapSpaces: Counts } {
  let before = heapSpaceFigures();
  for (let attempt = 1; ; attempt++) {
    const memory = memoryFigures();
    const after = heapSpaceFigures();
    if (Math.abs(sum(after) - sum(before)) < 16 * 1024 || attempt === 4) return { memory, heapSpaces: after };
    before = after;
  }
}

/** Ref'd handles, requests and timers by type. The probe's own handles are unref'd, so absent. */
function resourceCounts(): Counts {
  const counts: Counts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Option names whose value is a secret (management key, client keys, tokens). */
const SECRET_OPTION = /^--?[\w-]*(key|token|secret|password|passwd|auth)[\w-]*$/i;

/**
 * argv with the values of secret-looking options replaced, in both `--opt v`
 * and `--opt=v` forms: `info` answers end up in run folders and logs, and a
 * relay may take its management key on the command line.
 */
function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    if (arg.startsWith('-') && eq !== -1 && SECRET_OPTION.test(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq)}=<redacted>`);
    } else if (SECRET_OPTION.test(arg) && i + 1 < argv.length) {
      out.push(arg, '<redacted>');
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function fdOf(handleOwner: Server | Socket): number | null {
  const fd = (handleOwner as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

class ProbeError extends RelaySoakError<ProbeErrorBody['code']> {}

class Probe {
  readonly #socketPath: string;
  readonly #exposeGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
  readonly #forceGc = acquireGc();
  readonly #loopDelay = new LoopDelayMonitor();
  readonly #gc = new GcAccounting();
  readonly #sites = new HeapSites();
  readonly #connections = new Set<Socket>();
  readonly #server: Server;
  readonly #foldTimer: NodeJS.Timeout;

  constructor(socketPath: string) {
    this.#socketPath = socketPath;
    this.#foldTimer = setInterval(() => this.#gc.foldIfStale(), GC_FOLD_INTERVAL_MS).unref();
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.on('error', (error: NodeJS.ErrnoException) => this.#giveUp(error));
    this.#server.listen(socketPath, () => {
      // The file outlives a process that exits without closing the server.
      // The folder the harness made for it goes too (harness/run/probe-dir.ts):
      // a harness that was SIGKILLed cannot remove it, but its children still
      // stop gracefully when their stdin pipe closes, and run this.
      process.once('exit', () => {
        try {
          unlinkSync(socketPath);
        } catch {
          // already gone: nothing to clean
        }
        const dir = dirname(socketPath);
        if (basename(dir).startsWith('soak-probe-')) {
          try {
            rmdirSync(dir);
          } catch {
            // not empty, or already removed by the harness
          }
        }
      });
    });
    this.#server.unref();
  }

  /**
   * Unload: stop listening, drop connections and timers, remove the socket.
   * For a probe loaded into a process the harness attached to (it must leave
   * that process as it found it); a preloaded probe ends with its process.
   */
  stop(): void {
    this.#giveUp(null);
    for (const socket of this.#connections) socket.destroy();
    this.#server.close();
    try {
      unlinkSync(this.#socketPath);
    } catch {
      // already gone
    }
  }

  /** Listening failed (path in use, directory missing): the target runs on, unprobed. */
  #giveUp(error: NodeJS.ErrnoException | null): void {
    this.#loopDelay.stop();
    this.#sites.stop();
    this.#gc.stop();
    clearInterval(this.#foldTimer);
    if (error) process.stderr.write(`soak-probe: not active, cannot listen on ${this.#socketPath}: ${error.code ?? error.message}\n`);
  }

  #accept(socket: Socket): void {
    socket.unref();
    socket.setEncoding('utf8');
    this.#connections.add(socket);
    let pending = '';
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim() !== '') void this.#answer(socket, line);
      }
      if (pending.length > MAX_LINE_CHARS) {
        send(socket, { id: null, ok: false, error: { code: 'SOAK_ERR_LINE_TOO_LONG', message: `request line over ${MAX_LINE_CHARS} chars` } });
        pending = '';
        socket.removeAllListeners('data'); // whatever else it sends is dropped
        socket.end();
      }
    });
    // A harness that vanishes mid-answer must not crash the target.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#connections.delete(socket));
  }

  async #answer(socket: Socket, line: string): Promise<void> {
    let id: number | null = null;
    try {
      const request: unknown = JSON.parse(line);
      if (typeof request !== 'object' || request === null) throw new ProbeError('SOAK_ERR_BAD_REQUEST', 'request is not a JSON object');
      const fields = request as RequestFields;
      if (typeof fields.id !== 'number') throw new ProbeError('SOAK_ERR_BAD_REQUEST', 'request field "id" must be a number');
      id = fields.id;
      const data = await this.#run(fields);
      send(socket, { id, ok: true, data });
    } catch (error) {
      const body: ProbeErrorBody =
        error instanceof ProbeError
          ? { code: error.code, message: error.message }
          : error instanceof SyntaxError
            ? { code: 'SOAK_ERR_BAD_REQUEST', message: `request is not JSON: ${error.message}` }
            : { code: 'SOAK_ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
      send(socket, { id, ok: false, error: body });
    }
  }

  #run(fields: RequestFields): ProbeSample | ProbeInfo | ProbeSnapshot | ProbeHandles | Promise<unknown> {
    const { op, intervalBytes } = fields;
    switch (op) {
      case 'sites': {
        if (intervalBytes === 0) return this.#sites.stopped();
        if (typeof intervalBytes !== 'number' || !Number.isInteger(intervalBytes) || intervalBytes < MIN_SAMPLING_BYTES || intervalBytes > MAX_SAMPLING_BYTES) {
          throw new ProbeError('SOAK_ERR_BAD_REQUEST', `request field "intervalBytes" must be 0 (stop) or an integer in [${MIN_SAMPLING_BYTES}, ${MAX_SAMPLING_BYTES}], got ${JSON.stringify(intervalBytes)}`);
        }
        if (fields.includeCollected !== undefined && typeof fields.includeCollected !== 'boolean') {
          throw new ProbeError('SOAK_ERR_BAD_REQUEST', `request field "includeCollected" must be a boolean, got ${JSON.stringify(fields.includeCollected)}`);
        }
        return this.#sites.start(intervalBytes, fields.includeCollected === true);
      }
      case 'profile':
        // The sampling profile as it stands, without a checkpoint's GCs (the attribution tail's allocation window).
        return this.#sites.read().then((sites) => sites ?? null);
      case 'snapshot':
        return this.#snapshot(fields.path);
      case 'handles':
        return this.#handles();
      case 'sample':
        return this.#sample();
      case 'checkpoint':
        return this.#checkpoint();
      case 'info':
        return this.#info();
      default:
        throw new ProbeError('SOAK_ERR_UNKNOWN_OP', `request field "op" must be sample, checkpoint, info, sites, profile, snapshot or handles, got ${JSON.stringify(op)}`);
    }
  }

  #sample(): ProbeSample {
    const memory = memoryFigures();
    const resources = resourceCounts();
    const cpu = process.cpuUsage();
    const eventLoopDelay = this.#loopDelay.takeWindow();
    const { gc, allocatedBytes } = this.#gc.totals(memory.heapUsed);
    return { memory, resources, eventLoopDelay, cpu: { user: cpu.user, system: cpu.system }, gc, allocatedBytes };
  }

  async #checkpoint(): Promise<ProbeCheckpoint> {
    const forceGc = this.#forceGc;
    if (forceGc === null) throw new ProbeError('SOAK_ERR_GC_UNAVAILABLE', 'this process cannot force a GC (the --expose-gc trick failed)');
    const resourcesBeforeGc = resourceCounts();
    const preGcMemory = memoryFigures();
    const started = performance.now();
    // Twice, with event-loop turns after each: FinalizationRegistry callbacks
    // run in a later task (e.g. fetch releasing the socket of a dropped
    // Response), what they let go of needs the second GC, and handles they
    // close stay listed until their close callback has run.
    forceGc();
    await settle();
    forceGc();
    await settle();
    const forcedGcMs = performance.now() - started;
    const { memory, heapSpaces } = settledHeapFigures();
    const resourcesAfterGc = resourceCounts();
    const { gc, allocatedBytes } = this.#gc.totals(memory.heapUsed);
    // After the figures: reading the profile allocates (its JSON) in this heap.
    const sites = this.#sites.active ? await this.#sites.read() : undefined;
    return { preGcMemory, memory, heapSpaces, resourcesBeforeGc, resourcesAfterGc, gc, allocatedBytes, forcedGcMs, ...(sites ? { sites } : {}) };
  }

  /**
   * A heap snapshot to `path`. Only ever asked for after the judged run (the
   * attribution tail): writing one blocks the loop for seconds and raised peak
   * rss by 257–634 MB in the field notes, so it never sits inside a window
   * the verdict reads.
   */
  #snapshot(path: unknown): ProbeSnapshot {
    if (typeof path !== 'string' || !isAbsolute(path) || !path.endsWith('.heapsnapshot')) {
      throw new ProbeError('SOAK_ERR_BAD_REQUEST', `request field "path" must be an absolute path ending in .heapsnapshot, got ${JSON.stringify(path)}`);
    }
    const started = performance.now();
    const written = v8.writeHeapSnapshot(path);
    return { path: written, bytes: statSync(written).size, heapUsed: process.memoryUsage().heapUsed, ms: performance.now() - started };
  }

  /**
   * The target's libuv handles from process.report (3–4.5 ms measured), which
   * lists unref'd handles too, unlike getActiveResourcesInfo(); grouped by
   * type, ref'd or not and endpoint, so a growing socket count says which
   * peer it is held with. The probe's own Unix sockets are left out by fd.
   */
  #handles(): ProbeHandles {
    const started = performance.now();
    const own = new Set(this.#info().ownFds);
    const report = process.report.getReport() as { libuv?: ReportHandle[] };
    const handles = (report.libuv ?? []).filter((h) => h.type !== 'loop' && !(typeof h.fd === 'number' && own.has(h.fd)));
    // Accepted sockets are told apart by the port they came in on, not by the client's ephemeral port.
    const listening = new Set(handles.filter((h) => h.type === 'tcp' && !h.remoteEndpoint && h.localEndpoint).map((h) => h.localEndpoint!.port));
    const groups = new Map<string, ProbeHandleGroup>();
    let total = 0;
    for (const h of handles) {
      total++;
      const endpoint = h.remoteEndpoint
        ? h.localEndpoint && listening.has(h.localEndpoint.port)
          ? `clients of :${h.localEndpoint.port}`
          : `remote ${endpointText(h.remoteEndpoint)}`
        : h.localEndpoint && h.type === 'tcp'
          ? `local ${endpointText(h.localEndpoint)}`
          : '';
      const referenced = h.is_referenced !== false;
      const key = `${h.type}\u0000${referenced}\u0000${endpoint}`;
      const group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, { type: h.type, referenced, endpoint, count: 1 });
    }
    const sorted = [...groups.values()].sort((a, b) => b.count - a.count).slice(0, MAX_HANDLE_GROUPS);
    return { total, groups: sorted, ms: performance.now() - started };
  }

  #info(): ProbeInfo {
    const ownFds: number[] = [];
    for (const owner of [this.#server, ...this.#connections]) {
      const fd = fdOf(owner);
      if (fd !== null) ownFds.push(fd);
    }
    return {
      pid: process.pid,
      nodeVersion: process.version,
      execArgv: redactArgv(process.execArgv),
      argv: redactArgv(process.argv),
      exposeGc: this.#exposeGc,
      gcAvailable: this.#forceGc !== null,
      ownFds,
      eventLoopResolutionMs: EVENT_LOOP_RESOLUTION_MS,
      heapSizeLimit: v8.getHeapStatistics().heap_size_limit,
    };
  }
}

/** Fields a request may carry (protocol.ts ProbeRequest), unchecked until #run. */
interface RequestFields {
  id?: unknown;
  op?: unknown;
  intervalBytes?: unknown;
  includeCollected?: unknown;
  path?: unknown;
}

/** A libuv handle as process.report lists it (Node 24: only the fields read here). */
interface ReportHandle {
  type: string;
  is_referenced?: boolean;
  fd?: number;
  localEndpoint?: { host?: string; ip4?: string; ip6?: string; port?: number } | null;
  remoteEndpoint?: { host?: string; ip4?: string; ip6?: string; port?: number } | null;
}

/** Groups sent per `handles` answer: a leak of sockets to many peers is still one line each for the largest. */
const MAX_HANDLE_GROUPS = 40;

function endpointText(e: NonNullable<ReportHandle['localEndpoint']>): string {
  const host = e.ip4 ?? e.ip6 ?? e.host ?? '';
  return `${host}:${e.port ?? '?'}`;
}

function send(socket: Socket, response: ProbeResponse): void {
  if (socket.writable) socket.write(`${JSON.stringify(response)}\n`);
}

function shouldActivate(): string | null {
  const socketPath = process.env.SOAK_PROBE_SOCKET;
  if (!socketPath) return null;
  const match = process.env.SOAK_PROBE_MATCH;
  if (match && !process.argv.some((arg) => arg.includes(match))) return null;
  return socketPath;
}

/** Where the active probe can be found for unloading (harness/sampler/inspector-attach.ts). */
const PROBE_KEY = Symbol.for('soak.probe');

const claimedPath = shouldActivate();
if (claimedPath !== null) {
  delete process.env.SOAK_PROBE_SOCKET;
  delete process.env.SOAK_PROBE_MATCH;
  const registry = globalThis as { [PROBE_KEY]?: Probe };
  // Loaded again into a process a previous (killed) harness attached to: one probe at a time.
  registry[PROBE_KEY]?.stop();
  registry[PROBE_KEY] = new Probe(claimedPath);
}
