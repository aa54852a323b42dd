// The default: every incident path in one run, in production-like proportions.
// Sized for a 2-core machine shared by relay, upstream and load generator:
// 700 req/s base (≈ 1k at the spike), 5 minutes, 12 checkpoints (~25 s apart),
// ≈ 200k requests: enough for a trustworthy slope, short enough to wait for.

import { defineScenario } from './define.ts';
import { BLENDED_MIX, CHAT_MIX, LARGE_ERROR_FAULTS, LIGHT_FAULTS, RETRY_STORM_FAULTS, SLOW_STREAM_FAULTS, USAGE_PROBE_FAULTS } from './blocks.ts';

export default defineScenario({
  name: 'mixed',
  description: 'default: every incident path (seeds 000–004, stream aborts) in phases, production-like proportions',
  defaults: { duration: '5m', rate: 700, accounts: 5000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.08, load: 0.5, mix: CHAT_MIX },
    { name: 'ramp', kind: 'ramp', share: 0.06, load: { from: 0.5, to: 1 }, mix: BLENDED_MIX, faults: LIGHT_FAULTS },
    { name: 'steady', kind: 'steady', share: 0.14, mix: BLENDED_MIX, faults: LIGHT_FAULTS },
    {
      name: 'health-scan',
      kind: 'health-scan',
      share: 0.1,
      mix: { ...BLENDED_MIX, 'api-call': 30 },
      faults: USAGE_PROBE_FAULTS,
      settings: { relayScan: { concurrency: 16, pause: '2s' } },
    },
    { name: 'error-storm', kind: 'error-storm', share: 0.1, mix: BLENDED_MIX, faults: LARGE_ERROR_FAULTS },
    {
      name: 'account-churn',
      kind: 'account-churn',
      share: 0.1,
      mix: { ...BLENDED_MIX, 'sync-event': 20 },
      faults: LIGHT_FAULTS,
      settings: { sync: { snapshotAtStart: true } },
    },
    { name: 'stream-abort', kind: 'stream-abort', share: 0.08, mix: { ...BLENDED_MIX, 'stream-abort': 25 }, faults: SLOW_STREAM_FAULTS },
    { name: 'spike', kind: 'spike', share: 0.06, load: 1.5, mix: BLENDED_MIX, faults: LIGHT_FAULTS },
    { name: 'retry-storm', kind: 'retry-storm', share: 0.08, mix: { ...BLENDED_MIX, retry: 30 }, faults: RETRY_STORM_FAULTS },
    { name: 'cache-churn', kind: 'cache-churn', share: 0.1, mix: { ...BLENDED_MIX, 'chat-idempotent': 40 }, faults: LIGHT_FAULTS },
    { name: 'cool-down', kind: 'cool-down', share: 0.1, load: 0.3, mix: CHAT_MIX },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 32, external: 64, arrayBuffers: 64, rss: 512, handles: 0.001, fds: 0.001, tcp: 0.001 },
  // Every catalog variant mixed's phases drive; the ones whose own scenario is
  // mixed grow per request. Not here: variants whose trigger mixed never
  // produces (stalled error bodies and headers, a quota wall with --account-wait,
  // a stalled state sink with --state-sync, a stall outlasting the admission
  // wait); test/catalog/scenarios-catalog.test.ts names each with its reason.
  variants: [
    { name: 'account-clone', origin: 'seed 000', trigger: 'api-call' },
    { name: 'unbounded-fanout', origin: 'seed 001', trigger: 'relay-scan' },
    { name: 'inflight-map', origin: 'seed 001', trigger: 'requests' },
    { name: 'inflight-error-path', origin: 'seed 001', trigger: 'chat-error' },
    { name: 'retry-timers', origin: 'seed 001', trigger: 'retry' },
    { name: 'cancel-poller', origin: 'seed 001', trigger: 'requests' },
    { name: 'usage-ttl', origin: 'seed 001', trigger: 'requests' },
    { name: 'usage-plateau', origin: 'seed 001', trigger: 'requests' },
    { name: 'pool-size', origin: 'seed 001', trigger: 'requests' },
    { name: 'task-contexts', origin: 'seed 001', trigger: 'requests' },
    { name: 'scheduler-stats', origin: 'seed 001', trigger: 'requests' },
    { name: 'error-body', origin: 'seed 002', trigger: '429-large' },
    { name: 'sse-abort', origin: 'project addition', trigger: 'sse-abort' },
    { name: 'sync-tracker', origin: 'seed 003', trigger: 'sync-event' },
    { name: 'listener', origin: 'project addition', trigger: 'sse-abort' },
    { name: 'lazy-lru', origin: 'seed 004', trigger: 'idempotency-key' },
  ],
});
