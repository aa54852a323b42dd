import { afterEach, describe, expect, it } from 'vitest';
import { spawnChild, type Child } from './child.ts';
import { descendants, isAlive } from './pids.ts';

const started: Child[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.stop(500);
});

const alive = isAlive;

const serverScript = `
  const http = require('node:http');
  const s = http.createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => {
    console.error('some stderr noise');
    console.log('relay: listening on http://127.0.0.1:' + s.address().port);
  });
  process.on('SIGTERM', () => s.close(() => process.exit(0)));
`;

describe('spawnChild', () => {
  it('waits for the readiness line and returns its URL', async () => {
    const c = await spawnChild({
      name: 'target',
      command: process.execPath,
      args: ['-e', serverScript],
      ready: { pattern: /^relay: listening on (http:\/\/127\.0\.0\.1:\d+)$/ },
      readyTimeoutMs: 10_000,
    });
    started.push(c);
    expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(c.url);
    expect(await res.text()).toBe('ok');
    const exit = await c.stop();
    expect(exit.code).toBe(0);
    expect(alive(c.pid)).toBe(false);
  });

  it('reports a child that exits before it is ready, with its last stderr lines', async () => {
    const err = await spawnChild({
      name: 'upstream',
      command: process.execPath,
      args: ['-e', 'console.error("--port: expected an integer"); process.exit(2)'],
      ready: { pattern: /listening on (\S+)/ },
      readyTimeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SOAK_ERR_CHILD_EXITED' });
    expect((err as { details: string[] }).details.join('\n')).toContain('--port: expected an integer');
  });

  it('times out a child that never becomes ready, and kills it', async () => {
    const err = await spawnChild({
      name: 'target',
      command: process.execPath,
      args: ['-e', 'console.error("booting"); setInterval(() => {}, 1000)'],
      ready: { pattern: /listening on (\S+)/ },
      readyTimeoutMs: 800,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SOAK_ERR_READY_TIMEOUT' });
    expect((err as Error).message).toContain('not ready within 800 ms');
  });

  it('stops a shell command and its grandchildren (port readiness)', async () => {
    const { freePort } = await import('./free-port.ts');
    const port = await freePort();
    const c = await spawnChild({
      name: 'target',
      command: `${JSON.stringify(process.execPath)} -e "require('node:http').createServer((q,r)=>r.end('ok')).listen(${port}, '127.0.0.1')"`,
      shell: true,
      ready: { port },
      readyTimeoutMs: 10_000,
    });
    started.push(c);
    const kids = descendants(c.pid);
    expect(kids.length).toBeGreaterThanOrEqual(1);
    await c.stop(1_000);
    await new Promise((r) => setTimeout(r, 100));
    for (const pid of kids) expect(alive(pid)).toBe(false);
  });
});
