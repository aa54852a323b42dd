// The snapshot diff against a target of known content (fixtures/known-leaker.ts):
// a named class held in a private Map field, never-cleared interval timers with
// a named callback, and a control with no growth.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { diffSnapshots, pathText } from './snapshot-diff.ts';
import { runDiffProcess } from './run-diff.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(import.meta.dirname, 'fixtures/known-leaker.ts');
const DIFF_MAIN = join(import.meta.dirname, 'diff-main.ts');
const dir = mkdtempSync(join(tmpdir(), 'snapshot-diff-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The fixture's line of `function pollUpstream`, read from the file (so an edit there cannot break the test silently). */
const POLL_LINE = readFileSync(FIXTURE, 'utf8').split('\n').findIndex((l) => l.startsWith('function pollUpstream')) + 1;

async function leaker(): Promise<(line: string) => Promise<string>> {
  const child = spawn(process.execPath, [FIXTURE], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return async (line) => {
    child.stdin!.write(`${line}\n`);
    const { value } = await lines.next();
    return String(value);
  };
}

describe('diffSnapshots on a target of known content', () => {
  it('ranks the leaked class first, with its holder, its size per request and its timers by callback file:line', { timeout: 60_000 }, async () => {
    const send = await leaker();
    const files = [0, 1, 2].map((i) => join(dir, `leak-${i}.heapsnapshot`));
    await send(`snapshot ${files[0]}`);
    await send('grow 500');
    await send(`snapshot ${files[1]}`);
    await send('grow 500');
    await send(`snapshot ${files[2]}`);
    const d = await diffSnapshots(files, { requests: 1_000, projectRoot: ROOT });
    // Ranked by what the added objects retain: the two leaked kinds lead, a session (which holds its
    // payload array) ahead of the arrays themselves.
    expect(d.named.slice(0, 2).map((r) => r.name).sort()).toEqual(['LeakedSession', 'Timeout']);
    const top = d.named.find((r) => r.name === 'LeakedSession')!;
    expect(top.retainedBytesAdded).toBeGreaterThan(top.selfBytesDelta);
    expect(d.named.find((r) => r.name === 'Array')!.retainedBytesAdded).toBeLessThan(top.retainedBytesAdded);
    expect(top.countDelta).toBe(1_000);
    expect(top.steady).toBe(true);
    expect(top.countPerThousandRequests).toBe(1_000);
    // Self size of one LeakedSession (a few pointers): per request, one object's worth.
    expect(top.bytesPerRequest).toBeGreaterThan(10);
    expect(top.bytesPerRequest).toBeLessThan(100);
    expect(top.location).toMatch(/^harness\/attribute\/fixtures\/known-leaker\.ts:\d+$/);
    expect(top.retainerPath!.text).toMatch(/SessionStore\.#sessions → Map → LeakedSession$/);
    const timer = d.timers.find((t) => t.callback === 'pollUpstream');
    expect(timer).toEqual({ callback: 'pollUpstream', location: `harness/attribute/fixtures/known-leaker.ts:${POLL_LINE}`, countDelta: 1_000, countPerThousandRequests: 1_000 });
    // Timers themselves are a named row too, apart from the internals.
    expect(d.named.some((r) => r.name === 'Timeout' && r.countDelta === 1_000)).toBe(true);
    expect(d.internal.every((r) => r.name.startsWith('(') || r.name.startsWith('system /'))).toBe(true);
    expect(d.snapshots).toHaveLength(3);
  });

  it('a control with no growth between its snapshots has no named row of 100 objects or more', { timeout: 60_000 }, async () => {
    const send = await leaker();
    await send('grow 200');
    const files = [0, 1].map((i) => join(dir, `control-${i}.heapsnapshot`));
    await send(`snapshot ${files[0]}`);
    await send(`snapshot ${files[1]}`);
    const d = await runDiffProcess(files, { requests: 1_000, projectRoot: ROOT });
    expect(d.named.filter((r) => r.countDelta >= 100)).toEqual([]);
    expect(d.timers.filter((t) => t.countDelta !== 0)).toEqual([]);
  });
});

describe('diff-main bad input', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [DIFF_MAIN, ...args], { encoding: 'utf8' });

  it('names a missing snapshot (exit 3) and a missing --out (exit 2)', () => {
    const missing = run('--out', join(dir, 'x.json'), join(dir, 'nope-a.heapsnapshot'), join(dir, 'nope-b.heapsnapshot'));
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain('nope-a.heapsnapshot: no such file');
    const noOut = run('a', 'b');
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toContain('--out');
  });

  it('a file that is not a snapshot: exit 3, named, through runDiffProcess a typed error', async () => {
    const junk = join(dir, 'junk.heapsnapshot');
    writeFileSync(junk, '{"not": "a snapshot"}');
    await expect(runDiffProcess([junk, junk], { requests: null, projectRoot: ROOT })).rejects.toMatchObject({ code: 'SOAK_ERR_ATTRIBUTION', message: expect.stringContaining('junk.heapsnapshot') });
  });
});

describe('pathText', () => {
  it('drops synthetic roots and V8 containers, writes properties as .name', () => {
    const steps = [
      { holder: '(GC roots)', edge: '19', type: 'element' },
      { holder: '(Stack roots)', edge: '54', type: 'internal' },
      { holder: 'Scheduler', edge: '#inflight', type: 'property' },
      { holder: 'Map', edge: 'table', type: 'internal' },
      { holder: '(array)', edge: '68', type: 'internal' },
    ];
    expect(pathText(steps, '{id, controller}')).toBe('Scheduler.#inflight → Map → {id, controller}');
  });
});
