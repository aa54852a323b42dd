// Handle looks (sequential.ts "Handle looks"): with --until-verdict a run also
// stops at the first checkpoint where the fixed handle rule calls LEAK on the
// run so far, and that stopped run is LEAK as judged; pools that breathe and
// handles that grew once never stop a run.

import { describe, expect, it } from 'vitest';
import { syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import { createRng } from '../../shared/prng.ts';
import { judgeRun, judgeSequentialRun, type VerdictRunMeta } from './index.ts';

const META: VerdictRunMeta = { scenario: 'calibration', seed: 1, nodeVersion: 'v24.21.0', heapSizeLimit: 4 * 2 ** 30 };
// The calibration scenario's 10-minute shape: 16 checkpoints, 28 650 requests and 37.5 s apart.
const RUN = { checkpoints: 17, requestsPerCheckpoint: 28_650, intervalMs: 37_500 };
const sequential = { plannedLooks: 16, alpha: 0.005, spending: 'pocock' as const };

describe('handle looks', () => {
  it('one fd per 1 000 requests: stops before the end, and the stopped run is LEAK on fds as judged', () => {
    const cps = syntheticCheckpoints({ ...RUN, seed: 'fd-leak', fds: (i) => 24 + Math.floor((i + 1) * 28.65) });
    const seq = judgeSequentialRun(cps, { sequential }, 'calibration');
    expect(seq?.stop).not.toBeNull();
    const stop = seq!.stop!;
    expect(stop.handles).toEqual(['fds']);
    expect(stop.seq).toBeLessThan(16);
    expect(stop.reason).toMatch(/^handles LEAK at checkpoint 8 of 16 \(the fixed handle rule on the run so far, and a rising count at α [\d.e-]+\): fds Δ/);
    // The fixed rule's own minimum window (60 s, 50 000 requests judged) holds at the stop.
    expect(stop.windowSeconds === 0 || stop.tMs - cps[0]!.t >= 60_000).toBe(true);
    const stopped = judgeRun(META, cps.filter((c) => c.seq <= stop.seq), [], { sequential });
    expect(stopped.handles.types.find((t) => t.type === 'fds')?.status).toBe('LEAK');
    expect(stopped.status).toBe('LEAK');
  });

  it('50 healthy runs whose fds and sockets breathe with the load, or grew once: no stop', () => {
    for (let k = 0; k < 50; k++) {
      const rng = createRng(`breathe-${k}`);
      const jitter = Array.from({ length: RUN.checkpoints }, () => Math.floor(rng() * 4));
      const once = k % 2 === 0 ? 6 : 0; // half of them open 6 sockets for good at checkpoint 3 (a pool reaching its size)
      const cps = syntheticCheckpoints({
        ...RUN,
        seed: `healthy-${k}`,
        fds: (i) => 24 + jitter[i]! + (i >= 3 ? once : 0),
        tcp: (i) => ({ ESTABLISHED: 4 + jitter[(i + 5) % RUN.checkpoints]! + (i >= 3 ? once : 0), LISTEN: 1 }),
      });
      const seq = judgeSequentialRun(cps, { sequential }, 'calibration');
      expect(seq?.stop ?? null, `run ${k}`).toBeNull();
    }
  });

  it('without --until-verdict nothing is looked at', () => {
    const cps = syntheticCheckpoints({ ...RUN, seed: 'fd-leak', fds: (i) => 24 + Math.floor((i + 1) * 28.65) });
    expect(judgeSequentialRun(cps, {}, 'calibration')).toBeNull();
  });
});
