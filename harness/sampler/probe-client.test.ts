// The probe client against fake probes that misbehave on purpose.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connectProbe, waitForProbe, type ProbeClient } from './probe-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'soak-client-'));
let nextSocket = 0;
const servers: Server[] = [];
const clients: ProbeClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLE = {
  memory: { rss: 1, heapUsed: 1, heapTotal: 1, external: 1, arrayBuffers: 1 },
  resources: {},
  eventLoopDelay: { p50: 0, p99: 0, max: 0, mean: 0 },
  cpu: { user: 1, system: 1 },
  gc: { count: 0, timeMs: 0, majorCount: 0 },
  allocatedBytes: 0,
};

type Handler = (request: { id: number; op: string }, socket: Socket) => void;

function freshPath(): string {
  return join(dir, `p${nextSocket++}.sock`);
}

/** A fake probe on a Unix socket: `handler` sees each parsed request. */
async function fakeProbe(handler: Handler, path = freshPath()): Promise<string> {
  const server = createServer((socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        handler(JSON.parse(line) as { id: number; op: string }, socket);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, () => resolve()));
  return path;
}

function answer(socket: Socket, body: unknown): void {
  socket.write(`${JSON.stringify(body)}\n`);
}

async function connect(path: string, timeoutMs = 500): Promise<ProbeClient> {
  const client = await connectProbe(path, { timeoutMs });
  clients.push(client);
  return client;
}

describe('connectProbe', () => {
  it('fails with SOAK_ERR_PROBE_UNAVAILABLE when no socket exists', async () => {
    await expect(connectProbe(join(dir, 'absent.sock'))).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_UNAVAILABLE', message: expect.stringContaining('ENOENT') });
  });

  it('rejects a bad timeout naming the option', () => {
    expect(() => connectProbe(join(dir, 'x.sock'), { timeoutMs: -1 })).toThrow(/timeoutMs: expected a positive number/);
  });

  it('matches answers to requests by id, in any order', async () => {
    const held: Array<{ id: number; op: string }> = [];
    const path = await fakeProbe((request, socket) => {
      held.push(request);
      if (held.length === 2) {
        // Answer the second request first.
        answer(socket, { id: held[1]!.id, ok: true, data: { pid: 2, ownFds: [] } });
        answer(socket, { id: held[0]!.id, ok: true, data: SAMPLE });
      }
    });
    const client = await connect(path);
    const [sample, info] = await Promise.all([client.sample(), client.info()]);
    expect(sample).toEqual(SAMPLE);
    expect(info.pid).toBe(2);
  });

  it('times a request out with SOAK_ERR_PROBE_TIMEOUT, drops its late answer, and stays usable', async () => {
    let calls = 0;
    const path = await fakeProbe((request, socket) => {
      calls++;
      if (calls === 1) setTimeout(() => answer(socket, { id: request.id, ok: true, data: SAMPLE }), 300);
      else answer(socket, { id: request.id, ok: true, data: { pid: 3, ownFds: [] } });
    });
    const client = await connect(path, 100);
    const started = performance.now();
    await expect(client.sample()).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_TIMEOUT', message: expect.stringContaining('"sample"') });
    expect(performance.now() - started).toBeLessThan(250);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the late answer arrives and is ignored
    expect((await client.info()).pid).toBe(3);
    expect(client.closed).toBe(false);
  });

  it('turns a probe error into SOAK_ERR_PROBE_REMOTE carrying the probe\'s code', async () => {
    const path = await fakeProbe((request, socket) =>
      answer(socket, { id: request.id, ok: false, error: { code: 'SOAK_ERR_GC_UNAVAILABLE', message: 'no gc' } }),
    );
    const client = await connect(path);
    await expect(client.checkpoint()).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_REMOTE', remoteCode: 'SOAK_ERR_GC_UNAVAILABLE' });
  });

  it('fails with SOAK_ERR_PROBE_PROTOCOL on an answer of the wrong shape', async () => {
    const path = await fakeProbe((request, socket) => answer(socket, { id: request.id, ok: true, data: { nope: 1 } }));
    const client = await connect(path);
    await expect(client.sample()).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_PROTOCOL' });
  });

  it('drops the connection on a line that is not JSON: pending and later requests fail', async () => {
    const path = await fakeProbe((request, socket) => socket.write('this is not json\n'));
    const client = await connect(path);
    await expect(client.sample()).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_PROTOCOL' });
    expect(client.closed).toBe(true);
    await expect(client.info()).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_PROTOCOL' });
  });

  it('fails pending requests with SOAK_ERR_PROBE_UNAVAILABLE when the target goes away', async () => {
    const path = await fakeProbe((request, socket) => socket.destroy());
    const client = await connect(path);
    await expect(client.checkpoint()).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_UNAVAILABLE' });
    expect(client.closed).toBe(true);
  });

  it('close() fails what is pending and resolves once the socket is closed', async () => {
    const path = await fakeProbe(() => {
      // never answers
    });
    const client = await connectProbe(path, { timeoutMs: 5_000 });
    const pending = client.sample().catch((error: unknown) => error);
    await client.close();
    expect(await pending).toMatchObject({ code: 'SOAK_ERR_PROBE_UNAVAILABLE' });
    await expect(client.sample()).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_UNAVAILABLE' });
  });
});

describe('waitForProbe', () => {
  const infoHandler: Handler = (request, socket) => answer(socket, { id: request.id, ok: true, data: { pid: 9, ownFds: [] } });

  it('retries until the target creates the socket', async () => {
    const path = freshPath();
    setTimeout(() => void fakeProbe(infoHandler, path), 300);
    const started = performance.now();
    const client = await waitForProbe(path, Date.now() + 5_000, { intervalMs: 25 });
    clients.push(client);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect((await client.info()).pid).toBe(9);
  });

  it('does not settle for a listener that never answers info', async () => {
    const path = await fakeProbe(() => {});
    const started = performance.now();
    await expect(waitForProbe(path, Date.now() + 400, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_UNAVAILABLE' });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('gives up at the deadline with SOAK_ERR_PROBE_UNAVAILABLE', async () => {
    const started = performance.now();
    await expect(waitForProbe(freshPath(), Date.now() + 200)).rejects.toMatchObject({ code: 'SOAK_ERR_PROBE_UNAVAILABLE' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('stops when its signal aborts (e.g. the target exited)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('target exited')), 100);
    const started = performance.now();
    await expect(waitForProbe(freshPath(), Date.now() + 10_000, { signal: controller.signal })).rejects.toMatchObject({
      code: 'SOAK_ERR_PROBE_UNAVAILABLE',
      message: expect.stringContaining('stopped waiting'),
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
