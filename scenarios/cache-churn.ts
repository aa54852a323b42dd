// Seed 004: every client request carries a fresh Idempotency-Key, so the
// relay's response cache sees only misses; a cache without a working cap grows
// with the number of distinct keys. A reuse phase checks hits stay flat.

import { defineScenario } from './define.ts';
import { CHAT_MIX } from './blocks.ts';

export default defineScenario({
  name: 'cache-churn',
  description: 'seed 004: high-cardinality Idempotency-Keys (unique per request) churning the relay response cache',
  defaults: { duration: '5m', rate: 400, accounts: 5000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'reused-keys', kind: 'cache-churn', share: 0.2, mix: { chat: 2, 'chat-idempotent': 8 }, settings: { idempotencyKeys: 1000 } },
    { name: 'unique-keys', kind: 'cache-churn', share: 0.6, mix: { chat: 2, 'chat-stream': 1, 'chat-idempotent': 7 } },
    { name: 'cool-down', kind: 'cool-down', share: 0.1, load: 0.3, mix: CHAT_MIX },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 32, external: 32, rss: 512, handles: 0.001, fds: 0.001 },
  variants: [{ name: 'lazy-lru', origin: 'seed 004', trigger: 'idempotency-key' }],
});
