// Seed 001 P2-10 (GetIdleSiteBp's `while True`): requests that find no idle
// account. After a normal warm-up every account's quota is exhausted for an
// hour (429 usage_limit_reached, resets_in_seconds 3 600, on every account),
// so once the relay has cooled each account down for each model it has no
// account to give a chat request. A relay that waits for one (--account-wait)
// must stop waiting when the client goes: these clients give up after 2 s.
//
// The chat share is small on purpose (≈ 5 chat requests/s at the default
// rate): the rest is GET /v1/models, which the relay answers itself, so the
// run still serves its load (harness/verdict/served.ts: a relay whose waits
// never answer would otherwise fail the served-load rule, and a proof proves
// nothing without it). And a loop that never ends holds its admission slot
// (relay/admission.ts, --max-inflight 512): at ≈ 5 abandoned requests/s a
// 90-s proof's wall leaves ≈ 400 loops, below the cap, so the leak grows
// through the whole judged window instead of levelling off where the
// semaphore fills (past it the leaky relay answers every chat request 503).
// 24 accounts: the relay burns through every (account, model) lane within
// seconds of the wall's start (3 accounts per request), not minutes.

import { defineScenario, type FaultPlan, type PhaseSettings } from './define.ts';
import { CHAT_MIX } from './blocks.ts';

/** Every account answers 429 codex `usage_limit_reached`, resetting in an hour (longer than any run). */
const QUOTA_WALL: FaultPlan = { rules: [], accounts: { expiredShare: 0, quotaExhaustedShare: 1, quotaResetSeconds: 3_600 } };

/** SDK clients: retry a 429 at once (3 tries in all), hang up on an attempt after 2 s (event `client-gave-up`). */
const WALL_CLIENTS: PhaseSettings = { retry: { maxTries: 3, giveUpAfter: '2s' } };

export default defineScenario({
  name: 'quota-wall',
  description: "seed 001 P2-10: every account's quota exhausted for an hour; chat clients meet a relay with no account and give up after 2 s",
  defaults: { duration: '5m', rate: 300, accounts: 24, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'wall', kind: 'retry-storm', share: 0.9, mix: { models: 60, retry: 1 }, faults: QUOTA_WALL, settings: WALL_CLIENTS },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 64, rss: 512, handles: 0.001, fds: 0.001 },
  variants: [{ name: 'account-wait-loop', origin: 'seed 001', trigger: 'client-gave-up' }],
});
