// End-to-end: the attribution tail after a real run of the reference relay
// (real children, real sockets on 127.0.0.1, heap snapshots written by the
// target and diffed out of process). Short runs and short windows: the
// machinery is the same at 10 s as after an hour.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runSoak, type SoakOptions } from '../../harness/index.ts';
import type { AttributionRecord } from '../../harness/attribute/record.ts';

const root = mkdtempSync(join(tmpdir(), 'soak-attribution-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function shortRun(out: string, overrides: Partial<SoakOptions> = {}) {
  return runSoak({
    scenario: 'mixed',
    accounts: 50,
    durationMs: 10_000,
    rate: 100,
    out,
    sampleIntervalMs: 1_000,
    drainMaxMs: 1_500,
    attribute: 'always',
    attributeWindowMs: 3_000,
    target: { kind: 'relay', extraArgs: ['--keep-alive-timeout', '300'] },
    ...overrides,
  });
}

function attributionOf(dir: string): AttributionRecord {
  return JSON.parse(readFileSync(join(dir, 'attribution.json'), 'utf8')) as AttributionRecord;
}

describe('attribution tail', () => {
  it("names the leaky relay's in-flight entries with their holder, and removes the snapshots", { timeout: 120_000 }, async () => {
    const out = join(root, 'inflight');
    const result = await shortRun(out, { leaks: ['inflight-map'] });
    expect(result.outcome.status).toBe('completed');
    const a = attributionOf(out);
    expect(a.status).toBe('ok');
    expect(a.snapshots).toHaveLength(3);
    expect(a.window!.requests).toBeGreaterThan(300);
    const top = a.retained!.named.filter((r) => r.countDelta > 0).slice(0, 3);
    // The entry (an object of shape {id, controller, …}) or what it holds, held by the scheduler's map.
    const entry = top.find((r) => /controller/.test(r.name) || r.name === 'AbortController');
    expect(entry, JSON.stringify(top.map((r) => r.name))).toBeDefined();
    expect(entry!.countDelta).toBeGreaterThan(a.window!.requests * 0.5);
    expect(entry!.retainerPath?.text ?? '').toMatch(/inflight/);
    expect(existsSync(join(out, 'attribution'))).toBe(false);
    // The verdict text carries the lines, summary.json the top rows.
    expect(result.verdictText).toMatch(/\nattribution \(after the judged run/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { attribution: { retained: { name: string }[] } };
    expect(summary.attribution.retained.length).toBeGreaterThan(0);
  });

  it('without a probe: one clear line, the verdict intact', { timeout: 60_000 }, async () => {
    const out = join(root, 'no-probe');
    const result = await shortRun(out, { probe: false, scenario: 'calibration', durationMs: 5_000 });
    expect(result.outcome.status).toBe('completed');
    expect(result.verdict).not.toBeNull();
    const a = attributionOf(out);
    expect(a.status).toBe('unavailable');
    expect(a.reason).toBe('attribution needs a Node target with the probe (--no-probe was given)');
    expect(result.verdictText).toContain('attribution: attribution needs a Node target with the probe');
  });

  it('a snapshot that cannot be written leaves the verdict and the exit code as they were, and says why', { timeout: 60_000 }, async () => {
    const out = join(root, 'unwritable');
    mkdirSync(out, { recursive: true });
    // A file where the snapshots' folder would go.
    writeFileSync(join(out, 'attribution'), 'not a folder');
    const result = await shortRun(out, { scenario: 'calibration', durationMs: 5_000 });
    expect(result.outcome.status).toBe('completed');
    expect(result.verdict).not.toBeNull();
    expect(result.exitCode).toBe(result.verdict!.status === 'LEAK' ? 1 : 0);
    const a = attributionOf(out);
    expect(a.status).toBe('unavailable');
    expect(a.errors.join(" ")).toMatch(/attribution\/ already exists/);
    expect(readFileSync(join(out, "attribution"), "utf8")).toBe("not a folder");
    expect(result.verdictText).toMatch(/attribution: .*attribution\/ already exists/);
  });

  it('a target that dies during the tail: what was taken is kept, the verdict and exit code stand', { timeout: 60_000 }, async () => {
    const out = join(root, 'killed');
    let killed = false;
    // Kills the relay as soon as its first snapshot is written (a snapshot's rss spike can OOM a real target).
    const progress = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (!killed && /attribution: snapshot 1\/3/.test(chunk.toString())) {
          killed = true;
          const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { target: { pid: number } };
          process.kill(meta.target.pid, 'SIGKILL');
        }
        done();
      },
    });
    const result = await shortRun(out, { scenario: 'calibration', durationMs: 5_000, progressStream: progress });
    expect(killed).toBe(true);
    expect(result.outcome.status).toBe('completed');
    expect(result.verdict).not.toBeNull();
    expect(result.exitCode).toBe(result.verdict!.status === 'LEAK' ? 1 : 0);
    const a = attributionOf(out);
    expect(a.snapshots).toHaveLength(1);
    expect(a.errors.join(' ')).toMatch(/tail stopped: .*probe/);
    expect(a.errors.join(' ')).toMatch(/snapshot diff: 1 snapshot written, 2 needed/);
    expect(a.status).toBe('unavailable');
    expect(result.verdictText).toMatch(/attribution: .*tail stopped/);
  });

  it('by default runs only after a LEAK', { timeout: 60_000 }, async () => {
    const out = join(root, 'default');
    const result = await shortRun(out, { attribute: undefined, scenario: 'calibration', durationMs: 5_000 });
    expect(result.outcome.status).toBe('completed');
    expect(result.verdict!.status).not.toBe('LEAK');
    expect(existsSync(join(out, 'attribution.json'))).toBe(false);
  });
});
