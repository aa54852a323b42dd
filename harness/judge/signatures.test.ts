// The harness's judging table against the relay's catalog: one judging entry
// per catalog variant and none for a variant the catalog lacks, and the derived
// signatures exactly what the catalog's `signature` field said before the
// judging moved here (the tuples below are copied from it), so the move lost
// nothing.

import { describe, expect, it } from 'vitest';
import { LEAK_CATALOG, LEAK_RESOURCES, type LeakEntry } from '../../relay/leaks/catalog.ts';
import { SIGNAL_OF, signatureOf, VARIANT_JUDGING, type LeakSignature } from './signatures.ts';

type Tuple = Pick<LeakSignature, 'kind' | 'signal' | 'perEvent' | 'perAccount' | 'event' | 'tolerance' | 'seen' | 'whileRunning'>;

/** relay/leaks/catalog.ts `signature` of each entry before the move (kind, signal, perEvent, perAccount, event, tolerance, seen). */
const BEFORE: Readonly<Record<string, Tuple>> = {
  'account-clone': { kind: 'churn', signal: 'allocated', perEvent: 3000, perAccount: true, event: 'api-call', tolerance: 0.5 },
  'error-body': { kind: 'handles', signal: 'handles:fds', perEvent: 1, event: '429-large', tolerance: 0.5 },
  // Added after the move (seed 002's read-fail and headers timeout): per stalled error body, and a level under load.
  'error-body-read-fail': { kind: 'handles', signal: 'handles:fds', perEvent: 1, event: '429-stall-body', tolerance: 0.5 },
  'headers-timeout': { kind: 'level', signal: 'handles:relay:relay_upstream_pool{field="running"}', perEvent: 1, event: 'stall-headers', tolerance: 0.5, seen: 'under-load' },
  'sse-abort': { kind: 'level', signal: 'handles:tcp:ESTABLISHED', perEvent: 1, event: 'sse-abort', tolerance: 0.5, seen: 'under-load' },
  'sync-tracker': { kind: 'retained', signal: 'heapUsed', perEvent: 55, event: 'sync-event', tolerance: 0.5 },
  listener: { kind: 'retained', signal: 'heapUsed', perEvent: 4000, event: 'sse-abort', tolerance: 0.5 },
  'lazy-lru': { kind: 'retained', signal: 'external', perEvent: 570, event: 'idempotency-key', tolerance: 0.6 },
  'inflight-map': { kind: 'retained', signal: 'heapUsed', perEvent: 500, event: 'requests', tolerance: 0.5 },
  // Added after the move, with the catalog entry: judged like inflight-map, per error answer.
  'inflight-error-path': { kind: 'retained', signal: 'heapUsed', perEvent: 400, event: 'chat-error', tolerance: 0.5 },
  'retry-timers': { kind: 'level', signal: 'handles:Timeout', perEvent: 1, event: 'client-gave-up', tolerance: 0.9, seen: 'drained' },
  'cancel-poller': { kind: 'handles', signal: 'handles:Timeout', perEvent: 1, event: 'requests', tolerance: 0.5 },
  'usage-ttl': { kind: 'retained', signal: 'heapUsed', perEvent: 230, event: 'requests', tolerance: 0.5 },
  'usage-plateau': { kind: 'level', signal: 'heapUsed', perEvent: 230, event: 'requests', tolerance: 0.5, seen: 'drained' },
  // Since 2026-12-07: read on the pool's connected sockets, only in the samples taken while a relay scan runs.
  'unbounded-fanout': { kind: 'level', signal: 'handles:relay:relay_upstream_pool{field="connected"}', perEvent: 1, event: 'relay-scan', tolerance: 0.9, seen: 'under-load', whileRunning: 'relay-scan' },
  'pool-size': { kind: 'level', signal: 'handles:tcp:ESTABLISHED', perEvent: 1, event: 'requests', tolerance: 0.9 },
  // Added after the move (seed 002's admission limit): a level under load on the fds each held request keeps.
  'no-admission': { kind: 'level', signal: 'handles:fds', perEvent: 1, event: 'requests', tolerance: 0.9, seen: 'under-load' },
  'account-wait-loop': { kind: 'handles', signal: 'handles:Timeout', perEvent: 1, event: 'client-gave-up', tolerance: 0.5 },
  'scheduler-stats': { kind: 'retained', signal: 'heapUsed', perEvent: 75, event: 'requests', tolerance: 0.5 },
  'task-contexts': { kind: 'retained', signal: 'heapUsed', perEvent: 1150, event: 'requests', tolerance: 0.5 },
  'orphan-tasks': { kind: 'retained', signal: 'heapUsed', perEvent: 1650, event: 'requests', tolerance: 0.5 },
};

function tupleOf(s: LeakSignature): Tuple {
  const { lasts: _lasts, ...tuple } = s;
  return tuple;
}

describe('harness judging of the catalog variants', () => {
  it('judges exactly the catalog variants: one entry each, none for a variant the catalog lacks', () => {
    const names = LEAK_CATALOG.map((e) => e.name);
    expect(Object.keys(VARIANT_JUDGING).sort()).toEqual([...names].sort());
    expect(Object.keys(BEFORE).sort()).toEqual([...names].sort());
  });

  it('maps every catalog resource to a verdict signal', () => {
    expect(Object.keys(SIGNAL_OF).sort()).toEqual(Object.keys(LEAK_RESOURCES).sort());
  });

  it('derives, per variant, exactly the signature the catalog stated before the move', () => {
    for (const entry of LEAK_CATALOG) {
      const s = signatureOf(entry);
      expect(tupleOf(s), entry.name).toStrictEqual(BEFORE[entry.name]);
      expect(s.lasts, `${entry.name}.lasts`).toBe(entry.cost.lasts);
    }
  });

  it('gives every variant a usable signature', () => {
    for (const entry of LEAK_CATALOG) {
      const s = signatureOf(entry);
      expect(['retained', 'handles', 'churn', 'level']).toContain(s.kind);
      // handles:relay:<series>: a gauge of the relay's own /metrics (headers-timeout).
      expect(s.signal).toMatch(/^(heapUsed|external|arrayBuffers|rss|allocated|handles:[A-Za-z:_]+|handles:relay:[a-z_]+(\{[a-z_]+="[a-z_]+"\})?)$/);
      expect(s.kind === 'churn', entry.name).toBe(s.signal === 'allocated');
      expect(s.perEvent).toBeGreaterThan(0);
      if (s.tolerance !== undefined) expect(s.tolerance >= 0 && s.tolerance < 1).toBe(true);
      if (s.kind !== 'level') expect(s.seen, entry.name).toBeUndefined();
    }
  });

  it('refuses a variant it has no judging for', () => {
    const stranger = { ...LEAK_CATALOG[0]!, name: 'not-a-variant' } satisfies LeakEntry;
    expect(() => signatureOf(stranger)).toThrow(/no judging for catalog variant "not-a-variant"/);
    expect(() => signatureOf({ ...LEAK_CATALOG[0]!, name: 'toString' })).toThrow(/no judging/);
  });
});
