import { describe, expect, it } from 'vitest';
import type { Counts } from '../records.ts';
import { TCP4, TCP6 } from './fixtures/proc-net-tcp-text.ts';
import { countTcpStates, parseProcNetTcp, type UnreadTcp } from './proc-net-tcp.ts';

// Three of the process's ESTABLISHED sockets hold unread bytes (rx_queue
// 0x30000 = 196 608 and 0x10 = 16; one has only tx_queue), a CLOSE_WAIT one
// and a listener's accept backlog do too: only ESTABLISHED rx_queue counts.
const TCP4_UNREAD = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000005 00:00000000 00000000     0        0 60001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D431 0100007F:1F90 01 00000000:00030000 00:00000000 00000000     0        0 60002 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:D432 0100007F:1F90 01 00000000:00000010 00:00000000 00000000     0        0 60003 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:D433 0100007F:1F90 01 00001000:00000000 00:00000000 00000000     0        0 60004 1 0000000000000000 20 4 30 10 -1
   4: 0100007F:D434 0100007F:1F90 08 00000000:00000400 00:00000000 00000000     0        0 60005 1 0000000000000000 20 4 30 10 -1
   5: 0100007F:D435 0100007F:1F90 01 00000000:00009999 00:00000000 00000000     0        0 70000 1 0000000000000000 20 4 30 10 -1
`;

describe('parseProcNetTcp', () => {
  it('decodes IPv4 rows: addresses, ports, state names and inodes', () => {
    const rows = parseProcNetTcp(TCP4);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({ localAddress: '127.0.0.1', localPort: 8080, remoteAddress: '0.0.0.0', remotePort: 0, state: 'LISTEN', inode: 36681, txQueue: 0, rxQueue: 0 });
    expect(rows[4]).toMatchObject({ txQueue: 0, rxQueue: 1 });
    expect(rows[2]).toMatchObject({ localPort: 0xd431, remotePort: 8080, state: 'ESTABLISHED', inode: 40002 });
    expect(rows[3]).toMatchObject({ state: 'TIME_WAIT', inode: 0 });
    expect(rows[4]).toMatchObject({ localAddress: '15.2.0.10', remoteAddress: '34.216.184.93', remotePort: 443, state: 'CLOSE_WAIT' });
    expect(rows[5]!.state).toBe('UNKNOWN_0F');
  });

  it('decodes IPv6 rows, word by word in host order', () => {
    const rows = parseProcNetTcp(TCP6);
    expect(rows[0]).toMatchObject({ localAddress: '0000:0000:0000:0000:0000:0000:0000:0001', localPort: 8443, state: 'LISTEN' });
    expect(rows[1]).toMatchObject({ localAddress: '0000:0000:0000:0000:0000:ffff:7f00:0001', remotePort: 0xc001, state: 'ESTABLISHED' });
  });

  it('skips the header, blank and malformed lines; empty text gives no rows', () => {
    expect(parseProcNetTcp('')).toEqual([]);
    expect(parseProcNetTcp(TCP4.split('\n')[0]!)).toEqual([]);
    const withJunk = `${TCP4}\n   6: garbage\n\n`;
    expect(parseProcNetTcp(withJunk)).toHaveLength(6);
  });
});

describe('countTcpStates', () => {
  it('counts only rows whose inode is in the set, and removes matched inodes from it', () => {
    const unmatched = new Set([36681, 40001, 40003, 40004, 99999]);
    const counts: Counts = {};
    expect(countTcpStates(TCP4, unmatched, counts)).toBe(4);
    expect(counts).toEqual({ LISTEN: 1, ESTABLISHED: 1, CLOSE_WAIT: 1, UNKNOWN_0F: 1 });
    expect([...unmatched]).toEqual([99999]);
  });

  it('never attributes inode-0 rows (TIME_WAIT) to a process, and adds across tables', () => {
    const unmatched = new Set([0, 40002, 50001, 50002]);
    const counts: Counts = {};
    countTcpStates(TCP4, unmatched, counts);
    countTcpStates(TCP6, unmatched, counts);
    expect(counts).toEqual({ ESTABLISHED: 2, LISTEN: 1 });
    expect([...unmatched]).toEqual([0]);
  });

  it('counts the ESTABLISHED sockets of the process with unread bytes (rx_queue > 0) and sums those bytes', () => {
    const unread: UnreadTcp = { sockets: 0, bytes: 0 };
    const counts: Counts = {};
    // 70000 is another process's socket: its rx_queue is not ours.
    countTcpStates(TCP4_UNREAD, new Set([60001, 60002, 60003, 60004, 60005]), counts, unread);
    expect(counts).toEqual({ LISTEN: 1, ESTABLISHED: 3, CLOSE_WAIT: 1 });
    expect(unread).toEqual({ sockets: 2, bytes: 0x30000 + 0x10 });
    expect(parseProcNetTcp(TCP4_UNREAD)[1]).toMatchObject({ state: 'ESTABLISHED', rxQueue: 0x30000, txQueue: 0 });
  });

  it('agrees with parseProcNetTcp on a real table of this machine', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync('/proc/net/tcp', 'latin1');
    // The kernel can list a socket twice when the table changes between read() chunks: count each inode once.
    const seen = new Set<number>();
    const rows = parseProcNetTcp(text).filter((row) => row.inode !== 0 && !seen.has(row.inode) && seen.add(row.inode));
    const expected: Counts = {};
    for (const row of rows) expected[row.state] = (expected[row.state] ?? 0) + 1;
    const counts: Counts = {};
    countTcpStates(text, new Set(rows.map((row) => row.inode)), counts);
    expect(counts).toEqual(expected);
  });
});
