// Issue #20, part 1: pinned sockets are seen in any target. A blind relay
// (test/fixtures/unread-error-body-relay.ts: plain node:http + undici, not
// relay/) that never reads upstream error bodies is soaked with --target-cmd
// under the error-storm scenario, with the fake upstream at its default idle
// timeout (5 min, like a real provider): it must come out LEAK on the
// unread-socket signal, and the same relay with --fix must not. The drains
// must stay short: they wait for in-flight work, not for pinned sockets.
// Each run is ≈ 40 s of wall time (30 s of load); judged with a shorter
// minimum window than a real soak's 60 s / 50 000 requests (as proofs do).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeRun, readRun, runSoak } from '../../harness/index.ts';

const RELAY = resolve(import.meta.dirname, '../fixtures/unread-error-body-relay.ts');
const root = mkdtempSync(join(tmpdir(), 'unread-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What a 30-s run can judge (the default minimum is 60 s of judged window). */
const SHORT_WINDOW = { minJudgedSeconds: 10, minJudgedRequests: 1_000 };

function blindRun(name: string, fix: boolean) {
  const out = join(root, name);
  return runSoak({
    scenario: 'error-storm',
    accounts: 50,
    durationMs: 30_000,
    rate: 100,
    out,
    sampleIntervalMs: 1_000,
    target: { kind: 'cmd', command: `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(RELAY)} --port {port} --upstream {upstream} --accounts 50 --seed 42${fix ? ' --fix' : ''}` },
  }).then((result) => ({ result, out }));
}

describe('a blind relay that never reads upstream error bodies', () => {
  it('is LEAK through its sockets with unread data, with short drains', async () => {
    const { result, out } = await blindRun('leaky', false);
    expect(result.outcome).toEqual({ status: 'completed' });
    const { verdict, text } = judgeRun(out, SHORT_WINDOW);
    const unread = verdict.handles.types.find((t) => t.type === 'tcp:unread');
    expect(unread?.status).toBe('LEAK');
    expect(unread!.perThousandRequests!).toBeGreaterThan(10);
    expect(verdict.status).toBe('LEAK');
    expect(text).toMatch(/sockets with unread data LEAK +\+\d+(\.\d+)?\/1k requests/);
    const cps = readRun(out).checkpoints;
    const last = cps.at(-1)!;
    // Pinned, not closed: the upstream kept them, and each holds the rest of a ≥ 256 KiB body.
    expect(last.unread!.sockets).toBeGreaterThan(50);
    expect(last.unread!.bytes).toBeGreaterThan(last.unread!.sockets * 4_096);
    expect(last.tcp['ESTABLISHED'] ?? 0).toBeGreaterThanOrEqual(last.unread!.sockets);
    // The drain waited on the upstream's in-flight work (pinned responses excluded), not on the sockets:
    // before, every drain of this run ran to the 6-s cap.
    for (const c of cps) expect(c.drainMs).toBeLessThan(1_500);
    const events = readRun(out).events.map((e) => e.message);
    expect(events.some((m) => m.startsWith("checkpoint drains wait on the fake upstream's in-flight requests"))).toBe(true);
  }, 90_000);

  it('with --fix (error bodies read and closed) leaves nothing unread and holds no growing handle', async () => {
    const { result, out } = await blindRun('fixed', true);
    expect(result.outcome).toEqual({ status: 'completed' });
    const { verdict } = judgeRun(out, SHORT_WINDOW);
    for (const c of readRun(out).checkpoints) expect(c.unread).toEqual({ sockets: 0, bytes: 0 });
    expect(verdict.handles.types.find((t) => t.type === 'tcp:unread')?.status).toBe('NO-LEAK');
    expect(verdict.handles.status).toBe('NO-LEAK');
    // Memory on 30 s of load may still be INCONCLUSIVE (too short for rss); never LEAK.
    expect(verdict.status).not.toBe('LEAK');
  }, 90_000);
});

describe('upstreamIdleTimeoutMs', () => {
  it('is refused when shorter than the drain cap (an upstream closing sockets mid-drain hides pinned ones), nothing started', async () => {
    await expect(runSoak({ out: join(root, 'bad-idle'), drainMaxMs: 6_000, upstreamIdleTimeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'SOAK_ERR_USAGE',
      message: expect.stringContaining('upstreamIdleTimeoutMs: expected an integer in [6000 (the drain cap), 3600000] ms, got 5000'),
    });
  });
});
