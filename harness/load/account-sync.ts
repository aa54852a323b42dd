// Seed 003's control plane: a full account snapshot sent in chunks
// (POST /v0/management/sync/snapshot, `last` on the final chunk), then a
// steady flow of incremental events (POST /v0/management/sync/events): disable,
// enable and priority changes on random accounts. Events: `sync-snapshot` per
// complete snapshot, `sync-event` per incremental event.

import { randInt, type Rng } from '../../shared/prng.ts';
import type { Operation } from './pacer.ts';
import { isJsonObject } from './payloads.ts';
import type { TargetPool } from './target-pool.ts';

export const SNAPSHOT_PATH = '/v0/management/sync/snapshot';
export const EVENTS_PATH = '/v0/management/sync/events';

function headersFor(managementKey: string) {
  return { authorization: `Bearer ${managementKey}`, 'content-type': 'application/json' };
}

/** Sends one snapshot of every account, chunk by chunk; stops early on `stop`. Returns true when complete. */
export async function sendSnapshot(
  target: TargetPool,
  managementKey: string,
  authIndexes: readonly string[],
  chunkSize: number,
  syncId: string,
  rng: Rng,
  stop: AbortSignal,
  kill: AbortSignal,
): Promise<boolean> {
  const headers = headersFor(managementKey);
  for (let chunk = 0, from = 0; from < authIndexes.length; chunk++, from += chunkSize) {
    if (stop.aborted) return false;
    const to = Math.min(authIndexes.length, from + chunkSize);
    const accounts = [];
    for (let i = from; i < to; i++) accounts.push({ auth_index: authIndexes[i], disabled: rng() < 0.05, priority: randInt(rng, 0, 9) });
    const body = JSON.stringify({ sync_id: syncId, chunk, last: to === authIndexes.length, accounts });
    const res = await target.exchange({ method: 'POST', path: SNAPSHOT_PATH, headers, body, verify: isJsonObject }, kill);
    if (res === null || res.status >= 400) return false;
  }
  target.stats.event('sync-snapshot');
  return true;
}

export function syncEventsOperation(target: TargetPool, managementKey: string, authIndexes: readonly string[], eventsPerBatch: number, rng: Rng): Operation {
  const headers = headersFor(managementKey);
  return async (kill) => {
    const events = [];
    for (let i = 0; i < eventsPerBatch; i++) {
      const auth_index = authIndexes[Math.floor(rng() * authIndexes.length)];
      // More enables than disables: the pool settles near 40 % disabled instead of drifting to half.
      const r = rng();
      events.push(r < 0.3 ? { auth_index, op: 'disable' } : r < 0.8 ? { auth_index, op: 'enable' } : { auth_index, op: 'priority', value: randInt(rng, 0, 9) });
    }
    const res = await target.exchange({ method: 'POST', path: EVENTS_PATH, headers, body: JSON.stringify({ events }), verify: isJsonObject }, kill);
    if (res !== null && res.status < 400) target.stats.event('sync-event', eventsPerBatch);
    return res !== null && res.status < 400;
  };
}
