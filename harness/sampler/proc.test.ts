import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Counts } from '../records.ts';
import { TCP4, TCP6 } from './fixtures/proc-net-tcp-text.ts';
import { readProc, readProcSync } from './proc.ts';

function count(counts: Counts, key: string): number {
  return counts[key] ?? 0;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('readProc on live processes', () => {
  it('reads this process: rss, threads, cpu and fds agree with what Node reports', async () => {
    const sample = await readProc(process.pid);
    const rss = process.memoryUsage.rss();
    expect(Math.abs(sample.rss - rss) / rss).toBeLessThan(0.2);
    expect(sample.threads).toBeGreaterThanOrEqual(2); // main + V8/libuv workers
    expect(sample.fds).toBeGreaterThan(3);
    const cpu = process.cpuUsage();
    // /proc counts in 10 ms ticks: within a few ticks of getrusage.
    expect(Math.abs(sample.cpu.user - cpu.user)).toBeLessThan(50_000);
  });

  it('converts clock ticks to µs: 300 ms of CPU burnt shows as ≈ 300 000 µs', async () => {
    const before = await readProc(process.pid);
    const start = process.cpuUsage();
    // Burn until getrusage says 300 ms were spent (wall time varies on a shared box), bounded at 5 s.
    const deadline = performance.now() + 5_000;
    let spent = 0;
    while (spent < 300_000 && performance.now() < deadline) {
      const now = process.cpuUsage(start);
      spent = now.user + now.system;
    }
    const after = await readProc(process.pid);
    const seen = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
    // Ticks are 10 ms: allow a few on each end.
    expect(Math.abs(seen - spent)).toBeLessThan(50_000);
    expect(seen).toBeGreaterThan(200_000);
  });

  it('sees K connections: +2K ESTABLISHED (both ends are ours), +1 LISTEN, +2K+1 fds', async () => {
    const accepted: Socket[] = [];
    const clients: Socket[] = [];
    const server = createServer((socket) => accepted.push(socket));
    cleanups.push(() => {
      for (const socket of [...accepted, ...clients]) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const before = await readProc(process.pid);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    const K = 10;
    for (let i = 0; i < K; i++) clients.push(connect({ host: '127.0.0.1', port }));
    await Promise.all(clients.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    while (accepted.length < K) await new Promise((resolve) => setTimeout(resolve, 5));
    const after = await readProc(process.pid);
    expect(count(after.tcp, 'ESTABLISHED') - count(before.tcp, 'ESTABLISHED')).toBe(2 * K);
    expect(count(after.tcp, 'LISTEN') - count(before.tcp, 'LISTEN')).toBe(1);
    expect(after.fds - before.fds).toBe(2 * K + 1);
    // Skipping states skips the TCP tables, not the fd count.
    const cheap = await readProc(process.pid, { tcpStates: false });
    expect(cheap.tcp).toEqual({});
    expect(cheap.fds).toBe(after.fds);
  });

  it('sees a socket whose received bytes are not read: unread sockets +1, unread bytes ≈ what was sent', async () => {
    const accepted: Socket[] = [];
    const server = createServer((socket) => accepted.push(socket));
    const client = await new Promise<Socket>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const c = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port }, () => resolve(c));
      });
    });
    cleanups.push(() => {
      for (const socket of [...accepted, client]) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    // Paused before any data arrives: libuv does not read, the bytes stay in the kernel's receive queue.
    client.pause();
    while (accepted.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const before = readProcSync(process.pid);
    const SENT = 40_000;
    accepted[0]!.write(Buffer.alloc(SENT, 1));
    let after = readProcSync(process.pid);
    for (let i = 0; i < 100 && (after.unread?.bytes ?? 0) - (before.unread?.bytes ?? 0) < SENT; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = readProcSync(process.pid);
    }
    expect(after.unread!.sockets - before.unread!.sockets).toBe(1);
    expect(after.unread!.bytes - before.unread!.bytes).toBe(SENT);
    // Once read, nothing is left unread.
    client.resume();
    client.on('data', () => {});
    let read = readProcSync(process.pid);
    for (let i = 0; i < 100 && read.unread!.sockets > before.unread!.sockets; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      read = readProcSync(process.pid);
    }
    expect(read.unread).toEqual(before.unread);
    // Skipped with the TCP states.
    expect(readProcSync(process.pid, { tcpStates: false }).unread).toBeUndefined();
  });

  it('fails with SOAK_ERR_TARGET_GONE once the process has exited', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    await expect(readProc(child.pid!)).rejects.toMatchObject({ code: 'SOAK_ERR_TARGET_GONE', message: `process ${child.pid} has exited` });
  });

  it('never throws while the target opens and closes descriptors as fast as it can', async () => {
    // File churn races readdir against readlink; the held connection keeps the TCP path in play.
    // (No TCP churn: every closed connection leaves a TIME_WAIT row that makes /proc/net/tcp slower to render.)
    const churn = `const fs = require('node:fs'); const net = require('node:net');
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const held = net.connect(s.address().port, '127.0.0.1', () => console.log('ready'));
        (function spin() { for (let i = 0; i < 200; i++) fs.closeSync(fs.openSync('/dev/null', 'r')); setImmediate(spin); })();
      });`;
    const child = spawn(process.execPath, ['-e', churn], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    let reads = 0;
    const until = performance.now() + 2_000;
    while (reads < 300 && performance.now() < until) {
      const sample = readProcSync(child.pid!);
      expect(sample.fds).toBeGreaterThan(0);
      expect(count(sample.tcp, 'ESTABLISHED')).toBe(2);
      reads++;
    }
    expect(reads).toBeGreaterThanOrEqual(5); // each read renders the whole namespace table: slow on a busy box
  });

  it('rejects a pid that is not a positive integer, naming it', () => {
    expect(() => readProcSync(0)).toThrow(/pid: expected a positive integer, got 0/);
    expect(() => readProcSync(1.5)).toThrow(/pid/);
  });
});

describe('readProc on a fixture /proc tree', () => {
  const root = mkdtempSync(join(tmpdir(), 'soak-proc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // utime 250 ticks, stime 40 ticks; the command name holds spaces and ')'.
  const STAT = '4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 40 0 0 20 0 11 0 100 1000000 2000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

  function fixture(pid: number, options: { state?: string; fds: Record<string, string>; tcp6?: string | 'dir' }): void {
    const base = join(root, String(pid));
    mkdirSync(join(base, 'fd'), { recursive: true });
    mkdirSync(join(base, 'net'), { recursive: true });
    writeFileSync(join(base, 'status'), `Name:\tmy (odd) proc\nState:\t${options.state ?? 'S (sleeping)'}\nVmRSS:\t   51200 kB\nThreads:\t11\n`);
    writeFileSync(join(base, 'stat'), STAT.replace('4242', String(pid)));
    // readlink returns a dangling symlink's text, which is all readProc reads.
    for (const [fd, target] of Object.entries(options.fds)) symlinkSync(target, join(base, 'fd', fd));
    writeFileSync(join(base, 'net', 'tcp'), TCP4);
    if (options.tcp6 === 'dir') mkdirSync(join(base, 'net', 'tcp6'));
    else if (options.tcp6 !== undefined) writeFileSync(join(base, 'net', 'tcp6'), options.tcp6);
  }

  it('parses status and stat, and classifies socket fds through tcp and tcp6', () => {
    fixture(101, { fds: { '0': '/dev/null', '3': 'socket:[36681]', '4': 'socket:[40001]', '5': 'socket:[50002]', '6': 'pipe:[9]' }, tcp6: TCP6 });
    const sample = readProcSync(101, { procRoot: root });
    expect(sample).toEqual({
      rss: 51200 * 1024,
      fds: 5,
      threads: 11,
      tcp: { LISTEN: 1, ESTABLISHED: 2 },
      unread: { sockets: 0, bytes: 0 },
      cpu: { user: 2_500_000, system: 400_000 },
    });
  });

  it('reads tcp6 only when a non-stdio socket is still unaccounted for', () => {
    // tcp6 is a directory here: reading it would fail, so passing proves it was not read.
    fixture(102, { fds: { '1': 'socket:[88888]', '3': 'socket:[40001]' }, tcp6: 'dir' });
    expect(readProcSync(102, { procRoot: root }).tcp).toEqual({ ESTABLISHED: 1 });
    fixture(103, { fds: { '3': 'socket:[40001]', '4': 'socket:[50001]' }, tcp6: 'dir' });
    expect(() => readProcSync(103, { procRoot: root })).toThrow(expect.objectContaining({ code: 'SOAK_ERR_PROC_UNREADABLE' }));
  });

  it('excludes the fds it is told to (the probe\'s own)', () => {
    fixture(104, { fds: { '3': 'socket:[40001]', '21': 'socket:[77001]', '22': 'socket:[77002]' }, tcp6: TCP6 });
    const sample = readProcSync(104, { procRoot: root, excludeFds: [21, 22] });
    expect(sample.fds).toBe(1);
    expect(sample.tcp).toEqual({ ESTABLISHED: 1 });
  });

  it('treats a zombie as gone', () => {
    fixture(105, { state: 'Z (zombie)', fds: {} });
    expect(() => readProcSync(105, { procRoot: root })).toThrow(expect.objectContaining({ code: 'SOAK_ERR_TARGET_GONE' }));
  });
});
