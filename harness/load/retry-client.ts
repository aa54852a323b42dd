// Seed 001's clients: on 429/503 they retry at once, up to maxTries in total,
// on top of the relay's own failover retries. Every attempt is a request in
// the stats (a 429 is a 4xx); each retry is an event `retry`. With
// `retry.giveUpAfterMs` a client hangs up on an attempt that takes longer (an
// SDK timeout meeting the relay's failover pause): event `client-gave-up`, and
// that request is over (the user gave up).

import type { Rng } from '../../shared/prng.ts';
import type { ResolvedSettings } from '../../scenarios/index.ts';
import type { ClientApi } from './client-api.ts';
import type { Operation } from './pacer.ts';
import { CHAT_ERROR_EVENT } from './stats.ts';
import type { TargetPool } from './target-pool.ts';

export function retryOperation(
  target: TargetPool,
  client: ClientApi,
  settings: ResolvedSettings,
  rng: Rng,
  counters: { request: number },
): Operation {
  const retryOn = new Set(settings.retry.on);
  const profile = client.profile;
  return async (kill) => {
    const body = profile.body(client.model(rng), counters.request++, false);
    // One key per logical request: a client retries with the key it has.
    const headers = client.headers('json', client.nextKey());
    for (let attempt = 1; attempt <= settings.retry.maxTries; attempt++) {
      if (attempt > 1) target.stats.event('retry');
      const res = await target.exchange({ method: 'POST', path: profile.path, headers, body, verify: profile.isComplete }, kill, settings.retry.giveUpAfterMs);
      if (res === null) return false;
      if (res.status < 200 || res.status >= 300) target.stats.event(CHAT_ERROR_EVENT);
      if (!retryOn.has(res.status) || kill.aborted) return res.status < 400;
    }
    return false;
  };
}
