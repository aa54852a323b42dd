// The micro-benchmark table's comparisons and the --only selection: ratios
// are taken against the fixed row of the same mechanism AND size, and an
// unknown mechanism is a usage error naming the flag.

import { describe, expect, it } from 'vitest';
import { compare, formatTable, grouped } from './table.ts';
import type { Row } from './run.ts';
import { selectMechanisms } from '../micro.bench.ts';

function row(over: Partial<Row>): Row {
  return {
    mechanism: 'account-clone', variant: 'v', role: 'fixed', size: '1k accounts', opsPerSec: 1000, rmePercent: 1, tinybenchThroughputMean: 1000, meanMs: 1, samples: 10,
    allocatedBytesPerOp: 100, allocationGcs: 0, retainedHeapBytesPerOp: 0, retainedExternalBytesPerOp: 0, memoryOps: 10, note: '', ...over,
  };
}

describe('bench/micro/table', () => {
  it('compares each row with the fixed row of its mechanism and size', () => {
    const rows = compare([
      row({ role: 'leaky', size: '1k accounts', opsPerSec: 10, allocatedBytesPerOp: 50_000, retainedHeapBytesPerOp: 60 }),
      row({ role: 'fixed', size: '1k accounts', opsPerSec: 1_000, allocatedBytesPerOp: 100, retainedHeapBytesPerOp: 10 }),
      row({ role: 'leaky', size: '5k accounts', opsPerSec: 2, allocatedBytesPerOp: 250_000 }),
      row({ role: 'fixed', size: '5k accounts', opsPerSec: 1_000, allocatedBytesPerOp: 0.2 }),
      row({ mechanism: 'lazy-lru', role: 'leaky', size: 'cap 1000' }),
    ]);
    expect(rows[0]!.slowerThanFixed).toBe(100);
    expect(rows[0]!.allocatedVsFixed).toBe(500);
    expect(rows[0]!.retainedMinusFixed).toBe(50);
    expect(rows[1]!.slowerThanFixed).toBe(1);
    expect(rows[2]!.slowerThanFixed).toBe(500);
    expect(rows[2]!.allocatedVsFixed).toBeNull(); // the fixed row allocates < 1 B/op
    expect(rows[4]!.slowerThanFixed).toBeNull(); // no fixed row for it
    const text = formatTable(rows);
    expect(text.split('\n')[0]).toMatch(/^mechanism\s+way\s+size\s+ops\/s/);
    expect(text).toContain('100×');
    expect(text).toContain('n/a');
  });

  it('groups digits and keeps signs', () => {
    expect(grouped(237_820)).toBe('237 820');
    expect(grouped(-1_234.5, 1)).toBe('-1 234.5');
    expect(grouped(-0.01, 1)).toBe('0.0');
  });

  it('selects mechanisms by catalog name and refuses unknown ones', () => {
    expect(selectMechanisms(undefined)).toEqual(['account-clone', 'lazy-lru', 'error-body', 'sync-tracker']);
    expect(selectMechanisms('sync-tracker, account-clone')).toEqual(['account-clone', 'sync-tracker']);
    expect(() => selectMechanisms('account-clone,nope')).toThrow(/--only: unknown mechanism "nope"/);
  });
});
