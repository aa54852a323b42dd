// Traffic mixes and fault plans several scenarios share, so `mixed` is built
// from the same pieces as the single-incident scenarios it combines.
// Weights are relative (see define.ts Mix); probabilities are per upstream request.

import type { FaultPlan, Mix } from './define.ts';

/** Everyday client traffic: mostly JSON chat, a third streaming, a little /v1/models. */
export const CHAT_MIX: Mix = { chat: 6, 'chat-stream': 3, models: 1 };

/** Production-like blend of every traffic kind, for `mixed`'s steady phases. */
export const BLENDED_MIX: Mix = {
  chat: 50,
  'chat-stream': 20,
  'chat-idempotent': 8,
  models: 2,
  'stream-abort': 5,
  retry: 5,
  'api-call': 6,
  'sync-event': 4,
};

/** The background error rate of a healthy provider. */
export const LIGHT_FAULTS: FaultPlan = {
  rules: [
    { fault: '429', probability: 0.01 },
    { fault: '503', probability: 0.005 },
    { fault: 'latency', probability: 0.05 },
  ],
};

/**
 * Seed 002: provider errors with large (≥ 256 KiB) or stalled bodies. Small
 * error bodies are buffered whole by undici and never pin a socket, so only
 * these reveal a relay that does not consume or destroy error bodies.
 */
export const LARGE_ERROR_FAULTS: FaultPlan = {
  rules: [
    { fault: '429-large', probability: 0.1 },
    { fault: '503-large', probability: 0.06 },
    { fault: 'stall-body', probability: 0.005 },
    { fault: '429', probability: 0.04 },
    { fault: '503', probability: 0.03 },
    { fault: 'truncate-cl', probability: 0.01 },
    { fault: 'sse-cut', probability: 0.01 },
  ],
  // Stalls end within the load's drain grace (5 s; the upstream default is
  // 2 min), so a checkpoint measures what the relay kept, not sockets still
  // legitimately open on a stall. And short: every segment ends by waiting for
  // its last stalled request, and 4-s stalls made each checkpoint after a storm
  // segment ≈ 4 s late (measured: the error-body proof took 5 min 18 s, its
  // 17 checkpoints 10–11 s apart for 5.6 s of load each).
  stallMs: 2_000,
};

/** Seed 000's probes meet real account trouble: some usage calls are rate-limited, fail or are slow. */
export const USAGE_PROBE_FAULTS: FaultPlan = {
  rules: [
    { fault: '429', probability: 0.05, routes: ['usage'] },
    { fault: '503', probability: 0.02, routes: ['usage'] },
    { fault: 'latency', probability: 0.05, routes: ['usage', 'chat'] },
    { fault: '429', probability: 0.01 },
  ],
};

/** Seed 001: rate-limit storms that make the relay fail over and schedule delayed retries. */
export const RETRY_STORM_FAULTS: FaultPlan = {
  rules: [
    { fault: '429', probability: 0.25 },
    { fault: '429-date', probability: 0.05 },
    { fault: '429-codex', probability: 0.08 },
    { fault: '503', probability: 0.12 },
  ],
};

/** Slow streams so stream-abort clients disconnect while the relay is still mid-stream. */
export const SLOW_STREAM_FAULTS: FaultPlan = {
  rules: [
    { fault: 'dribble', probability: 0.3 },
    { fault: 'latency', probability: 0.2 },
  ],
};
