// Seed 000's health scan as operators run it: one management `api-call` per
// account (the relay looks the account up by auth_index and probes the
// upstream usage endpoint with its token), walking all N accounts in order,
// over and over. The cursor lives in the driver, so a scan continues across
// segments; the pacer's in-flight cap is the scan's bounded concurrency.
// Events: `api-call` per call, `scan` per full pass.

import type { Operation } from './pacer.ts';
import { isJsonObject } from './payloads.ts';
import type { TargetPool } from './target-pool.ts';

export const API_CALL_PATH = '/v0/management/api-call';
export const USAGE_PATH = '/backend-api/wham/usage';

export interface ScanCursor {
  next: number;
}

export function apiCallOperation(target: TargetPool, managementKey: string, authIndexes: readonly string[], cursor: ScanCursor): Operation {
  const headers = { authorization: `Bearer ${managementKey}`, 'content-type': 'application/json' };
  return async (kill) => {
    const index = cursor.next;
    cursor.next = (index + 1) % authIndexes.length;
    if (cursor.next === 0) target.stats.event('scan');
    target.stats.event('api-call');
    const body = JSON.stringify({ auth_index: authIndexes[index], method: 'GET', path: USAGE_PATH });
    const res = await target.exchange({ method: 'POST', path: API_CALL_PATH, headers, body, verify: isJsonObject }, kill);
    return res !== null && res.status < 400;
  };
}
