// SSE clients that hang up mid-stream: read k events (k drawn from the
// phase's range), then destroy the response, which closes the socket under
// the relay while it is still streaming. Event `sse-abort` per abort. A
// stream that ends before k events is verified like any other stream.

import { performance } from 'node:perf_hooks';
import type { Rng } from '../../shared/prng.ts';
import type { ResolvedSettings } from '../../scenarios/index.ts';
import type { ClientApi } from './client-api.ts';
import { countEvents } from './payloads.ts';
import { CHAT_ERROR_EVENT } from './stats.ts';
import type { Operation } from './pacer.ts';
import { recordFailure, type TargetPool } from './target-pool.ts';

export function streamAbortOperation(
  target: TargetPool,
  client: ClientApi,
  settings: ResolvedSettings,
  rng: Rng,
  counters: { request: number },
): Operation {
  const { min, max } = settings.abortAfterChunks;
  const profile = client.profile;
  const path = target.basePath + profile.path;
  return async (kill) => {
    const stats = target.stats;
    const abortAfter = min + Math.floor(rng() * (max - min + 1));
    const body = profile.body(client.model(rng), counters.request++, { includeUsage: true });
    const headers = client.headers('sse', client.nextKey());
    const t0 = performance.now();
    try {
      const res = await target.pool.request({ method: 'POST', path, headers, body, signal: kill });
      if (res.statusCode < 200 || res.statusCode >= 300) {
        for await (const _ of res.body) {
          // discard
        }
        stats.response(res.statusCode, performance.now() - t0);
        stats.event(CHAT_ERROR_EVENT);
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
      stats.response(res.statusCode, performance.now() - t0, profile.isCompleteStream(text));
      return true;
    } catch (err) {
      recordFailure(stats, err, kill);
      return false;
    }
  };
}
