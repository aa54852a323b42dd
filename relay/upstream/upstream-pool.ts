// The one undici Pool per upstream origin. Bounded sockets, explicit
// timeouts: every knob that decides whether a broken upstream can pin relay
// resources is set here, from RelayOptions, never left to library defaults.

import { Pool } from 'undici';
import type { LeakFlags } from '../leaks/flags.ts';
import type { ResolvedOptions } from '../options.ts';

/** Seed 002's pre-fix transport: every timeout 30 minutes. */
const PRE_FIX_TIMEOUT_MS = 30 * 60_000;

export function createUpstreamPool(options: ResolvedOptions, leaks: LeakFlags): Pool {
  // error-body: the incident's 30-minute headers/body timeouts, so what its
  // unread error bodies pin stays pinned (the fix shortened them as well).
  const messageTimeoutMs = leaks.errorBody ? PRE_FIX_TIMEOUT_MS : undefined;
  // error-body-read-fail: the incident's 30-minute body timeout, so an error
  // body left paused mid-message stays pinned (with the fixed 60 s, undici's
  // inactivity timer would end it after a minute: the pin is then 60 s long).
  const bodyTimeoutMs = messageTimeoutMs ?? (leaks.errorBodyReadFail ? PRE_FIX_TIMEOUT_MS : options.bodyTimeoutMs);
  // headers-timeout (seed 002's secondary factor, ResponseHeaderTimeout): the
  // incident's 30 minutes, so a request whose upstream never answers holds its
  // socket for as long as its client waits, instead of --headers-timeout.
  const headersTimeoutMs = messageTimeoutMs ?? (leaks.headersTimeout ? PRE_FIX_TIMEOUT_MS : options.headersTimeoutMs);
  // pool-size: no socket cap and a 30-minute idle life (seed 001's oversized,
  // slowly recycled pool): a burst's sockets outlive it.
  const idleMs = leaks.poolSize ? PRE_FIX_TIMEOUT_MS : options.keepAliveTimeoutMs;
  return new Pool(options.upstream, {
    connections: leaks.poolSize ? null : options.upstreamConnections,
    pipelining: 1,
    connectTimeout: options.connectTimeoutMs,
    headersTimeout: headersTimeoutMs,
    bodyTimeout: bodyTimeoutMs,
    keepAliveTimeout: idleMs,
    // A true upper bound: a server's `Keep-Alive: timeout=N` hint may shorten
    // the idle time, never lengthen it past --keep-alive-timeout (the harness
    // drains idle sockets before a checkpoint and sizes its wait on this flag).
    keepAliveMaxTimeout: idleMs,
  });
}
