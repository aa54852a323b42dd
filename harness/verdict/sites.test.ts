import { describe, expect, it } from 'vitest';
import { gaussian, syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { createRng } from '../../shared/prng.ts';
import type { AllocationSite, Checkpoint } from '../records.ts';
import { formatVerdict, sitesLines } from './format.ts';
import { judgeRun } from './run.ts';
import { judgeSites } from './sites.ts';

const META = { scenario: 'mixed', seed: 42, nodeVersion: 'v24.21.0', nodeFlags: [], faultPlan: null, heapSizeLimit: 4 * 2 ** 30 };
const INTERVAL = 512 * 1024;

/** Sampled bytes come in multiples of the interval: round a true figure to it, as V8's sampling does on average. */
const sampled = (bytes: number) => Math.max(0, Math.round(bytes / INTERVAL)) * INTERVAL;

/** A target leaking `perRequest` B/request in Scheduler.track, with a flat cache and a noisy parser site. */
function run(perRequest: number): Checkpoint[] {
  const rng = createRng(`sites-${perRequest}`);
  return syntheticCheckpoints({ checkpoints: 20, requestsPerCheckpoint: 20_000, seed: 'sites', heapUsed: (x) => perRequest * x }).map((c) => {
    const top: AllocationSite[] = [
      // One site, two allocating frames: the map's table (`set`) and the records the site constructs.
      { frame: 'Scheduler.track (relay/scheduler.ts:88)', alloc: 'set', bytes: sampled(0.75 * perRequest * c.requestsCompleted), samples: 1 },
      { frame: 'Scheduler.track (relay/scheduler.ts:88)', alloc: 'Scheduler.track (relay/scheduler.ts:88)', bytes: sampled(0.25 * perRequest * c.requestsCompleted), samples: 1 },
      { frame: 'AccountPool.load (relay/accounts/pool.ts:40)', alloc: 'AccountPool.load (relay/accounts/pool.ts:40)', bytes: sampled(6e6), samples: 12 },
      { frame: 'parseBody (relay/http/body.ts:12)', alloc: 'JSON.parse', bytes: sampled(2e6 + 1.5e6 * gaussian(rng)), samples: 4 },
    ].sort((a, b) => b.bytes - a.bytes);
    return { ...c, sites: { intervalBytes: INTERVAL, totalBytes: top.reduce((s, t) => s + t.bytes, 0), siteCount: 4, top, readMs: 30 } };
  });
}

describe('allocation sites', () => {
  it('names the site whose live bytes grow, with its B/request and its share of the heap slope', () => {
    const v = judgeRun(META, run(400), [], { served: false });
    expect(v.status).toBe('LEAK');
    expect(v.sites!.growing.map((g) => g.frame)).toEqual(['Scheduler.track (relay/scheduler.ts:88)']);
    const g = v.sites!.growing[0]!;
    expect(g.allocs).toEqual(['set', 'Scheduler.track (relay/scheduler.ts:88)']);
    expect(g.slope).toBeGreaterThan(360);
    expect(g.slope).toBeLessThan(440);
    expect(g.lower).toBeGreaterThan(0);
    expect(g.shareOfHeapSlope!).toBeGreaterThan(0.9);
    expect(g.shareOfHeapSlope!).toBeLessThan(1.1);
    expect(v.sites!.floor).toBe(8); // a quarter of the 32 B/request heap floor
    const text = formatVerdict(v);
    expect(text).toMatch(/^allocation sites \(sampling heap profiler, one sample per 512 KiB, live after GC, 16 checkpoints\), growing:\n {2}1\. Scheduler\.track \(relay\/scheduler\.ts:88\) \(allocating: set\): \+\d+\.\d B\/request \[\d+(\.\d)?, \d+(\.\d)?\], (9\d|1\d\d) % of the heap slope, \d+\.\d MiB → \d+\.\d MiB$/m);
  });

  it('a flat target names nothing and prints nothing; a heap leak with no site big enough says why', () => {
    const flat = judgeRun(META, run(0), [], { served: false });
    expect(flat.sites!.growing).toEqual([]);
    expect(flat.sites!.top[0]!.frame).toBe('AccountPool.load (relay/accounts/pool.ts:40)');
    expect(formatVerdict(flat)).not.toMatch(/allocation sites/);
    // A leak too small to move the sampled series (0.5 B/request × 320 000 requests ≈ 160 KB < one 512 KiB sample).
    expect(sitesLines({ ...flat.sites! }, true)[0]).toMatch(/none grows above 8 B\/request at this resolution/);
  });

  it('needs sites at 5 judged checkpoints; none at all is no verdict', () => {
    const cps = run(400).slice(0, 4);
    expect(judgeSites(cps, 400, 8)!.growing).toEqual([]);
    expect(judgeSites(syntheticCheckpoints({ checkpoints: 10 }), 400, 8)).toBeNull();
  });
});
