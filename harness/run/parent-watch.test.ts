import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentParentPid, watchParent } from './parent-watch.ts';

const root = mkdtempSync(join(tmpdir(), 'parent-watch-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const MODULE = resolve(import.meta.dirname, 'parent-watch.ts');

describe('watchParent', () => {
  it('reads the parent pid from /proc', () => {
    expect(currentParentPid()).toBe(process.ppid);
  });

  it('calls back once the parent is SIGKILLed (the grandchild is reparented)', async () => {
    const flag = join(root, 'gone');
    // middle → grandchild; the grandchild watches its parent (the middle) and writes `flag` when it is gone.
    const grandchild = `import { watchParent } from ${JSON.stringify(MODULE)}; import { writeFileSync } from 'node:fs';
      watchParent(() => { writeFileSync(${JSON.stringify(flag)}, 'gone'); process.exit(0); }, 100);
      setTimeout(() => process.exit(3), 20000); console.log('ready');`;
    const middle = spawn(
      process.execPath,
      ['-e', `const c = require('node:child_process').spawn(process.execPath, ['--input-type=module', '-e', ${JSON.stringify(grandchild)}], { stdio: ['ignore', 'inherit', 'inherit'] }); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((r) => middle.stdout!.once('data', r));
    expect(existsSync(flag)).toBe(false);
    middle.kill('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (!existsSync(flag) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(flag, 'utf8')).toBe('gone');
  });

  it('watches nothing when stopped', async () => {
    let called = 0;
    const w = watchParent(() => called++, 10);
    w.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(called).toBe(0);
  });
});
