// Seed 001: 429/503 storms. Clients retry immediately (bounded tries) and give
// up on an attempt after 2 s (SDK timeouts) while the relay fails over across
// accounts after a pause; every retry timer and cooldown record must go away
// once the storm passes, including those of requests whose client gave up.

import { defineScenario } from './define.ts';
import { CHAT_MIX, RETRY_STORM_FAULTS } from './blocks.ts';
import type { PhaseSettings } from './define.ts';

/**
 * During a storm every client is an SDK that retries 429/503 at once and hangs
 * up on an attempt after 2 s. A relay pausing longer than that before failing
 * over (a Retry-After-scale pause) sees its requests aborted mid-pause.
 */
const STORM_CLIENTS: PhaseSettings = { retry: { maxTries: 5, giveUpAfter: '2s' } };

export default defineScenario({
  name: 'retry-storm',
  description: 'seed 001: 429/503 storms with clients retrying immediately and the relay failing over with delayed retries',
  defaults: { duration: '5m', rate: 300, accounts: 5000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'storm', kind: 'retry-storm', share: 0.35, mix: { retry: 1 }, faults: RETRY_STORM_FAULTS, settings: STORM_CLIENTS },
    { name: 'recovery', kind: 'steady', share: 0.15, mix: { retry: 3, chat: 5, 'chat-stream': 2 } },
    { name: 'storm-2', kind: 'retry-storm', share: 0.3, load: 1.3, mix: { retry: 1 }, faults: RETRY_STORM_FAULTS, settings: STORM_CLIENTS },
    { name: 'cool-down', kind: 'cool-down', share: 0.1, load: 0.3, mix: CHAT_MIX },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 64, rss: 512, handles: 0.001, fds: 0.001 },
  variants: [{ name: 'retry-timers', origin: 'seed 001', trigger: 'client-gave-up' }],
});
