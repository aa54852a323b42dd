// --budget: parsing, the floors it sets (never below what a run certifies),
// and a 16 B/request leak that the default δ 32 cannot call but a budget can.
import { describe, expect, it } from 'vitest';
import { syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { BUDGET_MIN_FLOORS, budgetFloors, parseBudget, perDay, sizeText } from './budget.ts';
import { formatVerdict, judgeRun, type VerdictRunMeta } from './index.ts';

const META: VerdictRunMeta = { scenario: 'steady', seed: 1, nodeVersion: 'v24.21.0', heapSizeLimit: 4 * 2 ** 30 };

describe('parseBudget', () => {
  it('reads sizes per day or hour, decimal and binary units', () => {
    expect(parseBudget('50MB/day').bytesPerDay).toBe(50e6);
    expect(parseBudget('1.5 GiB/day').bytesPerDay).toBe(1.5 * 2 ** 30);
    expect(parseBudget('200MiB/h').bytesPerDay).toBe(200 * 2 ** 20 * 24);
    expect(parseBudget('10 kb / hour')).toEqual({ text: '10kb/hour', bytesPerDay: 240e3 });
  });

  it('refuses anything else, naming the flag', () => {
    for (const bad of ['50MB', '50/day', 'MB/day', '-5MB/day', '0MB/day', '5 TB/day', '5MB/week', '']) {
      expect(() => parseBudget(bad), bad).toThrow(/^--budget: expected a (size per day or hour|positive size)/);
    }
  });
});

describe('budgetFloors', () => {
  it('spreads the budget over the production rate and keeps the least a run can certify', () => {
    // 1 GB/day at 500 req/s = 23.1 B/request: above every JS minimum, below rss's default.
    const f = budgetFloors({ text: '1GB/day', bytesPerDay: 1e9, productionRate: 500 }, 1_000)!;
    expect(f).toMatchObject({ rate: 500, rateSource: 'production', asked: 23.1, raised: ['rss'] });
    expect(f.floors).toEqual({ heapUsed: 23.1, external: 23.1, arrayBuffers: 23.1, rss: BUDGET_MIN_FLOORS.rss });
    // 50 MB/day at the run's own 1 000 req/s asks 0.579 B/request: raised to the minimum everywhere.
    const low = budgetFloors({ text: '50MB/day', bytesPerDay: 50e6 }, 1_000)!;
    expect(low).toMatchObject({ rateSource: 'run', asked: 0.579, raised: ['heapUsed', 'external', 'arrayBuffers', 'rss'] });
    expect(low.floors.heapUsed).toBe(BUDGET_MIN_FLOORS.heapUsed);
  });

  it('derives nothing without a rate', () => {
    expect(budgetFloors({ text: '1GB/day', bytesPerDay: 1e9 }, null)).toBeNull();
    expect(budgetFloors({ text: '1GB/day', bytesPerDay: 1e9 }, 0)).toBeNull();
  });

  it('says growth per day in decimal units', () => {
    expect(sizeText(perDay(16, 500))).toBe('691 MB');
    expect(sizeText(1.2e9)).toBe('1.2 GB');
  });
});

// 30 checkpoints, 20 000 requests apart, every 20 s: 1 000 req/s over 10 minutes (synthetic.ts).
describe('judgeRun with a budget', () => {
  const leak16 = () => syntheticCheckpoints({ checkpoints: 30, seed: 'leak16', heapUsed: (x) => 16 * x });

  it('a 16 B/request leak: NO-LEAK under the default δ 32, LEAK under a budget of 100 MB/day at 500 req/s', () => {
    const plain = judgeRun(META, leak16(), []);
    expect(plain.memory.find((m) => m.signal === 'heapUsed')!.status).toBe('NO-LEAK');
    expect(plain.budget).toBeUndefined();

    const v = judgeRun(META, leak16(), [], { budget: { text: '100MB/day', bytesPerDay: 100e6, productionRate: 500 } });
    const heap = v.memory.find((m) => m.signal === 'heapUsed')!;
    expect(heap.floor).toBe(2.31);
    expect(heap.status).toBe('LEAK');
    expect(v.status).toBe('LEAK');
    const text = formatVerdict(v);
    expect(text).toContain('budget 100MB/day at 500 req/s (production): δ 2.31 B/request; rss δ 256 (its default: rss moves in pages)');
    // 16 B × 500 req/s × 86 400 s ≈ 691 MB/day; at half the run's rate the 4 GiB limit is twice as far.
    expect(text).toMatch(/\n {2}heapUsed at 500 req\/s: \+69\d MB\/day \[\+6\d\d MB, \+[67]\d\d MB\]; the 4096 MiB heap limit in \d+\.\d d/);
  });

  it("a flat run states its bound per day at the run's own rate, and a budget it cannot certify is raised", () => {
    const v = judgeRun(META, syntheticCheckpoints({ checkpoints: 30, seed: 'flat' }), [], { budget: { text: '10MB/day', bytesPerDay: 10e6 } });
    const heap = v.memory.find((m) => m.signal === 'heapUsed')!;
    expect(heap.floor).toBe(BUDGET_MIN_FLOORS.heapUsed);
    expect(v.budget).toMatchObject({ rateSource: 'run', asked: 0.116 });
    const text = formatVerdict(v);
    expect(text).toContain("budget 10MB/day at 1000 req/s (this run's rate; --production-rate sets yours): δ 0.116 B/request, raised to 2 for heapUsed, external, arrayBuffers");
    expect(text).toMatch(/\n {2}heapUsed at 1000 req\/s: at most \+\d+(\.\d)? MB\/day \(CI upper\)/);
  });
});
