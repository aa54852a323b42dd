// What the probe and /proc measure, checked against changes the test makes in
// a real target: retained Buffers, open sockets, ref'd timers, and fetch()
// responses dropped unread.

import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Counts } from '../records.ts';
import { readProc } from '../sampler/proc.ts';
import { waitForProbe, type ProbeClient } from '../sampler/probe-client.ts';
import type { ProbeInfo } from './protocol.ts';
import { startTarget, type Target } from './fixtures/spawn-target.ts';

const MiB = 1024 * 1024;
/** Small buffers the runtime itself allocates and frees between two readings. */
const SLACK = 256 * 1024;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startProbed(): Promise<{ target: Target; probe: ProbeClient; info: ProbeInfo }> {
  const target = await startTarget();
  cleanups.push(() => target.stop());
  const probe = await waitForProbe(target.socketPath, Date.now() + 10_000);
  cleanups.push(() => probe.close());
  return { target, probe, info: await probe.info() };
}

function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    }),
  );
}

function count(counts: Counts, key: string): number {
  return counts[key] ?? 0;
}

/** Polls `read` until `accept` holds or the time is up; returns the last value. */
async function settle<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 3_000): Promise<T> {
  const until = performance.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

describe('probe sample', () => {
  it('reports sane figures that move the right way between samples', async () => {
    const { probe } = await startProbed();
    const first = await probe.sample();
    expect(first.memory.rss).toBeGreaterThan(10 * MiB);
    expect(first.memory.heapUsed).toBeGreaterThan(0);
    expect(first.memory.heapUsed).toBeLessThanOrEqual(first.memory.heapTotal);
    expect(first.memory.arrayBuffers).toBeLessThanOrEqual(first.memory.external);
    expect(first.cpu.user).toBeGreaterThan(0);
    for (const value of Object.values(first.eventLoopDelay)) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
    }
    expect(first.eventLoopDelay.p50).toBeLessThanOrEqual(first.eventLoopDelay.max);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await probe.sample();
    expect(second.cpu.user + second.cpu.system).toBeGreaterThanOrEqual(first.cpu.user + first.cpu.system);
    expect(second.gc.count).toBeGreaterThanOrEqual(first.gc.count);
    expect(second.allocatedBytes).toBeGreaterThanOrEqual(first.allocatedBytes);
  });

  it('counts GCs and estimates allocation: retaining 32 MiB of objects shows in allocatedBytes and gc counts', async () => {
    const { target, probe } = await startProbed();
    const before = await probe.sample();
    await target.command('retain 32'); // 32 × 1 MiB Buffers: external, not heap
    const checkpoint = await probe.checkpoint();
    // Two forced full GCs are counted as major collections.
    expect(checkpoint.gc.majorCount - before.gc.majorCount).toBeGreaterThanOrEqual(2);
    expect(checkpoint.gc.count - before.gc.count).toBeGreaterThanOrEqual(2);
    expect(checkpoint.gc.timeMs).toBeGreaterThan(before.gc.timeMs);
    expect(checkpoint.allocatedBytes).toBeGreaterThan(before.allocatedBytes);
  });

  it('estimates allocated bytes: 256 MiB of short-lived heap garbage shows as ≈ 256 MiB', async () => {
    const { target, probe } = await startProbed();
    await target.command('allocate 8'); // warm up: the first run also compiles and allocates code
    const before = await probe.sample();
    await target.command('allocate 256');
    const after = await probe.sample();
    const allocated = after.allocatedBytes - before.allocatedBytes;
    // Measured: exact between minor GCs, up to +16 MiB across a major GC (heap sizes around incremental marking).
    expect(allocated).toBeGreaterThan(0.95 * 256 * MiB);
    expect(allocated).toBeLessThan(1.2 * 256 * MiB);
  });

  it('names allocation sites: 20 000 records kept in a map show as the top live site, in the function that made them', async () => {
    const { target, probe } = await startProbed();
    expect(await probe.checkpoint()).not.toHaveProperty('sites'); // off until asked for
    expect(await probe.sites(16 * 1024)).toEqual({ active: true, intervalBytes: 16 * 1024, includeCollected: false });
    expect(await probe.sites(512 * 1024)).toEqual({ active: true, intervalBytes: 16 * 1024, includeCollected: false }); // already on: unchanged
    const before = (await probe.checkpoint()).sites!;
    expect(before.intervalBytes).toBe(16 * 1024);
    await target.command('keep-records 20000');
    const after = (await probe.checkpoint()).sites!;
    const own = (s: { frame: string }) => /^(keepRecords|LeakedRecord) \(harness\/probe\/fixtures\/control-target\.ts:\d+\)$/.test(s.frame);
    const kept = after.top.filter(own).reduce((sum, s) => sum + s.bytes, 0);
    const was = before.top.filter(own).reduce((sum, s) => sum + s.bytes, 0);
    // ≈ 20 000 × (record + its 16-double array + map entry) ≈ 4–6 MB; sampled, so within a wide margin.
    expect(kept - was).toBeGreaterThan(2e6);
    expect(kept - was).toBeLessThan(12e6);
    expect(own(after.top[0]!)).toBe(true);
    expect(after.top[0]!.samples).toBeGreaterThan(50);
    expect(after.totalBytes).toBeGreaterThan(before.totalBytes + 2e6);
    // 0 stops it (bench:probe's OFF windows); it starts again on request.
    expect(await probe.sites(0)).toEqual({ active: false, intervalBytes: 0 });
    expect(await probe.checkpoint()).not.toHaveProperty('sites');
    expect((await probe.sites(64 * 1024)).active).toBe(true);
    expect((await probe.checkpoint()).sites?.intervalBytes).toBe(64 * 1024);
    await expect(probe.sites(5)).rejects.toThrow(/intervalBytes/);
  });

  it('reports event-loop delay since the previous sample: a 300 ms block shows once', async () => {
    const { target, probe } = await startProbed();
    await probe.sample();
    await target.command('block 300'); // busy-waits inside the target, then replies
    const blocked = await probe.sample();
    expect(blocked.eventLoopDelay.max).toBeGreaterThan(250);
    expect(blocked.eventLoopDelay.max).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await probe.sample();
    expect(next.eventLoopDelay.max).toBeLessThan(250);
  });
});

describe('probe checkpoint', () => {
  it('shows retained Buffers in external and arrayBuffers, and their release after GC', async () => {
    const { target, probe, info } = await startProbed();
    expect(info.exposeGc).toBe(false);
    const baseline = await probe.checkpoint();
    await target.command('retain 16');
    const retained = await probe.checkpoint();
    expect(retained.memory.arrayBuffers - baseline.memory.arrayBuffers).toBeGreaterThanOrEqual(16 * MiB - SLACK);
    expect(retained.memory.external - baseline.memory.external).toBeGreaterThanOrEqual(16 * MiB - SLACK);
    await target.command('release');
    const released = await probe.checkpoint();
    // Still counted just before the forced GC, gone after it: the GC trick works without --expose-gc.
    expect(released.preGcMemory.arrayBuffers - baseline.memory.arrayBuffers).toBeGreaterThanOrEqual(16 * MiB - SLACK);
    expect(released.memory.arrayBuffers - baseline.memory.arrayBuffers).toBeLessThan(SLACK);
    expect(released.forcedGcMs).toBeGreaterThan(0);
  });

  it('sees a ref\'d interval appear and disappear in resources', async () => {
    const { target, probe } = await startProbed();
    const before = await probe.checkpoint();
    await target.command('interval');
    await target.command('interval');
    const during = await probe.sample();
    expect(count(during.resources, 'Timeout') - count(before.resourcesAfterGc, 'Timeout')).toBe(2);
    await target.command('clear-intervals');
    const after = await probe.checkpoint();
    expect(after.resourcesAfterGc).toEqual(before.resourcesAfterGc);
  });
});

describe('sockets seen by the probe and by /proc', () => {
  it('K client sockets add K to TCPSocketWrap, to /proc fds and to ESTABLISHED, and go away on close', async () => {
    const accepted: Socket[] = [];
    const server = createServer((socket) => accepted.push(socket));
    const port = await listen(server);
    cleanups.push(() => {
      for (const socket of accepted) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const { target, probe, info } = await startProbed();
    const readTarget = () => readProc(target.pid, { excludeFds: info.ownFds });
    const baseProbe = await probe.sample();
    const baseProc = await readTarget();

    const K = 7;
    await target.command(`connect ${K} ${port}`);
    const during = await probe.sample();
    const duringProc = await readTarget();
    expect(count(during.resources, 'TCPSocketWrap') - count(baseProbe.resources, 'TCPSocketWrap')).toBe(K);
    expect(duringProc.fds - baseProc.fds).toBe(K);
    expect(count(duringProc.tcp, 'ESTABLISHED') - count(baseProc.tcp, 'ESTABLISHED')).toBe(K);
    // The target's HTTP server is its one LISTEN socket; the test's server is not the target's.
    expect(count(duringProc.tcp, 'LISTEN')).toBe(1);

    await target.command('disconnect');
    const after = await settle(readTarget, (proc) => proc.fds === baseProc.fds);
    expect(after.fds).toBe(baseProc.fds);
    expect(count(after.tcp, 'ESTABLISHED')).toBe(count(baseProc.tcp, 'ESTABLISHED'));
    const afterProbe = await probe.sample();
    expect(count(afterProbe.resources, 'TCPSocketWrap')).toBe(count(baseProbe.resources, 'TCPSocketWrap'));
  });

  it('a fetch() response dropped unread holds its socket until GC runs its finalizer', async () => {
    // ≥ 64 KiB, or undici buffers the whole body and frees the socket anyway.
    const body = Buffer.alloc(512 * 1024, 0x61);
    const upstream = createHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    });
    const port = await listen(upstream);
    cleanups.push(() => {
      upstream.closeAllConnections();
      return new Promise<void>((resolve) => upstream.close(() => resolve()));
    });
    const { target, probe, info } = await startProbed();
    const baseline = await probe.checkpoint();

    const N = 3;
    expect(await target.command(`fetch-drop http://127.0.0.1:${port}/big ${N} `)).toBe('200');
    const procBefore = await readProc(target.pid, { excludeFds: info.ownFds });
    const checkpoint = await probe.checkpoint();
    const pinned = count(checkpoint.resourcesBeforeGc, 'TCPSocketWrap') - count(baseline.resourcesAfterGc, 'TCPSocketWrap');
    const afterGc = count(checkpoint.resourcesAfterGc, 'TCPSocketWrap') - count(baseline.resourcesAfterGc, 'TCPSocketWrap');
    expect(pinned).toBe(N);
    expect(afterGc).toBe(0);
    expect(count(procBefore.tcp, 'ESTABLISHED')).toBeGreaterThanOrEqual(N);
  });
});
