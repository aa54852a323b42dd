import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readNdjson } from './read-run.ts';
import { createRunFolder, uniqueRunDir } from './run-folder.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'runfolder-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('run folder', () => {
  it('refuses a folder that already holds a run', () => {
    const dir = tmp();
    createRunFolder(dir).writeJson('run.json', { a: 1 });
    expect(() => createRunFolder(dir)).toThrow(/already holds a run/);
  });

  it('picks a fresh run directory when the id is taken', () => {
    const root = tmp();
    createRunFolder(join(root, 'x')).writeJson('run.json', {});
    expect(uniqueRunDir(root, 'x')).toBe(join(root, 'x-2'));
  });

  it('keeps every sample written before a SIGKILL readable', async () => {
    const dir = tmp();
    // A writer process that appends samples as fast as it can until killed.
    const script = `
      import { createRunFolder } from ${JSON.stringify(join(import.meta.dirname, 'run-folder.ts'))};
      const f = createRunFolder(${JSON.stringify(dir)});
      let i = 0;
      const tick = () => { for (let k = 0; k < 50; k++) f.sample({ kind: 'sample', t: i, seq: i++, pad: 'x'.repeat(200) }); if (i === 500) process.stdout.write('ready\\n'); setImmediate(tick); };
      tick();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const { records, skipped } = readNdjson<{ seq: number }>(join(dir, 'samples.ndjson'));
    expect(records.length).toBeGreaterThanOrEqual(500);
    expect(skipped).toBeLessThanOrEqual(1);
    // Contiguous: no sample lost in the middle.
    records.forEach((r, i) => expect(r.seq).toBe(i));
    expect(readFileSync(join(dir, 'samples.ndjson'), 'utf8').length).toBeGreaterThan(0);
  });
});
