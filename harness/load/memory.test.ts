// The load driver must run for hours: per-request state must not accumulate.
// Drive many segments against the stand-in (recording off) and compare the
// post-GC heap of this process between two later rounds; the first round
// absorbs warm-up (JIT, lazily created caches).

import { afterAll, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defineScenario, resolveScenario } from '../../scenarios/index.ts';
import { createLoad } from './index.ts';
import { startStandIn, STAND_IN_KEYS, type StandIn } from './stand-in.test-support.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let standIn: StandIn | null = null;
afterAll(async () => {
  await standIn?.close();
});

async function settledHeap(): Promise<number> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  return process.memoryUsage().heapUsed;
}

it('holds no per-request state: the heap stays flat across segments', async () => {
  standIn = await startStandIn({ latencyMs: 1, sseEvents: 20, sseGapMs: 2, record: false });
  const spec = defineScenario({
    name: 'memory-test',
    description: 'every traffic kind',
    defaults: { duration: '60s', rate: 600, accounts: 500, seed: 1 },
    phases: [
      {
        name: 'all',
        kind: 'steady',
        share: 1,
        mix: { chat: 5, 'chat-stream': 2, 'chat-idempotent': 2, models: 1, 'stream-abort': 1, 'api-call': 1, 'sync-event': 1, retry: 1 },
      },
    ],
    checkpoints: {},
    thresholds: {},
    variants: [],
  });
  const phase = resolveScenario(spec).phases[0]!;
  const load = createLoad({ url: standIn.url, ...STAND_IN_KEYS, accounts: 500, seed: 1 });
  const round = async (segments: number) => {
    for (let i = 0; i < segments; i++) {
      await load.runSegment(phase, 250, new AbortController().signal);
      load.window();
    }
    return { heap: await settledHeap(), requests: load.totals().requestsCompleted };
  };
  await round(4); // warm-up
  const a = await round(10);
  const b = await round(10);
  await load.close();
  const requests = b.requests - a.requests;
  expect(requests).toBeGreaterThan(1_000);
  // Measured: ±100 KB of noise between rounds; 100 B kept per request would add > 100 KB per 1000 requests.
  const perRequest = (b.heap - a.heap) / requests;
  expect(perRequest).toBeLessThan(100);
}, 60_000);
