// socketPeers on this very process: a loopback server and K clients of it,
// so the process holds K accepted sockets and K connected ones.
//
// The vitest worker may still hold sockets from a file it ran before, and one
// of them can carry this server's port: an accepted connection outlives its
// server's close(), and SO_REUSEADDR lets the next listen(0) take the port
// (CI saw 6 "clients" of a 5-client server). The fds open before this file's
// sockets are therefore excluded, as the sampler excludes the harness's own.
import { readdirSync, readlinkSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketPeers } from './proc.ts';

const K = 5;
let server: Server;
let port = 0;
const sockets: Socket[] = [];
let before: number[] = [];

beforeAll(async () => {
  // Sockets only: the listing's own directory fd is closed by now and its
  // number is free for the server below.
  before = readdirSync('/proc/self/fd').map(Number).filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  });
  server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  await Promise.all(
    Array.from({ length: K }, () => new Promise<void>((resolve, reject) => {
      const c = connect({ host: '127.0.0.1', port }, () => resolve());
      c.on('error', reject);
      sockets.push(c);
    })),
  );
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('socketPeers', () => {
  it('groups the sockets by peer: clients of a listening port, and the remote endpoint (named) of the connected ones', async () => {
    const accepted = sockets.find((s) => s.localPort === port)!;
    accepted.pause();
    const client = sockets.find((s) => s.remotePort === port)!;
    // The client end matching `accepted`: write to it, nobody reads.
    const peerOfAccepted = sockets.find((s) => s.localPort === accepted.remotePort)!;
    // More than the stream's highWaterMark: Node buffers its first 64 KiB, the rest waits in the kernel (rx_queue).
    (peerOfAccepted ?? client).write(Buffer.alloc(1024 * 1024, 1));
    await new Promise((r) => setTimeout(r, 100));
    const peers = socketPeers(process.pid, { excludeFds: before, portNames: new Map([[port, 'test server']]) });
    const inbound = peers.find((p) => p.peer === `clients of :${port}`);
    const outbound = peers.find((p) => p.peer === `127.0.0.1:${port} (test server)`);
    expect(inbound).toMatchObject({ sockets: K, states: { ESTABLISHED: K } });
    expect(outbound).toMatchObject({ sockets: K, states: { ESTABLISHED: K } });
    expect(inbound!.unreadSockets).toBe(1);
    expect(inbound!.unreadBytes).toBeGreaterThan(10_000);
    expect(outbound!.unreadSockets).toBe(0);
  });
});
