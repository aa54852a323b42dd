import { describe, expect, it } from 'vitest';
import { gaussian, syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { createRng } from '../../shared/prng.ts';
import type { Checkpoint } from '../records.ts';
import { formatVerdict, harnessLine } from './format.ts';
import { judgeHarnessSelf } from './harness-self.ts';
import { judgeRun } from './run.ts';
import { sampleSelf } from '../sampler/self.ts';

const META = { scenario: 'mixed', seed: 42, nodeVersion: 'v24.21.0', nodeFlags: [], faultPlan: null, heapSizeLimit: 4 * 2 ** 30 };

/** A flat target (synthetic) with the harness's own figures: heap growing `perRequest` B/request plus noise. */
function run(perRequest: number, handles: (i: number) => number = () => 12): Checkpoint[] {
  const rng = createRng(`harness-${perRequest}`);
  return syntheticCheckpoints({ checkpoints: 20, seed: 'target' }).map((c, i) => ({
    ...c,
    harness: { rss: 120e6 + 2 * perRequest * c.requestsCompleted + 200_000 * gaussian(rng), heapUsed: 30e6 + perRequest * c.requestsCompleted + 40_000 * gaussian(rng), external: 2e6, arrayBuffers: 1e5, handles: handles(i), fds: 30, gc: true },
  }));
}

describe('the harness judged on itself', () => {
  it('a flat harness is NO-LEAK and stays out of the target verdict', () => {
    const v = judgeRun(META, run(0), [], { served: false });
    expect(v.harness).toMatchObject({ status: 'NO-LEAK', gc: true });
    expect(v.harness!.memory.map((m) => m.signal)).toEqual(['heapUsed', 'rss']);
    expect(v.harness!.handles.map((h) => h.type).sort()).toEqual(['fds', 'handles']);
    expect(formatVerdict(v)).toMatch(/^harness itself \(this process, not the target\): NO-LEAK {2}heapUsed [+-]?\d/m);
  });

  it('a harness whose heap grows 200 B/request is LEAK on itself, a finding, and the target stays NO-LEAK', () => {
    const v = judgeRun(META, run(200), [], { served: false });
    expect(v.status).toBe('NO-LEAK');
    expect(v.reasons[0]).toBe('no signal above its floor');
    expect(v.harness!.status).toBe('LEAK');
    const heap = v.harness!.memory.find((m) => m.signal === 'heapUsed')!;
    expect(heap.status).toBe('LEAK');
    expect(heap.slope!).toBeCloseTo(200, -1);
    expect(v.findings.find((f) => f.kind === 'harness-growth')!.message).toMatch(/^the harness's own process grows \(heapUsed \+\d+\.\d B\/request/);
    expect(harnessLine(v.harness!)).toMatch(/LEAK {2}heapUsed LEAK \+\d/);
  });

  it('growing handles in the harness are judged with the handle rule', () => {
    const h = judgeHarnessSelf(run(0, (i) => 12 + i).slice(4))!;
    expect(h.handles.find((t) => t.type === 'handles')!.status).toBe('LEAK');
    expect(h.status).toBe('LEAK');
  });

  it('older runs (no harness figures) have no harness verdict', () => {
    expect(judgeRun(META, syntheticCheckpoints({ checkpoints: 12 }), [], { served: false }).harness).toBeUndefined();
  });

  it('sampleSelf: this process after a forced GC, with its handles and fds', () => {
    const s = sampleSelf();
    expect(s.gc).toBe(true);
    expect(s.heapUsed).toBeGreaterThan(1e6);
    expect(s.rss).toBeGreaterThan(s.heapUsed);
    expect(s.fds).toBeGreaterThan(2);
    expect(Number.isInteger(s.handles)).toBe(true);
    // A retained 20 MB buffer shows.
    const keep = Buffer.alloc(20e6, 1);
    const withBuffer = sampleSelf();
    expect(withBuffer.arrayBuffers - s.arrayBuffers).toBeGreaterThan(19e6);
    keep.fill(0);
  });
});
