// Seed 001 P0-2: requests that end in an error. A steady share of chat
// requests meets a rate-limited or failing upstream on every account the relay
// tries, so failover is exhausted and the relay answers the client with an
// error (429, 503, 502). A relay that cleans up a request's bookkeeping on its
// success path only keeps something per error answer: growth per `chat-error`
// (a harness event), not per request.
//
// One long error phase rather than storms: a cost per event is regressed over
// the checkpoints where the event advanced (harness/verdict/run.ts), and
// error-storm's two storms left 6 advancing checkpoints after the proof's
// 40 % warm-up (measured: the first inflight-error-path proof, on error-storm
// with --max-attempts 1,
// "too few checkpoints after warm-up: 6 < 8").

import { defineScenario, type FaultPlan } from './define.ts';
import { CHAT_MIX } from './blocks.ts';

/**
 * 74 % of upstream attempts are faulted, so with the relay's three attempts
 * about 0.74³ ≈ 40 % of requests should end in an error answer (measured:
 * 36.1 % and 36.2 % in the two runs of the 2026-12-07 --prove all). At 59 %
 * (0.59³ ≈ 20 %; measured 18.2 % of the requests between the errors phase's
 * first and last checkpoints, `chat-error` / requests, 2026-12-03) the leak was
 * ≈ 72 B/request against the scenario's 64-B floor and one leaky proof run of
 * two read "the second half is too noisy" (620 B/event [369, 861], the
 * 2026-12-07 --prove all): twice the error answers per request doubles the
 * growth a checkpoint interval shows against the same GC noise. Mostly 429s
 * (2-s Retry-After cooldowns), with few 503s and truncated bodies: those cool
 * an account for a minute, and too many would leave no account to try (the
 * answer is then the relay's own 429 without an upstream attempt).
 */
const ERROR_ANSWER_FAULTS: FaultPlan = {
  rules: [
    { fault: '429', probability: 0.7 },
    { fault: '503', probability: 0.02 },
    { fault: 'truncate-cl', probability: 0.02 },
  ],
};

export default defineScenario({
  name: 'error-answers',
  description: 'seed 001 P0-2: a steady share of chat requests fail on every account tried and are answered with an error',
  defaults: { duration: '5m', rate: 300, accounts: 5000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'errors', kind: 'error-storm', share: 0.9, mix: CHAT_MIX, faults: ERROR_ANSWER_FAULTS },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 64, rss: 512, handles: 0.001, fds: 0.001 },
  variants: [{ name: 'inflight-error-path', origin: 'seed 001', trigger: 'chat-error' }],
});
