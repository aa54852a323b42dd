// Seed 002's admission limit: a burst of many clients against an upstream
// that stalls its headers. A relay without an admission limit holds every
// request it admits for the stall (client socket, body, in-flight entry, a
// place in undici's pending queue: the upstream socket cap bounds sockets, not
// requests), so the level is arrival rate × stall, past the write-up's
// "goroutine count above 2 000" alarm. The fixed relay holds --max-inflight +
// --admission-queue (512 + 512) and refuses the rest with 503 + Retry-After.
//
// The burst comes from `retry` clients that try once and give up after 3 s
// (an impatient SDK timeout): an open model, so arrivals do not slow down when
// the relay does, with `maxInFlight` raised above the harness's default 512 so
// the level the relay holds is not capped by the harness. The level is then
// 900 req/s × 3 s ≈ 2 700 held requests (no admission) against ≤ 1 024
// (admission), and it is gone 3 s after the load stops: a checkpoint's drain
// grace (5 s) is not spent waiting for stalls (a proof stays within 5 min).

import { defineScenario } from './define.ts';
import { CHAT_MIX } from './blocks.ts';
import type { FaultPlan, PhaseSettings } from './define.ts';

/**
 * Half the chat attempts stall 4 s, then the socket is reset (the relay fails
 * over). Within ≈ 0.3 s of a burst's start every one of the 128 upstream
 * sockets is on a stall, so nothing completes for the next 4 s, longer than
 * the clients wait: what arrives meanwhile is held (no admission) or refused
 * (admission) until its client gives up.
 */
const STALL_FAULTS: FaultPlan = {
  rules: [{ fault: 'stall-headers', probability: 0.5, routes: ['chat'] }],
  stallMs: 4_000,
};

/** One try, no retries, 3 s of patience; up to 4 000 clients waiting at once. */
const BURST: PhaseSettings = { retry: { maxTries: 1, on: [], giveUpAfter: '3s' }, maxInFlight: 4_000 };

export default defineScenario({
  name: 'stall-burst',
  description: 'seed 002: bursts of many one-shot clients against an upstream stalling its headers, calm spells between',
  defaults: { duration: '5m', rate: 300, accounts: 2000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.15, load: 0.5, mix: CHAT_MIX },
    { name: 'burst-1', kind: 'spike', share: 0.25, load: 3, mix: { retry: 1 }, faults: STALL_FAULTS, settings: BURST },
    { name: 'calm', kind: 'steady', share: 0.15, load: 0.5, mix: CHAT_MIX },
    { name: 'burst-2', kind: 'spike', share: 0.3, load: 3, mix: { retry: 1 }, faults: STALL_FAULTS, settings: BURST },
    { name: 'cool-down', kind: 'cool-down', share: 0.15, load: 0.3, mix: CHAT_MIX },
  ],
  checkpoints: { count: 12 },
  thresholds: {
    heapUsed: 64,
    external: 256,
    arrayBuffers: 256,
    rss: 1024,
    handles: 0.001,
    fds: 0.001,
    tcp: 0.001,
    // Seed 002's alarm ("goroutine count above 2 000"), on the requests the
    // relay is handling (its /metrics gauge; a target without it reads no
    // data here). Not on ESTABLISHED sockets: those add the clients' idle
    // keep-alive connections, which follow the harness's peak concurrency,
    // not what the relay holds: the fixed relay, never above its 1 024
    // admitted requests, peaked at 1 360–1 582 ESTABLISHED in three
    // 2026-12-07 --prove all runs and at 2 448 in a fourth (failed), while
    // the leaky relay's in-flight requests reached 2 586–2 707 in all four.
    levels: [{ signal: 'relay_inflight_requests', max: 2_000 }],
  },
  variants: [{ name: 'no-admission', origin: 'seed 002', trigger: 'requests' }],
});
