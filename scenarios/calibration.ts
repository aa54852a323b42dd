// bench:calibrate's scenario: steady chat-only traffic with no faults, so the
// only thing that grows is the ground-truth leak the bench injects (or nothing,
// in control runs). Chat only because every other traffic kind fills a relay
// structure (idempotency cache, usage store, sync tracker) whose warm-up would
// blur the known size; no faults because error paths add their own noise.
// 800 req/s: what this 2-core box sustains with relay, fake upstream and load
// generator side by side (mixed runs 700 req/s with heavier kinds), and enough
// requests for the verdict's minimum window (50 000) inside a 90 s quick run.

import { defineScenario } from './define.ts';

export default defineScenario({
  name: 'calibration',
  description: 'bench:calibrate: steady chat-only traffic, no faults; only an injected ground-truth leak grows',
  defaults: { duration: '90s', rate: 800, accounts: 1000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: { chat: 1 } },
    { name: 'steady', kind: 'steady', share: 0.9, mix: { chat: 1 } },
  ],
  checkpoints: { count: 16 },
  // The verdict's defaults: calibration measures the harness as shipped.
  thresholds: { heapUsed: 32, external: 32, arrayBuffers: 32, rss: 256, handles: 0.001, fds: 0.001, tcp: 0.001 },
  variants: [{ name: 'ground-truth', origin: 'bench:calibrate (a test-only preload, never in the relay build)', trigger: 'requests' }],
});
