// The fake upstream keeps idle client connections open like a real provider
// (minutes, not Node's 5 s), and tells requests it is still serving from
// responses that only wait for the client to read them (stats.awaitingClient),
// so a harness drain waits for the first and not for the second.

import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_IDLE_TIMEOUT_MS, startUpstream, type Upstream } from './index.ts';
import { parseCli } from './cli-args.ts';
import { ACCOUNTS, authHeader, CHAT_BODY, SEED, waitFor } from './test-support.ts';

const opened: Array<Upstream | Socket> = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) {
    if ('close' in o && typeof (o as Upstream).stats === 'function') await (o as Upstream).close();
    else (o as Socket).destroy();
  }
});

async function upstream(idleTimeoutMs?: number): Promise<Upstream> {
  const up = await startUpstream({ seed: SEED, accounts: ACCOUNTS, ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}) });
  opened.push(up);
  return up;
}

/** A raw keep-alive connection that sends one chat request; `read` false leaves the response unread. */
function rawRequest(up: Upstream, fault: string | null, read: boolean): { socket: Socket; received: () => string; closed: () => boolean } {
  const socket = connect({ host: '127.0.0.1', port: up.port });
  opened.push(socket);
  let text = '';
  let closed = false;
  socket.on('close', () => (closed = true));
  if (read) socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  else socket.pause();
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${authHeader(1)}\r\n` +
      `${fault ? `x-mock-fault: ${fault}\r\n` : ''}Content-Length: ${Buffer.byteLength(CHAT_BODY)}\r\n\r\n${CHAT_BODY}`,
  );
  return { socket, received: () => text, closed: () => closed };
}

it('keeps an idle connection open for minutes by default, and says so in Keep-Alive', async () => {
  expect(DEFAULT_IDLE_TIMEOUT_MS).toBe(300_000);
  const up = await upstream();
  const c = rawRequest(up, null, true);
  expect(await waitFor(() => c.received().includes('"chat.completion"'), 5_000)).toBeGreaterThanOrEqual(0);
  expect(c.received()).toMatch(/\r\nKeep-Alive: timeout=300\r\n/i);
  // Node's own default would have closed it by now (5 s + 1 s); 1.5 s is enough to see the timer is not 1 s either.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(c.closed()).toBe(false);
  expect(up.stats().openConnections).toBe(1);
});

it('closes an idle connection after --idle-timeout (plus Node\'s 1-s buffer), not before', async () => {
  const up = await upstream(1_000);
  const c = rawRequest(up, null, true);
  expect(await waitFor(() => c.received().includes('"chat.completion"'), 5_000)).toBeGreaterThanOrEqual(0);
  const started = performance.now();
  expect(c.received()).toMatch(/\r\nKeep-Alive: timeout=1\r\n/i);
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(c.closed()).toBe(false);
  expect(await waitFor(() => c.closed(), 4_000)).toBeGreaterThanOrEqual(0);
  expect(performance.now() - started).toBeGreaterThan(900);
});

it('counts a large body the client does not read as in flight AND awaiting the client; a read one as neither', async () => {
  const up = await upstream();
  // 16 MiB: more than loopback's socket buffers take (a 256 KiB body fits in them whole, and its response finishes unread).
  up.setPlan({ rules: [], largeBodyBytes: 16 * 1024 * 1024 });
  const unread = rawRequest(up, '429-large', false);
  expect(await waitFor(() => up.stats().awaitingClient === 1, 5_000)).toBeGreaterThanOrEqual(0);
  expect(up.stats()).toMatchObject({ inFlight: 1, awaitingClient: 1 });
  // A stats read is a control route: it never counts itself in flight.
  const res = await fetch(`${up.url}/__upstream/stats`);
  expect(await res.json()).toMatchObject({ inFlight: 1, awaitingClient: 1 });
  // Once the client reads, the response finishes: nothing in flight, nothing awaiting.
  unread.socket.on('data', () => {});
  unread.socket.resume();
  expect(await waitFor(() => up.stats().inFlight === 0, 5_000)).toBeGreaterThanOrEqual(0);
  expect(up.stats().awaitingClient).toBe(0);
  // Still open afterwards: the upstream does not close a connection whose client was slow.
  expect(unread.closed()).toBe(false);
});

it('refuses an idle timeout out of range, in the API and on the CLI (naming the flag)', async () => {
  await expect(startUpstream({ seed: SEED, accounts: ACCOUNTS, idleTimeoutMs: 10 })).rejects.toThrow(/idleTimeoutMs: expected an integer in \[1000, 3600000\], got 10/);
  expect(() => parseCli(['--idle-timeout', '999'])).toThrow(/--idle-timeout/);
  expect(parseCli(['--idle-timeout', '600000'])).toMatchObject({ kind: 'run', options: { idleTimeoutMs: 600_000 } });
  expect(parseCli([])).toMatchObject({ kind: 'run', options: { idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS } });
});
