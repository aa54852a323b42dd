// Seed 000: operators scan every account's usage through the management
// `api-call` endpoint (one call per account, bounded concurrency) while chat
// traffic flows; the relay's lookup by auth_index copied the whole account set
// per call. Also drives the relay's own scan endpoint.

import { defineScenario } from './define.ts';
import { CHAT_MIX, USAGE_PROBE_FAULTS } from './blocks.ts';

export default defineScenario({
  name: 'health-scan',
  description: 'seed 000: repeated full management scans (api-call per account, bounded concurrency) during chat traffic',
  defaults: { duration: '5m', rate: 400, accounts: 5000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'scan', kind: 'health-scan', share: 0.55, mix: { ...CHAT_MIX, 'api-call': 5 }, faults: USAGE_PROBE_FAULTS, settings: { apiCallConcurrency: 16 } },
    {
      name: 'relay-scan',
      kind: 'health-scan',
      share: 0.25,
      mix: { ...CHAT_MIX, 'api-call': 2 },
      faults: USAGE_PROBE_FAULTS,
      settings: { apiCallConcurrency: 8, relayScan: { concurrency: 16, pause: '2s' } },
    },
    { name: 'cool-down', kind: 'cool-down', share: 0.1, load: 0.3, mix: CHAT_MIX },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 64, rss: 512, handles: 0.001, fds: 0.001 },
  variants: [
    { name: 'account-clone', origin: 'seed 000', trigger: 'api-call' },
    { name: 'unbounded-fanout', origin: 'seed 001', trigger: 'relay-scan' },
  ],
});
