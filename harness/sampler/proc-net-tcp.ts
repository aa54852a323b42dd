// A pure parser of the kernel's /proc/net/tcp and /proc/net/tcp6 tables.
//
// Those files list every TCP socket of the network namespace, not of one
// process: a process's sockets are the rows whose inode matches one of its
// `socket:[inode]` fd links (see proc.ts). Rows with inode 0 belong to no fd:
// TIME_WAIT sockets and orphaned FIN_WAIT sockets after close(). They cannot be
// attributed to a process this way and are never counted as its own.
// Each row also carries its queues (tx_queue:rx_queue): an rx_queue that stays
// above 0 is data the owning process never read (UnreadTcp).

import type { Counts } from '../records.ts';

/** Kernel TCP state numbers (include/net/tcp_states.h) → names. */
export const TCP_STATES: Readonly<Record<number, string>> = {
  0x01: 'ESTABLISHED',
  0x02: 'SYN_SENT',
  0x03: 'SYN_RECV',
  0x04: 'FIN_WAIT1',
  0x05: 'FIN_WAIT2',
  0x06: 'TIME_WAIT',
  0x07: 'CLOSE',
  0x08: 'CLOSE_WAIT',
  0x09: 'LAST_ACK',
  0x0a: 'LISTEN',
  0x0b: 'CLOSING',
  0x0c: 'NEW_SYN_RECV',
};

/**
 * ESTABLISHED sockets holding bytes the process has not read (rx_queue > 0),
 * and those bytes. A correct target reads what arrives within milliseconds;
 * one that drops an upstream body without reading or destroying it leaves the
 * rest of that body in the kernel's receive queue for as long as the socket
 * lives (measured: the blind error-body relay, undici pausing its socket after
 * 64 KiB of a 256 KiB body). At a drained checkpoint nothing should be left.
 */
export interface UnreadTcp {
  sockets: number;
  bytes: number;
}

export interface TcpEntry {
  /** Dotted IPv4 or a full, uncompressed IPv6 address. */
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** State name, or `UNKNOWN_<hex>` for a state this table does not know. */
  state: string;
  /** Socket inode; 0 when no file descriptor refers to the socket. */
  inode: number;
  /** Bytes sent and not yet acknowledged (tx_queue). */
  txQueue: number;
  /** Bytes received and not yet read by the process (rx_queue; for LISTEN: the accept backlog). */
  rxQueue: number;
}

/** "0100007F:1F90" (IPv4) or 32 hex digits (IPv6), each 32-bit word in host (little-endian) order. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const word = Number.parseInt(hex, 16);
    return `${word & 0xff}.${(word >>> 8) & 0xff}.${(word >>> 16) & 0xff}.${word >>> 24}`;
  }
  const groups: string[] = [];
  for (let w = 0; w < 32; w += 8) {
    // Reverse the bytes of each 32-bit word, then split into two 16-bit groups.
    const b = hex.slice(w, w + 8);
    const be = b.slice(6, 8) + b.slice(4, 6) + b.slice(2, 4) + b.slice(0, 2);
    groups.push(be.slice(0, 4).toLowerCase(), be.slice(4, 8).toLowerCase());
  }
  return groups.join(':');
}

function splitEndpoint(field: string): { address: string; port: number } {
  const colon = field.indexOf(':');
  return { address: decodeAddress(field.slice(0, colon)), port: Number.parseInt(field.slice(colon + 1), 16) };
}

function stateName(hex: string): string {
  const code = Number.parseInt(hex, 16);
  return TCP_STATES[code] ?? `UNKNOWN_${hex}`;
}

/** Every row of a /proc/net/tcp or tcp6 text. The header and malformed lines are skipped. */
export function parseProcNetTcp(text: string): TcpEntry[] {
  const entries: TcpEntry[] = [];
  for (const fields of rows(text)) {
    const local = splitEndpoint(fields[1]!);
    const remote = splitEndpoint(fields[2]!);
    entries.push({
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      state: stateName(fields[3]!),
      inode: Number(fields[9]),
      ...queues(fields[4]!),
    });
  }
  return entries;
}

/** "00000000:0003A2F0" → tx and rx queue sizes in bytes. */
function queues(field: string): { txQueue: number; rxQueue: number } {
  const colon = field.indexOf(':');
  return { txQueue: Number.parseInt(field.slice(0, colon), 16) || 0, rxQueue: Number.parseInt(field.slice(colon + 1), 16) || 0 };
}

/** Kernel state code of ESTABLISHED as the table prints it. */
const ESTABLISHED_HEX = '01';

/**
 * Adds to `into` the states of the rows whose inode is in `unmatched`, and
 * deletes each matched inode from `unmatched` (so the caller knows which
 * sockets the table did not account for). Returns the number of rows matched.
 * This is readProc's hot path: it skips address decoding and splits no line.
 */
export function countTcpStates(text: string, unmatched: Set<number>, into: Counts, unread?: UnreadTcp): number {
  let matched = 0;
  let start = text.indexOf('\n') + 1; // skip the header line
  if (start === 0) return 0;
  while (start < text.length && unmatched.size > 0) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineStart = start;
    const state = field(text, start, end, 3);
    const inodeText = field(text, start, end, 9);
    start = end + 1;
    if (state === undefined || inodeText === undefined) continue;
    const inode = Number(inodeText);
    if (inode === 0 || !unmatched.delete(inode)) continue;
    const name = stateName(state);
    into[name] = (into[name] ?? 0) + 1;
    matched++;
    if (unread !== undefined && state === ESTABLISHED_HEX) {
      // Field 4 is "tx_queue:rx_queue"; read only for matched ESTABLISHED rows.
      const q = field(text, lineStart, end, 4);
      const rx = q === undefined ? 0 : Number.parseInt(q.slice(q.indexOf(':') + 1), 16) || 0;
      if (rx > 0) {
        unread.sockets++;
        unread.bytes += rx;
      }
    }
  }
  return matched;
}

/** The `index`-th space-separated field of text[start, end), or undefined. */
function field(text: string, start: number, end: number, index: number): string | undefined {
  let i = start;
  for (let n = 0; ; n++) {
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (i >= end) return undefined;
    let j = i;
    while (j < end && text.charCodeAt(j) !== 32) j++;
    if (n === index) return text.slice(i, j);
    i = j;
  }
}

/** Whitespace-split data rows: sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode, ... */
function* rows(text: string): Generator<string[]> {
  let start = text.indexOf('\n') + 1; // skip the header line
  if (start === 0) return;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const fields = text.slice(start, end).trim().split(/\s+/);
    start = end + 1;
    if (fields.length < 10 || !fields[1]!.includes(':') || !fields[2]!.includes(':')) continue;
    yield fields;
  }
}
