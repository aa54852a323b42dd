import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../run/pids.ts';
import { detachInspector, isNodeProcess, loadProbe, openInspector } from './inspector-attach.ts';
import { listeningPorts } from './proc.ts';
import { waitForProbe } from './probe-client.ts';

const root = mkdtempSync(join(tmpdir(), 'inspector-attach-'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A Node server that holds a growing array, as a relay with a leak would. */
async function nodeServer(): Promise<ChildProcess> {
  // --inspect-port=0: tests run in parallel, and two inspectors cannot share 9229.
  const c = spawn(process.execPath, ['--inspect-port=0', '-e', "globalThis.held = []; require('node:http').createServer((q, r) => { held.push('x'.repeat(1000)); r.end('ok'); }).listen(0, '127.0.0.1', () => console.log('up'));"], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(c);
  await new Promise((r) => c.stdout!.once('data', r));
  return c;
}

describe('attaching to a running process', () => {
  it('tells a Node process from any other by /proc', async () => {
    const node = await nodeServer();
    const sleeper = spawn('sleep', ['30']);
    children.push(sleeper);
    expect(isNodeProcess(node.pid!)).toBe(true);
    expect(isNodeProcess(sleeper.pid!)).toBe(false);
    // Refused before any signal: SIGUSR1 would kill `sleep`.
    await expect(openInspector(sleeper.pid!)).rejects.toThrow(/not a Node process/);
    expect(isAlive(sleeper.pid!)).toBe(true);
  });

  it('opens the inspector, loads the probe (it answers as a preloaded one), then unloads it and closes the inspector', async () => {
    const node = await nodeServer();
    const before = listeningPorts(node.pid!);
    const inspector = await openInspector(node.pid!);
    expect(inspector.wasOpen).toBe(false);
    expect(listeningPorts(node.pid!).has(inspector.port)).toBe(true);
    const socket = join(root, 'probe.sock');
    await loadProbe(inspector, socket);
    const probe = await waitForProbe(socket, Date.now() + 5_000);
    const info = await probe.info();
    expect(info.pid).toBe(node.pid);
    expect(info.gcAvailable).toBe(true);
    const cp = await probe.checkpoint();
    expect(cp.memory.heapUsed).toBeGreaterThan(100_000);
    expect(cp.resourcesAfterGc['TCPServerWrap']).toBe(1);
    await probe.close();
    await detachInspector(inspector);
    const deadline = Date.now() + 3_000;
    while (listeningPorts(node.pid!).size !== before.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect([...listeningPorts(node.pid!)]).toEqual([...before]);
    expect(existsSync(socket)).toBe(false);
    expect(isAlive(node.pid!)).toBe(true);
  });
});
