// The proof page reduces each sample to what its level reads (slimSample):
// a level on a target gauge (`handles:relay:<series>`: headers-timeout,
// unbounded-fanout) and a `whileRunning` read must survive that reduction,
// or the page recomputes another level than the judge compared.
import { describe, expect, it } from 'vitest';
import type { ContinuousSample } from '../../harness/records.ts';
import { levelUnderLoad } from '../../harness/verdict/level.ts';
import { levelSampleSink } from './level.ts';

const SERIES = 'relay_upstream_pool{field="connected"}';

function sample(i: number, connected: number, scanning: boolean): ContinuousSample {
  return {
    kind: 'sample',
    t: i * 2000,
    phase: 'relay-scan',
    proc: { rss: 1, fds: 30, threads: 7, tcp: { ESTABLISHED: 200 }, cpu: { user: 0, system: 0 } },
    probe: null,
    relay: { [SERIES]: connected, relay_inflight_requests: 3 },
    load: { requests: 10, reqPerSec: 5, latencyMs: { p50: 1, p99: 2, max: 3 }, status: { '2xx': 10, '3xx': 0, '4xx': 0, '5xx': 0 }, errors: 0, timeouts: 0, mismatches: 0, ...(scanning ? { running: { 'relay-scan': 1 } } : {}) },
    faults: null,
    requestsCompleted: i * 100,
  };
}

describe('levelSampleSink: slim samples read the same level as the full ones', () => {
  it('keeps the gauge a relay: signal reads and the running triggers, drops the rest', () => {
    const full = [sample(0, 128, true), sample(1, 9, false), sample(2, 128, true), sample(3, 0, false)];
    const sink = levelSampleSink(`handles:relay:${SERIES}`);
    for (const s of full) sink.add(s);
    const slim = sink.finish().map((x) => x.slim);
    expect(slim[0]!.relay).toEqual({ [SERIES]: 128 });
    const phases = new Set(['relay-scan']);
    for (const whileRunning of [undefined, 'relay-scan']) {
      const a = levelUnderLoad(full, `handles:relay:${SERIES}`, phases, whileRunning);
      const b = levelUnderLoad(slim, `handles:relay:${SERIES}`, phases, whileRunning);
      expect(b.values).toEqual(a.values);
    }
    expect(levelUnderLoad(slim, `handles:relay:${SERIES}`, phases, 'relay-scan').values).toEqual([128, 128]);
  });
});
