// SSE clients that hang up mid-stream: read k events (k drawn from the
// phase's range), then destroy the response, which closes the socket under
// the relay while it is still streaming. Event `sse-abort` per abort. A
// stream that ends before k events is verified like any other stream.

import { performance } from 'node:perf_hooks';
import type { Rng } from '../../shared/prng.ts';
import type { ResolvedSettings } from '../../scenarios/index.ts';
import { CHAT_PATH, chatBody, countEvents, isCompleteStream, pickModel } from './payloads.ts';
import type { Operation } from './pacer.ts';
import { recordFailure, type TargetPool } from './target-pool.ts';

export function streamAbortOperation(
  target: TargetPool,
  clientKey: string,
  settings: ResolvedSettings,
  rng: Rng,
  counters: { request: number },
): Operation {
  const headers = { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json', accept: 'text/event-stream' };
  const { min, max } = settings.abortAfterChunks;
  return async (kill) => {
    const stats = target.stats;
    const abortAfter = min + Math.floor(rng() * (max - min + 1));
    const body = chatBody(pickModel(rng), counters.request++, { includeUsage: true });
    const t0 = performance.now();
    try {
      const res = await target.pool.request({ method: 'POST', path: CHAT_PATH, headers, body, signal: kill });
      if (res.statusCode < 200 || res.statusCode >= 300) {
        for await (const _ of res.body) {
          // discard
        }
        stats.response(res.statusCode, performance.now() - t0);
        return true;
      }
      let events = 0;
      let carry = '';
      let text = '';
      res.body.setEncoding('utf8');
      for await (const chunk of res.body as AsyncIterable<string>) {
        // Keep the last char so a "\n\n" split across chunks still counts.
        events += countEvents(carry + chunk);
        carry = chunk.slice(-1);
        if (events >= abortAfter) {
          res.body.destroy();
          stats.response(res.statusCode, null);
          stats.event('sse-abort');
          return true;
        }
        // Only short streams get here (fewer events than abortAfter ≤ max): bounded.
        text += chunk;
      }
      stats.response(res.statusCode, performance.now() - t0, isCompleteStream(text));
      return true;
    } catch (err) {
      recordFailure(stats, err, kill);
      return false;
    }
  };
}
