// Seed 000: operators scan every account's usage through the management
// `api-call` endpoint (one call per account, bounded concurrency) while chat
// traffic flows; the relay's lookup by auth_index copied the whole account set
// per call. Also drives the relay's own scan endpoint.

import { defineScenario } from './define.ts';
import { CHAT_MIX, USAGE_PROBE_FAULTS } from './blocks.ts';
import type { PhaseSettings } from './define.ts';

const SCAN_MIX = { ...CHAT_MIX, 'api-call': 5 };
const RELAY_SCAN_MIX = { ...CHAT_MIX, 'api-call': 2 };
/**
 * Operators' api-call scans plus the relay's own scan back to back, 500 ms
 * apart: inside the unbounded-fanout proof's 1-s keep-alive, so the sockets an
 * unbounded scan opens (up to the 128 cap) are still pooled when the next scan
 * of the same checkpoint segment starts (at 2 s they had closed in between).
 * A scan that would not end before its segment does is not started, so scans
 * still come and go; the proof reads the samples taken mid-scan (judge/signatures.ts).
 * 32 workers: a bounded scan of 5 000 accounts then takes ≈ 3 s and fits the
 * ≈ 6-s segments of a 90-s proof run. At 16 it took 5–6 s, so after its first
 * scan the fixed relay often started no other (one scan, 3 samples mid-scan,
 * in a 2026-12-07 fixed run, and the proof had nothing to compare).
 */
const RELAY_SCAN: PhaseSettings = { apiCallConcurrency: 8, relayScan: { concurrency: 32, pause: '500ms' } };

export default defineScenario({
  name: 'health-scan',
  description: 'seed 000: repeated full management scans (api-call per account, bounded concurrency) during chat traffic',
  defaults: { duration: '5m', rate: 400, accounts: 5000, seed: 42 },
  // Both kinds of scan run once inside the first 40 % (a proof's warm-up) and
  // again later: the first relay scan grows the fixed relay's allocator arenas
  // for its workers and sockets (measured: rss 4 356 B/request [1 305, 6 214]
  // when relay scans first started in the judged window).
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'scan', kind: 'health-scan', share: 0.15, mix: SCAN_MIX, faults: USAGE_PROBE_FAULTS, settings: { apiCallConcurrency: 16 } },
    { name: 'relay-scan', kind: 'health-scan', share: 0.15, mix: RELAY_SCAN_MIX, faults: USAGE_PROBE_FAULTS, settings: RELAY_SCAN },
    { name: 'scan-2', kind: 'health-scan', share: 0.3, mix: SCAN_MIX, faults: USAGE_PROBE_FAULTS, settings: { apiCallConcurrency: 16 } },
    { name: 'relay-scan-2', kind: 'health-scan', share: 0.2, mix: RELAY_SCAN_MIX, faults: USAGE_PROBE_FAULTS, settings: RELAY_SCAN },
    { name: 'cool-down', kind: 'cool-down', share: 0.1, load: 0.3, mix: CHAT_MIX },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 64, rss: 512, handles: 0.001, fds: 0.001 },
  variants: [
    { name: 'account-clone', origin: 'seed 000', trigger: 'api-call' },
    { name: 'unbounded-fanout', origin: 'seed 001', trigger: 'relay-scan' },
  ],
});
