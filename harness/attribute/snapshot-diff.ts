// Heap snapshots of one process, diffed: which classes gained objects between
// the first and the last, how many bytes per request, one shortest retainer
// path from a GC root for the top rows, and timers by callback `file:line`.
//
// Parser: heap-snapshot-toolkit (DevTools' own snapshot code, no
// dependencies). Measured on Node 24 (field notes): two 36 MiB snapshots parse
// in 0.9 + 0.8 s, 405 MiB peak; `v8-heapsnapshot` fails on Node 24's format and
// @memlab/core pulls in puppeteer. Only the node walk is ours: V8 keeps an
// object's id across snapshots of the same process, so "added" is "id not in
// the first snapshot", as in DevTools' comparison view.
//
// Snapshots are parsed one after another and only aggregates are kept between
// them (per class: count, self bytes; of the first, the set of ids), so three
// relay-sized snapshots never sit in memory at once. Run out of process
// (diff-main.ts): the harness's own heap must not carry the parse.

import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { parse } from 'heap-snapshot-toolkit';
import type { RetainedRow, SnapshotDiffResult, TimerRow } from './types.ts';

/** The parts of DevTools' JSHeapSnapshot this walk uses. */
interface Snap {
  nodeCount: number;
  nodeFieldCount: number;
  createNode(nodeIndex: number): SnapNode;
  getLocation(nodeIndex: number): { scriptId: number; lineNumber: number; columnNumber: number } | null;
}
interface SnapNode {
  nodeIndex: number;
  id(): number;
  name(): string;
  className(): string;
  type(): string;
  selfSize(): number;
  retainedSize(): number;
  distance(): number;
  edges(): EdgeIterator;
  retainers(): EdgeIterator;
}
interface EdgeIterator {
  hasNext(): boolean;
  next(): void;
  item(): SnapEdge;
}
interface SnapEdge {
  name(): string | number;
  type(): string;
  node(): SnapNode;
}

export interface DiffOptions {
  requests: number | null;
  /** Paths under it are shown relative to it. */
  projectRoot: string;
  topNamed?: number;
  topInternal?: number;
}

interface ClassAggregate {
  name: string;
  kind: RetainedRow['kind'];
  count: number;
  selfBytes: number;
}

interface Pass {
  classes: Map<string, ClassAggregate>;
  timers: Map<string, { callback: string; location: string | null; count: number }>;
  totalSelfBytes: number;
  nodes: number;
}

/** Path steps kept: the holder nearest the object says most; the root end is mostly synthetic. */
const MAX_PATH_STEPS = 7;
/** Rows that get a retainer path (each is a walk of the last snapshot). */
const PATHS_FOR = 5;

export function isInternalName(name: string): boolean {
  return name.startsWith('(') || name.startsWith('system /') || name === '';
}

/**
 * The loader waits forever on input that is not a snapshot (measured: a
 * `{"not": …}` file left the parse pending and Node exiting 13 on an unsettled
 * await), so the head is checked first: V8 writes `{"snapshot":` before anything.
 */
function checkSnapshotHead(file: string): void {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, head.length, 0);
    if (!/^\s*\{\s*"snapshot"\s*:/.test(head.subarray(0, n).toString('utf8'))) throw new Error(`${file} is not a V8 heap snapshot (it does not start with {"snapshot":)`);
  } finally {
    closeSync(fd);
  }
}

async function load(file: string): Promise<{ snap: Snap; parseMs: number }> {
  checkSnapshotHead(file);
  const started = performance.now();
  const snap = (await parse(createReadStream(file, 'utf-8'))) as unknown as Snap;
  return { snap, parseMs: performance.now() - started };
}

/** A function's `file:line` from its SharedFunctionInfo's script (Node snapshots have no scriptId → URL table). */
function functionLocation(snap: Snap, fn: SnapNode, root: string): string | null {
  const loc = snap.getLocation(fn.nodeIndex);
  if (!loc) return null;
  const url = scriptUrl(fn);
  return url === null ? null : `${shortPath(url, root)}:${loc.lineNumber + 1}`;
}

function scriptUrl(fn: SnapNode): string | null {
  const shared = edgeTo(fn, 'shared');
  const script = shared ? edgeTo(shared, 'script') : null;
  const name = script?.name() ?? '';
  return name === '' ? null : name;
}

function edgeTo(node: SnapNode, name: string): SnapNode | null {
  for (const it = node.edges(); it.hasNext(); it.next()) {
    const e = it.item();
    if (e.name() === name) return e.node();
  }
  return null;
}

export function shortPath(url: string, root: string): string {
  let file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const prefix = root.endsWith('/') ? root : `${root}/`;
  if (file.startsWith(prefix)) file = file.slice(prefix.length);
  return file;
}

/** The row key and shown name of a node: functions by name and location, everything else by DevTools' class name. */
function classOf(snap: Snap, node: SnapNode, root: string, locations: Map<number, string | null>): { key: string; name: string; kind: RetainedRow['kind'] } {
  if (node.type() === 'closure') {
    const name = `${node.name() || '(anonymous)'}()`;
    let where = locations.get(node.nodeIndex);
    if (where === undefined) {
      where = functionLocation(snap, node, root);
      locations.set(node.nodeIndex, where);
    }
    return { key: `fn\u0000${name}\u0000${where ?? ''}`, name, kind: 'named' };
  }
  const name = node.className();
  return { key: `cls\u0000${name}`, name, kind: isInternalName(name) ? 'internal' : 'named' };
}

/** One pass over a snapshot: per class count and bytes, timers by callback, and (asked for) every object id. */
function aggregate(snap: Snap, root: string, ids: Set<number> | null): Pass {
  const classes = new Map<string, ClassAggregate>();
  const timers = new Map<string, { callback: string; location: string | null; count: number }>();
  const locations = new Map<number, string | null>();
  let totalSelfBytes = 0;
  for (let i = 0; i < snap.nodeCount; i++) {
    const node = snap.createNode(i * snap.nodeFieldCount);
    const self = node.selfSize();
    totalSelfBytes += self;
    ids?.add(node.id());
    const { key, name, kind } = classOf(snap, node, root, locations);
    const agg = classes.get(key);
    if (agg) {
      agg.count++;
      agg.selfBytes += self;
    } else {
      classes.set(key, { name, kind, count: 1, selfBytes: self });
    }
    if (name === 'Timeout' && node.type() === 'object') {
      const fn = edgeTo(node, '_onTimeout');
      if (fn && fn.type() === 'closure') {
        const callback = fn.name() || '(anonymous)';
        const location = functionLocation(snap, fn, root);
        const tkey = `${callback}\u0000${location ?? ''}`;
        const t = timers.get(tkey);
        if (t) t.count++;
        else timers.set(tkey, { callback, location, count: 1 });
      }
    }
  }
  return { classes, timers, totalSelfBytes, nodes: snap.nodeCount };
}

/**
 * One shortest path from a GC root to `target`: at each step the retainer
 * nearest a root (DevTools' distance), never through a weak edge.
 */
function retainerPath(target: SnapNode): NonNullable<RetainedRow['retainerPath']> {
  const steps: { holder: string; edge: string; type: string }[] = [];
  let current = target;
  const seen = new Set<number>([current.nodeIndex]);
  for (let depth = 0; depth < 64; depth++) {
    let best: { node: SnapNode; edge: string; type: string; distance: number } | null = null;
    for (const it = current.retainers(); it.hasNext(); it.next()) {
      const e = it.item();
      const type = e.type();
      if (type === 'weak') continue;
      const holder = e.node();
      if (seen.has(holder.nodeIndex)) continue;
      const distance = holder.distance();
      if (best === null || distance < best.distance) best = { node: holder, edge: String(e.name()), type, distance };
    }
    if (best === null) break;
    const holderName = best.node.type() === 'closure' ? `${best.node.name() || '(anonymous)'}()` : best.node.className();
    steps.unshift({ holder: holderName, edge: best.edge, type: best.type });
    seen.add(best.node.nodeIndex);
    current = best.node;
    if (best.node.type() === 'synthetic') break;
  }
  const leaf = target.type() === 'closure' ? `${target.name() || '(anonymous)'}()` : target.className();
  return { steps, text: pathText(steps, leaf) };
}

/**
 * `SessionStore.#sessions → Map → LeakedSession`: synthetic roots dropped,
 * property edges as `.name`, V8's own containers (`(array)`, `system / …`)
 * and the internal edges into them folded away, at most MAX_PATH_STEPS.
 */
export function pathText(steps: readonly { holder: string; edge: string; type: string }[], leaf: string): string {
  const parts: string[] = [];
  for (const s of steps) {
    if (s.type === 'synthetic' || s.holder.startsWith('(GC roots)') || s.holder.endsWith('roots)') || s.holder === '') continue;
    if (isInternalName(s.holder)) continue;
    const part = s.type === 'property' ? `${s.holder}.${s.edge}` : s.type === 'element' ? `${s.holder}[${s.edge}]` : s.type === 'context' ? `${s.holder} (closure var ${s.edge})` : s.holder;
    if (parts.at(-1) !== part) parts.push(part);
  }
  parts.push(leaf);
  const shown = parts.length > MAX_PATH_STEPS ? ['…', ...parts.slice(-MAX_PATH_STEPS)] : parts;
  return shown.join(' → ');
}

/** Diff 2 or 3 snapshots of the same process, first to last. */
export async function diffSnapshots(files: readonly string[], options: DiffOptions): Promise<SnapshotDiffResult> {
  if (files.length < 2) throw new Error(`need 2 or 3 snapshots, got ${files.length}`);
  const started = performance.now();
  const root = options.projectRoot;
  const requests = options.requests !== null && options.requests > 0 ? options.requests : null;
  const snapshots: SnapshotDiffResult['snapshots'] = [];
  const passes: Pass[] = [];
  const firstIds = new Set<number>();
  let last: Snap | null = null;
  for (const [i, file] of files.entries()) {
    const { snap, parseMs } = await load(file);
    const pass = aggregate(snap, root, i === 0 ? firstIds : null);
    passes.push(pass);
    snapshots.push({ file, bytes: statSync(file).size, nodes: pass.nodes, parseMs: Math.round(parseMs), totalSelfBytes: pass.totalSelfBytes });
    if (i === files.length - 1) last = snap;
  }
  const first = passes[0]!;
  const end = passes.at(-1)!;
  const per = (n: number): number | null => (requests === null ? null : n / requests);
  const rows: (RetainedRow & { key: string })[] = [];
  for (const [key, agg] of end.classes) {
    const was = first.classes.get(key);
    const countDelta = agg.count - (was?.count ?? 0);
    const selfBytesDelta = agg.selfBytes - (was?.selfBytes ?? 0);
    if (countDelta <= 0 && selfBytesDelta <= 0) continue;
    const counts = passes.map((p) => p.classes.get(key)?.count ?? 0);
    const steady = counts.every((c, j) => j === 0 || c > counts[j - 1]!);
    rows.push({
      key,
      name: agg.name,
      kind: agg.kind,
      countDelta,
      selfBytesDelta,
      bytesPerRequest: per(selfBytesDelta),
      retainedBytesAdded: 0,
      retainedBytesPerRequest: null,
      countPerThousandRequests: requests === null ? null : (countDelta * 1000) / requests,
      steady,
    });
  }
  addRetained(last!, rows, firstIds, root);
  for (const r of rows) r.retainedBytesPerRequest = per(r.retainedBytesAdded);
  // By what the added objects keep alive: the holder of a leaked chain outranks the parts it holds.
  rows.sort((a, b) => b.retainedBytesAdded - a.retainedBytesAdded || b.selfBytesDelta - a.selfBytesDelta);
  const named = rows.filter((r) => r.kind === 'named').slice(0, options.topNamed ?? 12);
  const internal = rows.filter((r) => r.kind === 'internal').slice(0, options.topInternal ?? 6);
  attachPathsAndLocations(last!, named.slice(0, PATHS_FOR), firstIds, root);
  const timers: TimerRow[] = [];
  for (const [key, t] of end.timers) {
    const countDelta = t.count - (first.timers.get(key)?.count ?? 0);
    if (countDelta !== 0) timers.push({ callback: t.callback, location: t.location, countDelta, countPerThousandRequests: requests === null ? null : (countDelta * 1000) / requests });
  }
  timers.sort((a, b) => b.countDelta - a.countDelta);
  const totalSelfBytesDelta = end.totalSelfBytes - first.totalSelfBytes;
  const strip = (r: RetainedRow & { key: string }): RetainedRow => {
    const { key: _key, ...row } = r;
    return row;
  };
  return {
    snapshots,
    requests,
    totalSelfBytesDelta,
    bytesPerRequest: per(totalSelfBytesDelta),
    named: named.map(strip),
    internal: internal.map(strip),
    timers,
    diffMs: Math.round(performance.now() - started),
    nodeVersion: process.version,
  };
}

/** Σ retained size of each row's objects added since the first snapshot, in the last one. */
function addRetained(snap: Snap, rows: (RetainedRow & { key: string })[], firstIds: ReadonlySet<number>, root: string): void {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const locations = new Map<number, string | null>();
  for (let i = 0; i < snap.nodeCount; i++) {
    const node = snap.createNode(i * snap.nodeFieldCount);
    if (firstIds.has(node.id())) continue;
    const row = byKey.get(classOf(snap, node, root, locations).key);
    if (row) row.retainedBytesAdded += node.retainedSize();
  }
}

/** For each row: one object added since the first snapshot, its retainer path, and its constructor's or function's location. */
function attachPathsAndLocations(snap: Snap, rows: (RetainedRow & { key: string })[], firstIds: ReadonlySet<number>, root: string): void {
  const wanted = new Map(rows.map((r) => [r.key, r]));
  const locations = new Map<number, string | null>();
  for (let i = 0; i < snap.nodeCount && wanted.size > 0; i++) {
    const node = snap.createNode(i * snap.nodeFieldCount);
    if (firstIds.has(node.id())) continue;
    const { key } = classOf(snap, node, root, locations);
    const row = wanted.get(key);
    if (!row) continue;
    wanted.delete(key);
    row.retainerPath = retainerPath(node);
    const where = node.type() === 'closure' ? locations.get(node.nodeIndex) : objectLocation(snap, node, root);
    if (where) row.location = where;
  }
}

/**
 * An object's location (V8 records its constructor's) as `file:line`. Node
 * snapshots carry a scriptId there and no scriptId → URL table, so the URL is
 * found through a function of the same script (its SharedFunctionInfo's script).
 */
function objectLocation(snap: Snap, node: SnapNode, root: string): string | null {
  const loc = snap.getLocation(node.nodeIndex);
  if (!loc) return null;
  const url = scriptUrlById(snap, loc.scriptId);
  return url === null ? null : `${shortPath(url, root)}:${loc.lineNumber + 1}`;
}

const urlsBySnapshot = new WeakMap<Snap, Map<number, string | null>>();

function scriptUrlById(snap: Snap, scriptId: number): string | null {
  let urls = urlsBySnapshot.get(snap);
  if (!urls) {
    urls = new Map();
    urlsBySnapshot.set(snap, urls);
  }
  const known = urls.get(scriptId);
  if (known !== undefined) return known;
  for (let i = 0; i < snap.nodeCount; i++) {
    const node = snap.createNode(i * snap.nodeFieldCount);
    if (node.type() !== 'closure') continue;
    const loc = snap.getLocation(node.nodeIndex);
    if (loc?.scriptId !== scriptId) continue;
    const url = scriptUrl(node);
    if (url !== null) {
      urls.set(scriptId, url);
      return url;
    }
  }
  urls.set(scriptId, null);
  return null;
}
