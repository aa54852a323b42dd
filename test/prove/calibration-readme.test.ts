// The README's calibration tables are printed from the ledger committed in
// bench/calibration-ledgers/ (`npm run soak -- calibrate --summary DIR
// --markdown`), never typed in: this fails when a chunk appended runs and the
// README was not regenerated, or when the README's figures were edited by hand.
// A ledger on one machine's disk is lost with the machine (a 33-run one was,
// 2026-12-07); a committed one is carried by every clone.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrationFigures } from '../../harness/index.ts';
import { formatSummaryMarkdown } from '../../harness/calibrate/summary.ts';

const root = resolve(import.meta.dirname, '../..');
const LEDGER = join(root, 'bench/calibration-ledgers/full-adaptive');
const README = readFileSync(join(root, 'README.md'), 'utf8');

describe('README calibration tables (bench/calibration-ledgers/full-adaptive)', () => {
  const f = calibrationFigures(LEDGER);

  it('the committed ledger is the full plan, judged with the adaptive floor, on the pinned Node', () => {
    expect(f.header.plan.mode).toBe('full');
    expect(f.header.plan.floor).toBe('adaptive');
    expect(f.header.node).toMatch(/^v24\./);
    expect(f.runs.length).toBeGreaterThan(0);
    expect(f.preloadInvisible).toBe(true);
  });

  it('the README quotes its tables as --summary --markdown prints them, with its run count', () => {
    const tables = formatSummaryMarkdown(f.summary, f.heapFloor);
    expect(README.includes(tables), `README.md is stale: paste the tables of npm run soak -- calibrate --summary bench/calibration-ledgers/full-adaptive --markdown`).toBe(true);
    const counted = f.complete ? `full mode with \`--floor adaptive\`, ${f.planned} runs` : `${f.runs.length} of ${f.planned} runs`;
    expect(README).toContain(counted);
  });
});
