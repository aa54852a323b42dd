// Seed 002's stalls on the error path, the two the large-body storms do not
// drive: error bodies that start and then stop (the write-up's "读取响应体时出错":
// the read fails and RelayErrorHandler returns before Close), and upstreams
// that never send headers (its secondary factor, the 30-minute
// ResponseHeaderTimeout). One long phase, as in error-answers: a per-event
// cost is regressed over the checkpoints where the event advanced, and two
// storms leave too few after a proof's 40 % warm-up.

import { defineScenario, type FaultPlan } from './define.ts';
import { CHAT_MIX } from './blocks.ts';

/**
 * 2 % of upstream attempts get a 429 whose body stalls, 2 % no headers at
 * all, 2 % a plain 429: at 300 req/s ≈ 6 of each per second. Every stall
 * lasts 10 minutes upstream (a provider that never finishes holds a response
 * for its own timeout, far past a run), so only the relay ends one: the fixed
 * relay at its error-body deadline (1 s) or its --headers-timeout (1 s in the
 * proofs), a leaky one when its client hangs up or never.
 */
export const ERROR_STALL_FAULTS: FaultPlan = {
  rules: [
    { fault: '429-stall-body', probability: 0.02 },
    { fault: 'stall-headers', probability: 0.02 },
    { fault: '429', probability: 0.02 },
  ],
  stallMs: 600_000,
};

export default defineScenario({
  name: 'error-stalls',
  description: 'seed 002: 429s whose error body stalls and upstreams that never send headers, a steady share of attempts',
  defaults: { duration: '5m', rate: 300, accounts: 5000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'stalls', kind: 'error-storm', share: 0.9, mix: CHAT_MIX, faults: ERROR_STALL_FAULTS },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 64, rss: 512, handles: 0.001, fds: 0.001, tcp: 0.001 },
  variants: [
    { name: 'error-body-read-fail', origin: 'seed 002', trigger: '429-stall-body' },
    { name: 'headers-timeout', origin: 'seed 002', trigger: 'stall-headers' },
  ],
});
