// The probe's activation, protocol and lifecycle, against real target
// processes on this machine.

import { existsSync, readlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readProc } from '../sampler/proc.ts';
import { connectProbe, waitForProbe, type ProbeClient } from '../sampler/probe-client.ts';
import { CONTROL_TARGET_PATH, startTarget, type Target } from './fixtures/spawn-target.ts';

const targets: Target[] = [];
const clients: ProbeClient[] = [];

async function start(options?: Parameters<typeof startTarget>[0]): Promise<Target> {
  const target = await startTarget(options);
  targets.push(target);
  return target;
}

async function probeOf(target: Target): Promise<ProbeClient> {
  const client = await waitForProbe(target.socketPath, Date.now() + 10_000, { timeoutMs: 5_000 });
  clients.push(client);
  return client;
}

/** Sends raw lines on a fresh connection and collects `count` response lines. */
function rawExchange(socketPath: string, payload: string, count: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path: socketPath });
    const lines: unknown[] = [];
    let buffered = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`only ${lines.length} of ${count} answers`));
    }, 5_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        lines.push(JSON.parse(buffered.slice(0, newline)));
        buffered = buffered.slice(newline + 1);
      }
      if (lines.length >= count) {
        clearTimeout(timer);
        socket.destroy();
        resolve(lines);
      }
    });
    socket.on('error', reject);
    socket.write(payload);
  });
}

/** The target's exit, or a rejection after `ms`: a probe that keeps targets alive fails fast. */
function exitWithin(target: Target, ms: number): Promise<Awaited<Target['exited']>> {
  return Promise.race([
    target.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`target still running after ${ms} ms`)), ms)),
  ]);
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(targets.splice(0).map((target) => target.stop()));
});

describe('activation', () => {
  it('does nothing without SOAK_PROBE_SOCKET', async () => {
    const target = await start({ activate: false });
    expect(await target.command('interval')).toBe('1'); // the target runs normally
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(target.socketPath)).toBe(false);
    expect(target.stderr()).toBe('');
  });

  it('answers info with the target identity and forces GC without --expose-gc', async () => {
    const target = await start();
    const probe = await probeOf(target);
    const info = await probe.info();
    expect(info.pid).toBe(target.pid);
    expect(info.nodeVersion).toBe(process.version);
    expect(info.argv[1]).toBe(CONTROL_TARGET_PATH);
    expect(info.execArgv).toContain('--import');
    expect(info.exposeGc).toBe(false);
    expect(info.gcAvailable).toBe(true);
    expect(info.eventLoopResolutionMs).toBeGreaterThan(0);
    // The claiming process hides the variable from its own children.
    expect(target.stderr()).toBe('');
  });

  it('redacts secret-looking option values from argv', async () => {
    const args = [CONTROL_TARGET_PATH, '--management-key', 'mk-s3cret', '--client-keys=ck-s3cret', '--port', '0', '--api_token', 'tk-s3cret'];
    const target = await start({ args, waitForListening: true });
    const info = await (await probeOf(target)).info();
    expect(info.argv.slice(1)).toEqual([
      CONTROL_TARGET_PATH,
      '--management-key',
      '<redacted>',
      '--client-keys=<redacted>',
      '--port',
      '0',
      '--api_token',
      '<redacted>',
    ]);
    expect(JSON.stringify(info)).not.toContain('s3cret');
  });

  it('activates through NODE_OPTIONS for a target started by a shell command', async () => {
    const target = await start({ viaShell: true });
    const probe = await probeOf(target);
    const info = await probe.info();
    expect(info.argv[1]).toBe(CONTROL_TARGET_PATH);
    expect(info.execArgv).not.toContain('--import'); // it came through NODE_OPTIONS
    const sample = await probe.sample();
    expect(sample.memory.rss).toBeGreaterThan(0);
    // The harness must sample info.pid: the shell may or may not have exec'd node.
    const proc = await readProc(info.pid, { excludeFds: info.ownFds });
    expect(proc.fds).toBeGreaterThan(0);
  });

  it('with SOAK_PROBE_MATCH, a wrapper leaves the socket to the matching child', async () => {
    const wrapper = `require('node:child_process').spawn(process.execPath, [${JSON.stringify(CONTROL_TARGET_PATH)}], { stdio: 'inherit' }).on('exit', (c) => process.exit(c ?? 1));`;
    const target = await start({ viaShell: true, args: ['-e', wrapper], env: { SOAK_PROBE_MATCH: 'control-target' }, waitForListening: true });
    const probe = await probeOf(target);
    const info = await probe.info();
    expect(info.argv[1]).toBe(CONTROL_TARGET_PATH);
    expect(info.pid).not.toBe(target.pid);
  });

  it('stays inactive, with one stderr line, when the socket path is already in use', async () => {
    const first = await start();
    await probeOf(first);
    // A second target pointed at the same path must not steal or crash.
    const second = await start({ env: { SOAK_PROBE_SOCKET: first.socketPath } });
    expect(await second.command('interval')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(second.stderr()).toBe(`soak-probe: not active, cannot listen on ${first.socketPath}: EADDRINUSE\n`);
    expect((await clients[0]!.info()).pid).toBe(first.pid);
  });
});

describe('protocol', () => {
  it('answers malformed requests with typed errors and keeps serving', async () => {
    const target = await start();
    await probeOf(target);
    const answers = await rawExchange(
      target.socketPath,
      'not json\n[1]\n{"op":"sample"}\n{"id":7,"op":"reboot"}\n{"id":8,"op":"info"}\n',
      5,
    );
    expect(answers).toEqual([
      { id: null, ok: false, error: { code: 'SOAK_ERR_BAD_REQUEST', message: expect.stringContaining('not JSON') } },
      { id: null, ok: false, error: { code: 'SOAK_ERR_BAD_REQUEST', message: expect.stringContaining('"id"') } },
      { id: null, ok: false, error: { code: 'SOAK_ERR_BAD_REQUEST', message: expect.stringContaining('"id"') } },
      { id: 7, ok: false, error: { code: 'SOAK_ERR_UNKNOWN_OP', message: expect.stringContaining('"reboot"') } },
      { id: 8, ok: true, data: expect.objectContaining({ pid: target.pid }) },
    ]);
  });

  it('closes a connection that sends an endless line, and the target lives on', async () => {
    const target = await start();
    const probe = await probeOf(target);
    const [answer] = await rawExchange(target.socketPath, 'x'.repeat(200_000), 1);
    expect(answer).toMatchObject({ id: null, ok: false, error: { code: 'SOAK_ERR_LINE_TOO_LONG' } });
    expect((await probe.info()).pid).toBe(target.pid);
  });

  it('survives a harness that disconnects in the middle of a checkpoint', async () => {
    const target = await start();
    const probe = await probeOf(target);
    for (let i = 0; i < 5; i++) {
      const socket = createConnection({ path: target.socketPath });
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('{"id":1,"op":"checkpoint"}\n{"id":2,"op":"sample"}\n');
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await probe.sample()).memory.rss).toBeGreaterThan(0);
    expect(target.child.exitCode).toBeNull();
  });

  it('answers concurrent requests by id', async () => {
    const target = await start();
    const probe = await probeOf(target);
    const [checkpoint, sample, info] = await Promise.all([probe.checkpoint(), probe.sample(), probe.info()]);
    expect(checkpoint.memory.heapUsed).toBeGreaterThan(0);
    // heapUsed split by V8 space, taken as one consistent pair (probe.ts settledHeapFigures): the spaces add up to
    // it within a few kB at every checkpoint, also when the concurrent sweeper was still freeing pages.
    expect(checkpoint.heapSpaces?.old_space).toBeGreaterThan(0);
    const gaps = [];
    for (const c of [checkpoint, ...(await Promise.all([1, 2, 3, 4, 5].map(() => probe.checkpoint())))]) {
      gaps.push(Math.abs(Object.values(c.heapSpaces ?? {}).reduce((a, b) => a + b, 0) - c.memory.heapUsed));
    }
    expect(Math.max(...gaps)).toBeLessThan(64 * 1024);
    expect(sample.cpu.user).toBeGreaterThan(0);
    expect(info.pid).toBe(target.pid);
  });
});

describe('lifecycle', () => {
  it('never keeps the target alive: a target that releases everything exits promptly', async () => {
    const target = await start();
    const probe = await probeOf(target);
    const second = await connectProbe(target.socketPath);
    clients.push(second);
    await probe.sample();
    await target.command('interval');
    const quitAt = performance.now();
    target.child.stdin!.write('quit\n');
    const exit = await exitWithin(target, 5_000);
    expect(exit.code).toBe(0);
    // Node exits as soon as nothing ref'd is left; 1 s leaves room for a busy CI box.
    expect(exit.atMs - quitAt).toBeLessThan(1_000);
    await expect(probe.sample()).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_UNAVAILABLE' });
  });

  it('a short-lived script exits on time with the probe loaded and a harness connected', async () => {
    const target = await start({ args: ['-e', 'setTimeout(() => {}, 300)'], waitForListening: false });
    const probe = await probeOf(target);
    const exit = await exitWithin(target, 5_000);
    expect(exit.code).toBe(0);
    expect(probe.closed || (await probe.info().catch((error: { code: string }) => error.code)) === 'SOAK_ERR_PROBE_UNAVAILABLE').toBe(true);
    // The exit hook removed the socket file.
    expect(existsSync(target.socketPath)).toBe(false);
  });

  it('hides its own handles: a target holding one ref\'d interval reports exactly that', async () => {
    // stdout/stderr are never touched by this target, so no stdio handle exists either.
    const target = await start({ args: ['-e', 'setInterval(() => {}, 1000)'], waitForListening: false });
    const probe = await probeOf(target);
    const second = await connectProbe(target.socketPath);
    clients.push(second);
    const sample = await probe.sample();
    expect(sample.resources).toEqual({ Timeout: 1 });
    const checkpoint = await second.checkpoint();
    expect(checkpoint.resourcesBeforeGc).toEqual({ Timeout: 1 });
    expect(checkpoint.resourcesAfterGc).toEqual({ Timeout: 1 });
  });

  it('lists its own fds (listener + one per connection), none of them TCP, for /proc to exclude', async () => {
    const target = await start();
    const probe = await probeOf(target);
    const one = await probe.info();
    expect(one.ownFds).toHaveLength(2);
    const second = await connectProbe(target.socketPath);
    clients.push(second);
    await second.info(); // the probe has accepted it once it answers on it
    const two = await probe.info();
    expect(two.ownFds).toHaveLength(3);
    for (const fd of two.ownFds) expect(readlinkSync(`/proc/${target.pid}/fd/${fd}`)).toMatch(/^socket:\[\d+\]$/);
    const all = await readProc(target.pid);
    const excluded = await readProc(target.pid, { excludeFds: two.ownFds });
    expect(all.fds - excluded.fds).toBe(3);
    expect(excluded.tcp).toEqual(all.tcp);
  });
});

describe('attribution ops (after the judged run)', () => {
  it('handles: lists the target\'s sockets by endpoint, unref\'d ones included, and leaves the probe\'s own out', async () => {
    // One server, three client sockets to it (one unref'd), all in the target.
    const script = [
      "const net = require('node:net');",
      'const server = net.createServer(() => {}).listen(0, "127.0.0.1", () => {',
      '  const { port } = server.address();',
      '  for (let i = 0; i < 3; i++) { const s = net.connect(port, "127.0.0.1"); if (i === 0) s.unref(); }',
      '});',
    ].join('\n');
    const target = await start({ args: ['-e', script], waitForListening: false });
    const probe = await probeOf(target);
    let handles = await probe.handles();
    for (let i = 0; i < 50 && handles.groups.filter((g) => g.type === 'tcp' && g.endpoint !== '' && !g.endpoint.startsWith('local')).reduce((n, g) => n + g.count, 0) < 6; i++) {
      await new Promise((r) => setTimeout(r, 50));
      handles = await probe.handles();
    }
    const tcp = handles.groups.filter((g) => g.type === 'tcp');
    const server = tcp.find((g) => g.endpoint.startsWith('local 127.0.0.1:'));
    expect(server?.count).toBe(1);
    const port = server!.endpoint.split(':').at(-1);
    // The 3 sockets the target opened, by the server's address; the 3 it accepted, by the port they came in on.
    const opened = tcp.filter((g) => g.endpoint === `remote 127.0.0.1:${port}`);
    expect(opened.reduce((n, g) => n + g.count, 0)).toBe(3);
    expect(opened.find((g) => !g.referenced)?.count).toBe(1);
    expect(tcp.find((g) => g.endpoint === `clients of :${port}`)?.count).toBe(3);
    // The probe's listener and connection are Unix pipes it owns: none listed.
    expect(handles.groups.filter((g) => g.type === 'pipe').reduce((n, g) => n + g.count, 0)).toBe(0);
    expect(handles.ms).toBeLessThan(1_000);
  });

  it('snapshot: writes a heap snapshot the size it reports, and refuses a relative path', async () => {
    const target = await start();
    const probe = await probeOf(target);
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/probe-snap-`);
    try {
      const snap = await probe.snapshot(`${dir}/a.heapsnapshot`);
      expect(snap.bytes).toBe(statSync(`${dir}/a.heapsnapshot`).size);
      expect(snap.bytes).toBeGreaterThan(100_000);
      await expect(probe.snapshot('a.heapsnapshot')).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_REMOTE', message: expect.stringContaining('"path"') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sites with includeCollected: names where garbage is allocated, which live bytes cannot', async () => {
    // churnGarbage allocates ~1 MB per 10 ms and keeps nothing.
    const script = [
      'function churnGarbage() { let a; for (let i = 0; i < 1000; i++) a = new Array(100).fill(i); return a.length; }',
      'setInterval(churnGarbage, 10);',
    ].join('\n');
    const target = await start({ args: ['-e', script], waitForListening: false });
    const probe = await probeOf(target);
    const live = await probe.sites(16 * 1024);
    expect(live).toMatchObject({ active: true, includeCollected: false });
    await new Promise((r) => setTimeout(r, 500));
    const liveProfile = await probe.checkpoint();
    const liveChurn = liveProfile.sites!.top.filter((s) => s.alloc.startsWith('churnGarbage')).reduce((n, s) => n + s.bytes, 0);
    const cumulative = await probe.sites(16 * 1024, { includeCollected: true });
    expect(cumulative).toMatchObject({ active: true, includeCollected: true });
    await new Promise((r) => setTimeout(r, 500));
    const profile = await probe.profile();
    expect(profile?.includeCollected).toBe(true);
    const churn = profile!.top.filter((s) => s.alloc.startsWith('churnGarbage')).reduce((n, s) => n + s.bytes, 0);
    // ≈ 50 MB allocated in 0.5 s; live, after a checkpoint's GCs, at most the last array.
    expect(churn).toBeGreaterThan(5_000_000);
    expect(liveChurn).toBeLessThan(churn / 100);
    expect(profile!.top[0]!.alloc).toMatch(/^churnGarbage/);
    await probe.sites(0);
    expect(await probe.profile()).toBeNull();
  });
});
