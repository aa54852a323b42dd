// Seed 001 P0-9: the system endpoint a relay syncs each finished request's
// state to stops answering. The reference relay runs with --state-sync
// (referenceRelayArgs below: the sync is off by default); chat traffic itself is
// healthy, so every request completes and every request starts one sync. A
// relay that fires those syncs and forgets them (no reference, bound or
// deadline) keeps one pending sync per request for as long as the sink
// stalls: growth per request, while the fixed relay holds at most its bound.
//
// The sink stalls for the whole judged window (one long phase after the
// warm-up, as in error-answers): a per-request slope needs the trigger on in
// every judged checkpoint. Chat and streams only (no /v1/models, which syncs
// nothing), so `requests` is the trigger's count.

import { defineScenario, type FaultPlan } from './define.ts';

/**
 * Every state post stalls: read, no answer for 10 minutes (past any run),
 * then a reset. The relay's own timeouts are what end one: the fixed
 * manager's 2-s deadline, or the sink pool's 60-s headers timeout.
 */
export const STALLED_SINK_FAULTS: FaultPlan = {
  rules: [{ fault: 'stall-headers', probability: 1, routes: ['state'] }],
  stallMs: 600_000,
};

const SYNCED_MIX = { chat: 2, 'chat-stream': 1 };

export default defineScenario({
  name: 'sink-stall',
  description: 'seed 001 P0-9: the state endpoint the relay syncs each request to stalls (the reference relay runs with --state-sync)',
  defaults: { duration: '5m', rate: 300, accounts: 5000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: SYNCED_MIX },
    { name: 'sink-stall', kind: 'steady', share: 0.9, mix: SYNCED_MIX, faults: STALLED_SINK_FAULTS },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 64, rss: 512, handles: 0.001, fds: 0.001 },
  variants: [{ name: 'orphan-tasks', origin: 'seed 001', trigger: 'requests' }],
  // The state sync is off by default; without it the stalled sink is never called.
  referenceRelayArgs: ['--state-sync'],
});
