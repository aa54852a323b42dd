import { describe, expect, it } from 'vitest';
import type { RunMeta } from '../run/meta.ts';
import { verdictMetaOf } from './from-run.ts';

const meta: RunMeta = {
  recordVersion: 1,
  runId: 'r1',
  scenario: 'mixed',
  resolved: {},
  seed: 7,
  accounts: 50,
  durationMs: 60_000,
  leaks: ['seed-002'],
  faultPlans: { load: { rules: [{ kind: 'rate_limit' }] } },
  target: { kind: 'relay', command: 'node relay/main.ts', pid: 1, url: null, nodeVersion: 'v24.21.0', execArgv: ['--expose-gc'], heapSizeLimit: null },
  harness: { nodeVersion: 'v24.21.0', execArgv: [], argv: [] },
  gitSha: null,
  machine: { cores: 2, cpuModel: 'x', memoryBytes: 1, hostname: 'h', kernel: 'k' },
  startedAt: '2026-11-24T06:00:00Z',
  endedAt: null,
  outcome: { status: 'completed' },
};

describe('verdictMetaOf', () => {
  it('takes the target’s Node version and flags, and every phase’s fault plan', () => {
    expect(verdictMetaOf(meta, { heapSizeLimit: 4096 })).toEqual({
      runId: 'r1',
      scenario: 'mixed',
      seed: 7,
      faultPlan: { load: { rules: [{ kind: 'rate_limit' }] } },
      nodeVersion: 'v24.21.0',
      nodeFlags: ['--expose-gc'],
      heapSizeLimit: 4096,
      outcome: { status: 'completed' },
      target: 'leaks: seed-002',
    });
  });

  it('marks an unknown target Node version rather than inventing one', () => {
    const v = verdictMetaOf({ ...meta, leaks: [], outcome: null, target: { ...meta.target, nodeVersion: null, execArgv: null } });
    expect(v).toMatchObject({ nodeVersion: 'unknown', nodeFlags: [], target: 'relay' });
    expect('outcome' in v).toBe(false);
  });
});
