// Reading a run folder back: skipped lines are listed with file and line (a
// torn last line told apart from damage in the middle) and carried into the
// verdict text; a run.json of another shape or version is refused naming the
// field; a run folder that cannot be made is refused without a mkdir (which
// loops forever on /proc).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeRun } from '../judge/run.ts';
import { syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../../test/fixtures/verdict/synthetic-meta.ts';
import { readRun, skippedLinesText } from './read-run.ts';
import { createRunFolder } from './run-folder.ts';
import { folderProblem } from './writable-folder.ts';

const root = mkdtempSync(join(tmpdir(), 'read-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, meta: unknown, checkpoints: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta, null, 2));
  writeFileSync(join(dir, 'checkpoints.ndjson'), checkpoints);
  return dir;
}

const lines = syntheticCheckpoints({ checkpoints: 12, phase: (i) => (i < 2 ? 'warm-up' : 'load') }).map((c) => JSON.stringify(c));

describe('readRun', () => {
  it('lists each unreadable line with file and line, a torn last line apart from damage in the middle', () => {
    const text = [...lines.slice(0, 4), '{"kind":"chec', ...lines.slice(4), '{"kind":"checkpoint","t":1'].join('\n');
    const run = readRun(folder('skips', syntheticMeta(), text));
    expect(run.checkpoints).toHaveLength(12);
    expect(run.skippedLines).toBe(2);
    expect(run.skipped.map((s) => [s.line, s.last])).toEqual([[5, false], [14, true]]);
    const said = skippedLinesText(run.skipped);
    expect(said.map((l) => l.level)).toEqual(['warning', 'note']);
    const words = said.map((l) => l.text).join('\n');
    expect(words).toContain('checkpoints.ndjson:5');
    expect(words).toContain('torn last line skipped: checkpoints.ndjson:14');
    expect(judgeRun(run).text).toMatch(/^warning: 1 unreadable line\(s\) skipped in the middle of .*checkpoints\.ndjson/m);
    expect(judgeRun(run).text).toMatch(/^note: torn last line skipped/m);
  });

  it('a run read whole says nothing about skipped lines', () => {
    const run = readRun(folder('whole', syntheticMeta(), lines.join('\n') + '\n'));
    expect(run.skipped).toEqual([]);
    expect(judgeRun(run).text).not.toMatch(/^(note|warning): /m);
  });

  it('refuses another shape or version naming the file, its line and the field', () => {
    expect(() => readRun(folder('v2', { ...syntheticMeta(), recordVersion: 2 }, ''))).toThrow(/run\.json:2: recordVersion: 2 is not a record version this harness reads/);
    const { target: _t, ...noTarget } = syntheticMeta();
    expect(() => readRun(folder('no-target', noTarget, ''))).toThrow(/run\.json: target: expected an object \(the target description\), got nothing \(missing\)/);
    expect(() => readRun(folder('bad-cp', syntheticMeta(), '{"kind":"checkpoint","t":1}\n'))).toThrow(/checkpoints\.ndjson:1: not a checkpoint record/);
  });
});

describe('run folders that cannot be made', () => {
  it('are refused before any mkdir: /proc, under a file; a fresh folder under tmp is fine', () => {
    expect(folderProblem('/proc/x/run')).toMatch(/proc filesystem/);
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    expect(folderProblem(join(file, 'run'))).toMatch(/is not a folder/);
    expect(folderProblem(join(root, 'new', 'deeper'))).toBeNull();
    expect(() => createRunFolder('/proc/x/run')).toThrow(expect.objectContaining({ code: 'SOAK_ERR_RUN_FOLDER' }));
  });
});
