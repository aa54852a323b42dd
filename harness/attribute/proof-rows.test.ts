// A proof's culprit rows, leaky → fixed, and the lines under a verdict, from hand-made attribution records.

import { describe, expect, it } from 'vitest';
import { attributionLines } from './format.ts';
import { proofAttributionLines, proofAttributionRows } from './proof-rows.ts';
import type { AttributionRecord } from './record.ts';
import type { RetainedRow, SnapshotDiffResult } from './types.ts';

function row(name: string, countDelta: number, bytesPerRequest: number, extra: Partial<RetainedRow> = {}): RetainedRow {
  return { name, kind: 'named', countDelta, selfBytesDelta: bytesPerRequest * 10_000, bytesPerRequest, retainedBytesAdded: bytesPerRequest * 30_000, retainedBytesPerRequest: bytesPerRequest * 3, countPerThousandRequests: countDelta / 10, steady: true, ...extra };
}

function record(named: RetainedRow[], extra: Partial<AttributionRecord> = {}): AttributionRecord {
  const retained: SnapshotDiffResult = {
    snapshots: [],
    requests: 10_000,
    totalSelfBytesDelta: 0,
    bytesPerRequest: null,
    named,
    internal: [],
    timers: [],
    diffMs: 300,
    nodeVersion: 'v24.21.0',
  };
  return {
    recordVersion: 1,
    nodeVersion: 'v24.21.0',
    status: 'ok',
    trigger: 'proof',
    window: { requests: 10_000, ms: 20_000, windows: 2 },
    snapshots: [{ file: 'attribution/heap-0.heapsnapshot', bytes: 1, ms: 1, heapUsed: 1, kept: false }],
    retained,
    handles: null,
    sockets: null,
    allocations: null,
    errors: [],
    tailMs: 1,
    diffMs: 1,
    ...extra,
  };
}

const path = { steps: [], text: 'Scheduler.#inflight → Map → {id, controller, model, committed}' };

describe('proofAttributionRows', () => {
  it("puts the leaky run's top growing class next to the same class in the fixed run", () => {
    const leaky = record([row('{id, controller, model, committed}', 10_000, 120, { retainerPath: path }), row('AbortController', 10_000, 40)]);
    const fixed = record([row('AbortController', 2, 0.01)]);
    const rows = proofAttributionRows(leaky, fixed);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ part: 'retained', name: '{id, controller, model, committed}', where: path.text });
    expect(rows[0]!.leaky).toContain('+10,000 objects');
    expect(rows[0]!.fixed).toBe('not among the rows that changed (flat)');
    expect(proofAttributionLines(rows)[0]).toMatch(/^retained  \{id, controller, model, committed\}: leaky \+10,000 objects .* → fixed not among/);
  });

  it('shows a timer callback and an allocation site the same way, and says when the fixed run was not attributed', () => {
    const leaky = record([], {
      allocations: { intervalBytes: 65_536, totalBytes: 1e9, bytesPerRequest: 100_000, top: [{ frame: 'cloneAccount (relay/accounts/store.ts:40)', alloc: 'cloneAccount (relay/accounts/store.ts:40)', bytes: 9e8, bytesPerRequest: 90_000, share: 0.9 }] },
    });
    leaky.retained!.timers = [{ callback: 'poll', location: 'relay/scheduler.ts:150', countDelta: 1_000, countPerThousandRequests: 100 }];
    const rows = proofAttributionRows(leaky, { ...record([]), status: 'unavailable', reason: 'x' });
    expect(rows.map((r) => r.part)).toEqual(['timers', 'allocated']);
    expect(rows[0]!.name).toBe('poll (relay/scheduler.ts:150)');
    expect(rows.every((r) => r.fixed === 'not attributed in the fixed run')).toBe(true);
    expect(rows[1]!.leaky).toMatch(/^87\.9 KiB\/request, 90 % of allocation/);
  });

  it('names a growing handle group only from a few added: one more timer is of the moment, not a culprit', () => {
    const group = (type: string, delta: number) => ({ type, referenced: false, endpoint: '', count: delta, delta, perThousandRequests: delta / 10 });
    const handles = (...growing: ReturnType<typeof group>[]) => ({ before: 0, after: 0, growing }) as unknown as AttributionRecord['handles'];
    expect(proofAttributionRows(record([], { handles: handles(group('timer', 1)) }), record([]))).toEqual([]);
    const rows = proofAttributionRows(record([], { handles: handles(group('timer', 2), group('tcp', 40)) }), record([]));
    expect(rows.map((r) => [r.part, r.name])).toEqual([['handles', "tcp (unref'd)"]]);
  });

  it('has nothing to say without a leaky attribution', () => {
    expect(proofAttributionRows(null, record([]))).toEqual([]);
  });
});

describe('attributionLines', () => {
  it('prints the top rows with their retainer path, and the one line when unavailable', () => {
    const lines = attributionLines(record([row('{id, controller, model, committed}', 10_000, 120, { retainerPath: path })]));
    expect(lines[0]).toMatch(/^attribution \(after the judged run, never judged: 1 heap snapshots, 10,000 requests in 2 windows of 10 s\):$/);
    expect(lines[1]).toContain('retained  {id, controller, model, committed}: +10,000 objects (1000/1k requests), 120 B/request self, retaining 360 B/request  ← Scheduler.#inflight');
    expect(attributionLines({ ...record([]), status: 'unavailable', reason: 'attribution needs a Node target with the probe (--no-probe was given)' })).toEqual([
      'attribution: attribution needs a Node target with the probe (--no-probe was given)',
    ]);
  });
});
