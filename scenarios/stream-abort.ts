// Clients that hang up mid-stream (tab closed, Ctrl-C in a CLI). The relay
// must tear down the upstream stream and every listener it attached for the
// client; a slow upstream keeps the relay mid-stream when the client leaves.

import { defineScenario } from './define.ts';
import { CHAT_MIX, SLOW_STREAM_FAULTS } from './blocks.ts';
import type { PhaseSettings } from './define.ts';

const ABORT_MIX = { chat: 2, 'chat-stream': 3, 'stream-abort': 5 };
/** Against a dribbling upstream, clients leave after 1-3 chunks: the relay is surely mid-stream. */
const SLOW_ABORTS: PhaseSettings = { abortAfterChunks: { min: 1, max: 3 } };

export default defineScenario({
  name: 'stream-abort',
  description: 'SSE clients disconnecting after a few chunks, against fast and dribbling upstream streams',
  defaults: { duration: '5m', rate: 300, accounts: 5000, seed: 42 },
  // Each kind of abort runs once early (inside the warm-up's 40 % a proof
  // drops) and once later: the first slow-upstream phase JIT-compiles and fills
  // what it needs (measured: the fixed relay's heap stepped +0.3 MiB when it
  // started, which a judged window read as 85 B/abort [22, 134] against δ 64).
  phases: [
    { name: 'warm-up', kind: 'warm-up', share: 0.1, load: 0.5, mix: CHAT_MIX },
    { name: 'aborts', kind: 'stream-abort', share: 0.15, mix: ABORT_MIX },
    { name: 'slow-aborts', kind: 'stream-abort', share: 0.15, mix: ABORT_MIX, faults: SLOW_STREAM_FAULTS, settings: SLOW_ABORTS },
    { name: 'aborts-2', kind: 'stream-abort', share: 0.25, mix: ABORT_MIX },
    { name: 'slow-aborts-2', kind: 'stream-abort', share: 0.25, mix: ABORT_MIX, faults: SLOW_STREAM_FAULTS, settings: SLOW_ABORTS },
    { name: 'cool-down', kind: 'cool-down', share: 0.1, load: 0.3, mix: CHAT_MIX },
  ],
  checkpoints: { count: 12 },
  thresholds: { heapUsed: 64, external: 64, rss: 512, handles: 0.001, fds: 0.001, tcp: 0.001 },
  variants: [
    { name: 'sse-abort', origin: 'project addition', trigger: 'sse-abort' },
    { name: 'listener', origin: 'project addition', trigger: 'sse-abort' },
  ],
});
