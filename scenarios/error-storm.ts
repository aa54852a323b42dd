// Seed 002: 429/503 bursts whose bodies are large or stalled. A relay that
// reads the status and drops the body without consuming or destroying it keeps
// the upstream socket (and its buffers) busy forever. The storms' error
// answers also feed inflight-error-path (seed 001 P0-2), proven on error-answers.

import { defineScenario } from './define.ts';
import { CHAT_MIX, LARGE_ERROR_FAULTS, LIGHT_FAULTS } from './blocks.ts';

export default defineScenario({
  name: 'error-storm',
  description: 'seed 002: 429/503 storms with large (≥ 256 KiB) and stalled error bodies, calm spells between',
  defaults: { duration: '5m', rate: 300, accounts: 5000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'storm-1', kind: 'error-storm', share: 0.3, mix: CHAT_MIX, faults: LARGE_ERROR_FAULTS },
    { name: 'calm', kind: 'steady', share: 0.15, mix: CHAT_MIX, faults: LIGHT_FAULTS },
    { name: 'storm-2', kind: 'error-storm', share: 0.3, load: 1.3, mix: CHAT_MIX, faults: LARGE_ERROR_FAULTS },
    { name: 'cool-down', kind: 'cool-down', share: 0.15, load: 0.3, mix: CHAT_MIX },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 256, arrayBuffers: 256, rss: 1024, handles: 0.001, fds: 0.001, tcp: 0.001 },
  variants: [
    { name: 'error-body', origin: 'seed 002', trigger: '429-large' },
    // Its own scenario is error-answers; the storms' error answers leak too (harness event `chat-error`).
    { name: 'inflight-error-path', origin: 'seed 001', trigger: 'chat-error' },
  ],
});
