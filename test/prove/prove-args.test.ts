// `--prove` validates everything before starting anything (exit 2, one line
// naming the flag), and judgeProof applies its rules to real comparisons of
// synthetic runs: a proof can fail.

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogNames, judgeProof, proofPlanFor, resolveVariants } from '../../harness/index.ts';
import { withRequestsEvent } from '../../harness/judge/index.ts';
import { compareRuns, type VerdictRunMeta } from '../../harness/verdict/index.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { syntheticCheckpoints } from '../fixtures/verdict/synthetic.ts';

const CLI = resolve(import.meta.dirname, '../../harness/cli.ts');

function soak(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('--prove arguments', () => {
  it('an unknown variant → exit 2 listing every valid name, nothing started', () => {
    const r = soak(['--prove', 'no-such-variant']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--prove: unknown variant "no-such-variant"');
    for (const name of ['all', ...catalogNames()]) expect(r.stderr).toContain(name);
    expect(r.stdout).toBe('');
  });

  it('a soak-only flag, a too-short duration, a bad seed → exit 2 naming the flag', () => {
    expect(soak(['--prove', 'inflight-map', '--leak', 'error-body']).stderr).toMatch(/--leak/);
    const short = soak(['--prove', 'inflight-map', '--duration', '5s']);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--duration: expected a duration in 30s–168h \(a proof needs at least 30s of load per run/);
    const seed = soak(['--prove', 'inflight-map', '--seed', 'x']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(/--seed: /);
    expect(soak(['--prove', '']).stderr).toMatch(/--prove: expected a variant or "all"/);
  });

  it('--parallel out of range, or --full-runs with --until-verdict → exit 2 naming the flags, nothing started', () => {
    const zero = soak(['prove', 'inflight-map', '--parallel', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--parallel: expected an integer in \[1, 8\], got "0"/);
    const both = soak(['prove', 'inflight-map', '--full-runs', '--until-verdict']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--full-runs and --until-verdict: give one/);
    expect(both.stdout).toBe('');
  });

  it('all expands to the catalog; a list is de-duplicated', () => {
    expect(resolveVariants('all')).toEqual(catalogNames());
    expect(resolveVariants('error-body,error-body')).toEqual(['error-body']);
  });

  it('--help prints the variants', () => {
    const r = soak(['--prove', 'all', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('inflight-map');
  });
});

describe('proof rules', () => {
  const meta: VerdictRunMeta = { scenario: 'mixed', seed: 42, nodeVersion: 'v24.21.0', nodeFlags: [] };
  const entry = LEAK_CATALOG.find((e) => e.name === 'inflight-map')!;
  const plan = proofPlanFor(entry, 5000);
  const series = (seed: string, perRequest: number) =>
    withRequestsEvent(syntheticCheckpoints({ checkpoints: 14, seed, requestsPerCheckpoint: 8_000, intervalMs: 8_000, heapUsed: (r) => perRequest * r }));

  it('a retained per-request variant: requests axis, its signature, the proof window', () => {
    expect(plan.kind).toBe('retained');
    expect(plan.judge.axis).toBeUndefined();
    expect(plan.judge.signatures).toEqual([expect.objectContaining({ variant: 'inflight-map', signal: 'heapUsed', event: 'requests' })]);
    const perEvent = proofPlanFor(LEAK_CATALOG.find((e) => e.name === 'sync-tracker')!, 5000);
    expect(perEvent.judge.axis).toEqual({ kind: 'event', event: 'sync-event' });
  });

  it('holds when the leaky run leaks at the catalog cost and the fixed run is flat', () => {
    const c = compareRuns({ meta, checkpoints: series('a', 520) }, { meta, checkpoints: series('b', 0) }, plan.judge);
    const proof = judgeProof(plan, c);
    expect(proof.failures).toEqual([]);
    expect(proof.status).toBe('holds');
    expect(proof.signatureLine).toMatch(/^triggered/);
  });

  it('fails when the leaky run leaks far less than the catalog says (bug not triggered)', () => {
    const c = compareRuns({ meta, checkpoints: series('a', 120) }, { meta, checkpoints: series('b', 0) }, plan.judge);
    const proof = judgeProof(plan, c);
    expect(proof.status).toBe('failed');
    expect(proof.failures.join('\n')).toMatch(/signature check says (weaker-than-expected|not-triggered)/);
  });

  it('fails when the fixed run still leaks', () => {
    const c = compareRuns({ meta, checkpoints: series('a', 520) }, { meta, checkpoints: series('b', 500) }, plan.judge);
    const proof = judgeProof(plan, c);
    expect(proof.status).toBe('failed');
    expect(proof.failures.join('\n')).toMatch(/comparison: not-fixed/);
  });
});
