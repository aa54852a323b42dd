// lazy-lru (seed 004): the relay's idempotency cache (relay/idempotency-cache.ts)
// under unique keys, with its leak on (background eviction, 10 entries per
// 100 ms tick) and off (eviction in set()). Each op is what one non-stream
// request with a fresh Idempotency-Key does to the cache: build its scoped
// key and store the response, a Buffer body of the relay's usual size.
//
// The ops run back to back, so the lazy cache's timer never gets a turn
// inside a batch: that is the bug's regime (unique writes faster than the
// 100/s drain), at its extreme. Both caches start full (at their cap).

import { IdempotencyCache, type CachedResponse } from '../../relay/idempotency-cache.ts';
import type { MicroCase, Subject } from './case.ts';

const CAP = 1_000; // the relay's default --idempotency-cap
const CLIENT_KEY = 1;
/** A chat completion of about the fake upstream's size (bench/leak-costs.ts: ~572 B per cached body). */
const BODY = Buffer.from(JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_764_000_000,
  model: 'gpt-5',
  choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(330) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 84, total_tokens: 96 },
}));

let run = 0;

function subject(lazy: boolean): Subject {
  const cache = new IdempotencyCache(CAP, lazy);
  const prefix = `run${run++}-`;
  for (let i = 0; i < CAP; i++) cache.set(IdempotencyCache.keyOf(CLIENT_KEY, `${prefix}fill-${i}`), { status: 200, contentType: 'application/json', body: Buffer.from(BODY) });
  const op = (i: number): void => {
    const value: CachedResponse = { status: 200, contentType: 'application/json', body: Buffer.from(BODY) };
    cache.set(IdempotencyCache.keyOf(CLIENT_KEY, `${prefix}${i}`), value);
  };
  return {
    op,
    note: () => `size ${cache.size} (cap ${CAP})`,
    close: () => cache.clear(),
  };
}

export function lruCases(): MicroCase[] {
  const common = { mechanism: 'lazy-lru', size: `cap ${CAP}`, async: false, memoryOps: 20_000 } as const;
  return [
    // Every leaky op keeps ~0.9 KB: capped so a fast machine's run stays ~200 MB.
    { ...common, variant: 'lazy (timer evicts)', role: 'leaky', maxIterations: 200_000, make: () => subject(true) },
    { ...common, variant: 'eager (set evicts)', role: 'fixed', maxIterations: 2_000_000, make: () => subject(false) },
  ];
}
