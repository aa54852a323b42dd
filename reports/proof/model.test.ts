// Which series the proof page charts at drained checkpoints (signalInfo): the
// proof's own when checkpoints carry it, else post-GC heapUsed with the reason.
// A target gauge (`handles:relay:<series>`) whose level shows under load reads
// 0 at drained checkpoints in both runs: charting it there drew a flat 0 on
// unbounded-fanout's page. A drained level on a gauge is charted from the
// checkpoints' own scrape.
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../harness/records.ts';
import { handleValue, signalInfo, type ProofSummary } from './model.ts';

function proof(signal: string | null, kind: string): ProofSummary {
  return { variant: 'v', scenario: 's', status: 'holds', failures: [], expects: '', signal, kind, leakyLine: '', fixedLine: '', signatureLine: '', wallMs: 0 };
}

describe('signalInfo', () => {
  it('charts a checkpoint handle series as itself', () => {
    const s = signalInfo(proof('handles:tcp:CLOSE_WAIT', 'handles'));
    expect(s).toMatchObject({ key: 'handles:tcp:CLOSE_WAIT', kind: 'handles', handle: 'tcp:CLOSE_WAIT', fallback: null });
    expect(signalInfo(proof('handles:Timeout', 'level')).handle).toBe('Timeout');
  });

  it('does not chart a target gauge at drained checkpoints: heapUsed, and says why', () => {
    // expects: the plan's words, which say where an older record's level shows (levelPlanOf).
    const s = signalInfo({ ...proof('handles:relay:relay_upstream_pool{field="connected"}', 'level'), expects: 'pool sockets higher under load' });
    expect(s.key).toBe('heapUsed');
    expect(s.handle).toBeNull();
    expect(s.fallback).toContain('relay_upstream_pool{field="connected"}');
    expect(s.fallback).toContain('a level under load');
    // Without the runs at hand it does not claim what they read.
    expect(s.fallback).not.toContain('0 in both runs');
  });

  it("says the gauge is 0 at drained checkpoints only when the runs' scrapes are, and charts it when they are not", () => {
    const key = 'relay_upstream_pool{field="connected"}';
    const p = { ...proof(`handles:relay:${key}`, 'level'), level: { where: 'under-load' as const, signal: `handles:relay:${key}` } };
    const cps = (...values: (number | null)[]) => values.map((v, seq) => ({ seq, relay: v === null ? null : { [key]: v } }) as unknown as Checkpoint);
    const zero = signalInfo(p, [cps(5, 0, 0), cps(3, 0, 0)]);
    expect(zero.key).toBe('heapUsed');
    // Checkpoint 0 (before the load) is not a drained checkpoint after load: its 5 and 3 do not count.
    expect(zero.fallback).toContain('where it is 0 in both runs (4 scrapes)');
    expect(signalInfo(p, [cps(null, null), cps(null)]).fallback).toContain('no drained checkpoint of either run scraped it');
    expect(signalInfo(p, [cps(0, 0, 12), cps(0, 0, 0)])).toMatchObject({ kind: 'handles', handle: `relay:${key}`, fallback: null });
  });

  it("reads an older record's level from its plan words, as the level chart does", () => {
    const key = 'relay_structure_entries{structure="usage"}';
    const old = { ...proof(`handles:relay:${key}`, 'level'), expects: 'entries held at drained checkpoints' };
    expect(signalInfo(old)).toMatchObject({ kind: 'handles', handle: `relay:${key}` });
    expect(signalInfo({ ...old, expects: 'connections higher under load' }).key).toBe('heapUsed');
  });

  it('charts a target gauge whose level is read at drained checkpoints from their scrape', () => {
    const p = { ...proof('handles:relay:relay_structure_entries{structure="usage"}', 'level'), level: { where: 'drained' as const, signal: 'handles:relay:relay_structure_entries{structure="usage"}' } };
    const s = signalInfo(p);
    expect(s).toMatchObject({ kind: 'handles', handle: 'relay:relay_structure_entries{structure="usage"}', fallback: null });
    const cp = { relay: { 'relay_structure_entries{structure="usage"}': 41 }, tcp: {}, procOnly: false, resourcesAfterGc: {} } as unknown as Checkpoint;
    expect(s.label).toBe('relay_structure_entries{structure="usage"} (the target\'s /metrics)');
    expect(handleValue(cp, s.handle!)).toBe(41);
    expect(handleValue({ ...cp, relay: null } as Checkpoint, s.handle!)).toBeNull();
  });

  it('charts a memory signal as itself and no signal as heapUsed with the reason', () => {
    expect(signalInfo(proof('rss', 'retained'))).toMatchObject({ key: 'rss', kind: 'memory', fallback: null });
    expect(signalInfo(proof(null, 'churn')).fallback).toContain('allocation ratio');
  });
});
