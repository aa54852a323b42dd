// A call to the upstream on one account's behalf: the management api-call
// and the health scan's probe (real relays use it to read codex quota via
// GET /backend-api/wham/usage). The path is relative to the configured
// upstream origin and nothing else: an absolute or scheme-relative URL is
// refused, so the management API cannot be turned into an open proxy.

import type { Pool } from 'undici';
import { classifyUpstreamError, statusForClass, type UpstreamErrorClass } from '../upstream/classify.ts';
import { readCapped } from '../upstream/read-body.ts';

export const API_CALL_METHODS = ['GET', 'POST'] as const;
export type ApiCallMethod = (typeof API_CALL_METHODS)[number];

export interface UpstreamCallResult {
  /** Upstream status, or 502/504 when it could not answer (then `errorClass` is set). */
  readonly status: number;
  readonly body: Buffer;
  readonly errorClass: UpstreamErrorClass | null;
}

/** Whether `path` names a resource on the upstream origin itself. */
export function isSameOriginPath(path: string, origin: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\')) return false;
  try {
    return new URL(path, origin).origin === origin;
  } catch {
    return false;
  }
}

export async function callUpstream(
  pool: Pool,
  authorization: string,
  method: ApiCallMethod,
  path: string,
  body: string | undefined,
  cap: number,
  signal: AbortSignal | undefined,
): Promise<UpstreamCallResult> {
  try {
    const res = await pool.request({
      path,
      method,
      headers: body === undefined ? { authorization, accept: 'application/json' } : { authorization, accept: 'application/json', 'content-type': 'application/json' },
      body: body ?? null,
      signal: signal ?? null,
    });
    return { status: res.statusCode, body: await readCapped(res.body, cap), errorClass: null };
  } catch (err) {
    const cls = classifyUpstreamError(err);
    return { status: statusForClass(cls), body: Buffer.alloc(0), errorClass: cls };
  }
}
