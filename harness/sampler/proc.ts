// What /proc says about a process: works for any target, Node or not, and sees
// what process.getActiveResourcesInfo() misses (unref'd handles, e.g. undici's
// idle pooled sockets, and descriptors owned by native code).
//
// Cost, measured on the 2-core dev machine for a target holding 1 000 TCP
// socket fds: readdir 0.6 ms + readlink ×1 000 3.6 ms + /proc/net/tcp 5.5 ms
// (kernel time, ≈ 5 µs per row of the namespace's whole table) + parse 1 ms.
// Everything is read synchronously on purpose: the cost is the same syscalls
// either way, and the async version would push 1 000 readlinks through
// libuv's 4-thread pool, contending with the harness's own file writes.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Counts, ProcSample, SocketPeer, UnreadSockets } from '../records.ts';
import { SamplerError } from './errors.ts';
import { countTcpStates, parseProcNetTcp, type TcpEntry } from './proc-net-tcp.ts';

/**
 * USER_HZ, the unit of utime/stime in /proc/<pid>/stat. Linux fixes it at 100
 * for user space on every architecture (`getconf CLK_TCK`), whatever the
 * kernel's internal HZ, so no per-sample shell-out is needed.
 */
export const CLOCK_TICKS_PER_SECOND = 100;
const MICROS_PER_TICK = 1_000_000 / CLOCK_TICKS_PER_SECOND;

export interface ReadProcOptions {
  /**
   * Descriptors not to count (and whose sockets not to classify): the probe's
   * own, from its `info` answer, so fd counts show the target's own only.
   */
  excludeFds?: Iterable<number>;
  /**
   * Classify TCP sockets by state (default true). The kernel renders the
   * namespace's whole TCP table on each read, which dominates the cost with
   * many sockets: a caller can take states on every Nth sample only; `tcp`
   * is then `{}`.
   */
  tcpStates?: boolean;
  /** Root of procfs; tests point it at a fixture tree. */
  procRoot?: string;
}

function isErrno(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

function gone(pid: number, cause?: unknown): SamplerError {
  return new SamplerError('SOAK_ERR_TARGET_GONE', `process ${pid} has exited`, { cause });
}

/** Reads a /proc file of the target; a missing process becomes SOAK_ERR_TARGET_GONE. */
function readTargetFile(pid: number, path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ESRCH')) throw gone(pid, error);
    throw new SamplerError('SOAK_ERR_PROC_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** `Key:\tvalue` from /proc/<pid>/status. */
function statusField(status: string, key: string): string | undefined {
  const at = status.indexOf(`\n${key}:`);
  if (at === -1) return undefined;
  const start = at + key.length + 2;
  const end = status.indexOf('\n', start);
  return status.slice(start, end === -1 ? undefined : end).trim();
}

/** utime and stime (fields 14 and 15), counted after the `)` that ends the command name, which may hold spaces. */
function parseStatCpu(stat: string, pid: number): { user: number; system: number } {
  const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterComm[0] is field 3 (state), so field n is afterComm[n - 3].
  const utime = Number(afterComm[11]);
  const stime = Number(afterComm[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new SamplerError('SOAK_ERR_PROC_UNREADABLE', `unexpected /proc/${pid}/stat format`);
  }
  return { user: utime * MICROS_PER_TICK, system: stime * MICROS_PER_TICK };
}

/** CPU time (µs, user and system) of a process from /proc/<pid>/stat alone: the cheap read, without fds or TCP. */
export function readProcCpu(pid: number, procRoot = '/proc'): { user: number; system: number } {
  return parseStatCpu(readTargetFile(pid, `${procRoot}/${pid}/stat`), pid);
}

const SOCKET_LINK = /^socket:\[(\d+)\]$/;

/**
 * Counts the open descriptors and collects the inodes of the sockets among
 * them. A descriptor closed between readdir() and readlink() is simply not
 * counted: the result describes the process at (about) the end of the walk.
 */
function walkFds(
  pid: number,
  fdDir: string,
  excluded: ReadonlySet<number>,
): { fds: number; socketInodes: Set<number>; stdioSocketInodes: Set<number> } {
  let names: string[];
  try {
    names = readdirSync(fdDir);
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ESRCH')) throw gone(pid, error);
    throw new SamplerError('SOAK_ERR_PROC_UNREADABLE', `cannot list ${fdDir}: ${(error as Error).message}`, { cause: error });
  }
  let fds = 0;
  const socketInodes = new Set<number>();
  const stdioSocketInodes = new Set<number>();
  for (const name of names) {
    const fd = Number(name);
    if (excluded.size > 0 && excluded.has(fd)) continue;
    let link: string;
    try {
      link = readlinkSync(`${fdDir}/${name}`);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ESRCH')) continue; // closed mid-walk
      throw new SamplerError('SOAK_ERR_PROC_UNREADABLE', `cannot read ${fdDir}/${name}: ${(error as Error).message}`, { cause: error });
    }
    fds++;
    if (link.charCodeAt(0) === 115 /* 's' */) {
      const match = SOCKET_LINK.exec(link);
      if (match) {
        socketInodes.add(Number(match[1]));
        if (fd <= 2) stdioSocketInodes.add(Number(match[1]));
      }
    }
  }
  return { fds, socketInodes, stdioSocketInodes };
}

/** A net/tcp table; `optional` for tcp6, which is absent on kernels without IPv6. */
function readTcpTable(path: string, optional: boolean): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    if (optional && isErrno(error, 'ENOENT')) return '';
    throw error;
  }
}

/**
 * One sample of process `pid` from /proc: RSS and threads (status), CPU
 * (stat), open fds, and its TCP sockets by state (net/tcp + tcp6, matched by
 * the inodes of its socket fds) with, from the same rows, its ESTABLISHED
 * sockets holding unread bytes (rx_queue) and their total. Throws SamplerError SOAK_ERR_TARGET_GONE when the
 * process has exited, including when it is a zombie not yet reaped.
 */
export function readProc(pid: number, options: ReadProcOptions = {}): Promise<ProcSample> {
  try {
    return Promise.resolve(readProcSync(pid, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

export function readProcSync(pid: number, options: ReadProcOptions = {}): ProcSample {
  if (!Number.isInteger(pid) || pid <= 0) throw new TypeError(`pid: expected a positive integer, got ${String(pid)}`);
  const base = `${options.procRoot ?? '/proc'}/${pid}`;
  const status = readTargetFile(pid, `${base}/status`);
  const state = statusField(status, 'State');
  if (state !== undefined && (state.startsWith('Z') || state.startsWith('X'))) throw gone(pid);
  const stat = readTargetFile(pid, `${base}/stat`);
  const excluded = new Set(options.excludeFds ?? []);
  const { fds, socketInodes, stdioSocketInodes } = walkFds(pid, `${base}/fd`, excluded);

  const tcp: Counts = {};
  let unread: UnreadSockets | undefined;
  if (options.tcpStates !== false) unread = { sockets: 0, bytes: 0 };
  if (unread !== undefined && socketInodes.size > 0) {
    try {
      // The kernel renders these tables for the whole network namespace at
      // ≈ 5–9 µs per row, so tcp6 is read only when a socket is still
      // unaccounted for after tcp. Sockets on fds 0–2 do not count: a child
      // spawned with stdio 'pipe' gets Unix socketpairs there.
      countTcpStates(readTcpTable(`${base}/net/tcp`, false), socketInodes, tcp, unread);
      if (socketInodes.size > 0 && [...socketInodes].some((inode) => !stdioSocketInodes.has(inode))) {
        countTcpStates(readTcpTable(`${base}/net/tcp6`, true), socketInodes, tcp, unread);
      }
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ESRCH')) throw gone(pid, error);
      throw new SamplerError('SOAK_ERR_PROC_UNREADABLE', `cannot read ${base}/net/tcp: ${(error as Error).message}`, { cause: error });
    }
  }

  // VmRSS is absent for kernel threads; a process that just exec'd has it.
  const rssKb = Number.parseInt(statusField(status, 'VmRSS') ?? '0', 10);
  const threads = Number.parseInt(statusField(status, 'Threads') ?? '0', 10);
  return { rss: rssKb * 1024, fds, threads, tcp, ...(unread !== undefined ? { unread } : {}), cpu: parseStatCpu(stat, pid) };
}

/**
 * The TCP ports `pid` listens on (its socket fds matched against net/tcp and
 * tcp6 LISTEN rows): how the harness finds the inspector port a Node process
 * opened on SIGUSR1 (inspector-attach.ts), whatever its --inspect-port.
 */
export function listeningPorts(pid: number, procRoot = '/proc'): Set<number> {
  const ports = new Set<number>();
  for (const e of ownTcpEntries(pid, procRoot, [])) if (e.state === 'LISTEN') ports.add(e.localPort);
  return ports;
}

/** The net/tcp and tcp6 rows of `pid`'s own sockets (its socket fds, less `excludeFds`), fully parsed: checkpoints and attach only. */
function ownTcpEntries(pid: number, procRoot: string, excludeFds: readonly number[]): TcpEntry[] {
  const base = `${procRoot}/${pid}`;
  const { socketInodes } = walkFds(pid, `${base}/fd`, new Set(excludeFds));
  const entries: TcpEntry[] = [];
  if (socketInodes.size === 0) return entries;
  for (const [file, optional] of [['tcp', false], ['tcp6', true]] as const) {
    let text: string;
    try {
      text = readTcpTable(`${base}/net/${file}`, optional);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ESRCH')) throw gone(pid, error);
      throw error;
    }
    for (const e of parseProcNetTcp(text)) if (socketInodes.has(e.inode)) entries.push(e);
  }
  return entries;
}

/** IPv4-mapped IPv6 (`0000:…:ffff:7f00:0001` as /proc prints it) → dotted IPv4; anything else unchanged. */
function shownAddress(address: string): string {
  const m = /^0000:0000:0000:0000:0000:ffff:([0-9a-f]{4}):([0-9a-f]{4})$/.exec(address);
  if (!m) return address;
  const hi = Number.parseInt(m[1]!, 16);
  const lo = Number.parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

export interface SocketPeersOptions {
  procRoot?: string;
  excludeFds?: readonly number[];
  /** Names for remote ports (e.g. the fake upstream's): `127.0.0.1:41234 (fake upstream)`. */
  portNames?: ReadonlyMap<number, string>;
  /** Peers kept, most sockets first. Default 8. */
  max?: number;
}

/**
 * Who the process's TCP sockets are with, at a checkpoint (issue #15, handles
 * attributed): its non-LISTEN sockets grouped by peer — `clients of :PORT`
 * for connections accepted on a port it listens on, else the remote
 * `address:port` it connected to — with their states and unread bytes
 * (rx_queue). A growing `tcp:ESTABLISHED` then reads as "3 577 of them to
 * 127.0.0.1:41234 (fake upstream), 262 with unread data". Full table parse:
 * checkpoints only, never per sample.
 */
export function socketPeers(pid: number, options: SocketPeersOptions = {}): SocketPeer[] {
  const entries = ownTcpEntries(pid, options.procRoot ?? '/proc', options.excludeFds ?? []);
  const listening = new Set(entries.filter((e) => e.state === 'LISTEN').map((e) => e.localPort));
  const peers = new Map<string, SocketPeer>();
  for (const e of entries) {
    if (e.state === 'LISTEN') continue;
    const name = options.portNames?.get(e.remotePort);
    const peer = listening.has(e.localPort) ? `clients of :${e.localPort}` : `${shownAddress(e.remoteAddress)}:${e.remotePort}${name ? ` (${name})` : ''}`;
    let p = peers.get(peer);
    if (!p) peers.set(peer, (p = { peer, sockets: 0, states: {}, unreadSockets: 0, unreadBytes: 0 }));
    p.sockets++;
    p.states[e.state] = (p.states[e.state] ?? 0) + 1;
    if (e.state === 'ESTABLISHED' && e.rxQueue > 0) {
      p.unreadSockets++;
      p.unreadBytes += e.rxQueue;
    }
  }
  return [...peers.values()].sort((a, b) => b.sockets - a.sockets || a.peer.localeCompare(b.peer)).slice(0, options.max ?? 8);
}
