// Which series the proof page charts at drained checkpoints (signalInfo): the
// proof's own when checkpoints carry it, else post-GC heapUsed with the reason.
// A target gauge (`handles:relay:<series>`) is scraped only while load runs:
// charting it at checkpoints drew a flat 0 on unbounded-fanout's page.
import { describe, expect, it } from 'vitest';
import { signalInfo, type ProofSummary } from './model.ts';

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
    const s = signalInfo(proof('handles:relay:relay_upstream_pool{field="connected"}', 'level'));
    expect(s.key).toBe('heapUsed');
    expect(s.handle).toBeNull();
    expect(s.fallback).toContain('relay_upstream_pool{field="connected"}');
    expect(s.fallback).toContain('read under load');
  });

  it('charts a memory signal as itself and no signal as heapUsed with the reason', () => {
    expect(signalInfo(proof('rss', 'retained'))).toMatchObject({ key: 'rss', kind: 'memory', fallback: null });
    expect(signalInfo(proof(null, 'churn')).fallback).toContain('allocation ratio');
  });
});
