// The one undici Pool per upstream origin. Bounded sockets, explicit
// timeouts: every knob that decides whether a broken upstream can pin relay
// resources is set here, from RelayOptions, never left to library defaults.

import { Pool } from 'undici';
import type { ResolvedOptions } from '../options.ts';

export function createUpstreamPool(options: ResolvedOptions): Pool {
  return new Pool(options.upstream, {
    connections: options.upstreamConnections,
    pipelining: 1,
    connectTimeout: options.connectTimeoutMs,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    // The server's keep-alive hint may lengthen the idle time up to this, not beyond.
    keepAliveMaxTimeout: Math.max(options.keepAliveTimeoutMs, 10_000),
  });
}
