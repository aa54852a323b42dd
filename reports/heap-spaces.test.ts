// The report's heap-by-space table: from the verdict's heapSpaces, open when
// the heap's rise is real, absent for runs without the split.
import { describe, expect, it } from 'vitest';
import { judgeRun } from '../harness/verdict/index.ts';
import type { Checkpoint } from '../harness/records.ts';
import { syntheticCheckpoints } from '../test/fixtures/verdict/synthetic.ts';
import { heapSpacesSection } from './heap-spaces.ts';

const meta = { scenario: 'calibration', seed: 1, nodeVersion: 'v24.21.0' };

function run(code: number, split = true): Checkpoint[] {
  return syntheticCheckpoints({ checkpoints: 16, seed: `report-spaces-${code}`, heapUsed: (r) => code * r }).map((c) =>
    split ? { ...c, heapSpaces: { old_space: c.memory.heapUsed - 400_000 - Math.round(code * c.requestsCompleted), code_space: 400_000 + Math.round(code * c.requestsCompleted) } } : c,
  );
}

describe('heapSpacesSection', () => {
  it('a rise in code_space: open, code_space first with its meaning and share', () => {
    const html = heapSpacesSection(judgeRun(meta, run(40), []));
    expect(html).toContain('<details id="heap-spaces" open>');
    const rows = html.split('<tr>').slice(2);
    expect(rows[0]).toContain('<th scope="row" class="mono">code_space</th><td class="muted">JIT machine code</td><td class="num">+40.0 B/request');
    expect(rows[0]).toMatch(/<td class="num">100 %<\/td>/);
  });

  it('a flat heap: closed; a run without the split: nothing', () => {
    expect(heapSpacesSection(judgeRun(meta, run(0), []))).toMatch(/^<details id="heap-spaces">/);
    expect(heapSpacesSection(judgeRun(meta, run(40, false), []))).toBe('');
  });
});
