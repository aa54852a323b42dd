// Clients that hang up mid-stream (tab closed, Ctrl-C in a CLI). The relay
// must tear down the upstream stream and every listener it attached for the
// client; a slow upstream keeps the relay mid-stream when the client leaves.

import { defineScenario } from './define.ts';
import { CHAT_MIX, SLOW_STREAM_FAULTS } from './blocks.ts';

export default defineScenario({
  name: 'stream-abort',
  description: 'SSE clients disconnecting after a few chunks, against fast and dribbling upstream streams',
  defaults: { duration: '5m', rate: 300, accounts: 5000, seed: 42 },
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'aborts', kind: 'stream-abort', share: 0.4, mix: { chat: 2, 'chat-stream': 3, 'stream-abort': 5 } },
    {
      name: 'slow-aborts',
      kind: 'stream-abort',
      share: 0.4,
      mix: { chat: 2, 'chat-stream': 3, 'stream-abort': 5 },
      faults: SLOW_STREAM_FAULTS,
      settings: { abortAfterChunks: { min: 1, max: 3 } },
    },
    { name: 'cool-down', kind: 'cool-down', share: 0.1, load: 0.3, mix: CHAT_MIX },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 64, rss: 512, handles: 0.001, fds: 0.001, tcp: 0.001 },
  variants: [
    { name: 'sse-abort', origin: 'seed 002', trigger: 'sse-abort' },
    { name: 'listener', origin: 'seed 003', trigger: 'sse-abort' },
  ],
});
