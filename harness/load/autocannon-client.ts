// Two repairs to autocannon 9's per-connection Client (lib/httpClient.js),
// applied through its public `setupClient` hook. They rely on fields of that
// file (parser, pipelinedRequests, _connect, reqsMade, responseMax): the
// version is pinned by package-lock and test/load covers both behaviours.
//
// 1. Cut responses. When the server closes mid-response, autocannon silently
//    reconnects: the request is counted nowhere, the HTTP parser keeps its
//    half-read state (so the next response on the new socket is parsed as the
//    rest of the old body) and the pending-request queue keeps the dead entry.
//    A relay that cuts responses would look *healthier*. We count each cut as
//    an error and start every connection with a clean parser and queue; a
//    response the parser rejects is an error too, and resets the connection.
//    A connection refused is retried with back-off instead of on the next tick.
// 2. Smooth open model. autocannon's rate limit is a per-connection budget
//    refilled by a setInterval(1 s) started when the connection is created; all
//    connections are created in the same millisecond, so the whole load fires
//    in a burst at the top of every second. staggerRate() spreads the refills
//    over the second.
// 3. Graceful stop. autocannon's stop() destroys sockets with requests in
//    flight, which the relay sees as client aborts at every checkpoint. drain()
//    lets each connection finish its in-flight request and then close
//    (autocannon's own per-connection request cap), so a checkpoint starts
//    from a quiet relay rather than a burst of disconnects.

import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

/** The parts of autocannon's Client this file touches. */
export interface AutocannonClient extends EventEmitter {
  parser: { initialize(type: 'RESPONSE'): void; execute(chunk: Buffer): unknown };
  pipelinedRequests: { size(): number; clear(): void };
  /** Undefined until the first connect. */
  conn: Socket;
  destroyed: boolean;
  reqsMade: number;
  responseMax: number | undefined;
  /** Requests allowed per second on this connection (0 = unlimited). */
  rate: number;
  reqsMadeThisSecond: number;
  paused: boolean;
  rateInterval: NodeJS.Timeout | undefined;
  _doRequest(): void;
  _connect(): void;
  _resetConnection(): void;
  destroy(): void;
}

/** Reconnect back-off after a connection that never connected: 25 ms doubling to 1 s. */
const BACKOFF_MIN_MS = 25;
const BACKOFF_MAX_MS = 1_000;

export function hardenClient(client: AutocannonClient, onFailure: () => void): void {
  const connect = client._connect;
  let connected = false; // the current socket reached 'connect'
  let backoffMs = 0;
  let deferred: NodeJS.Timeout | null = null;

  const connectClean = function (this: AutocannonClient) {
    // Whatever the previous socket left half-parsed belongs to a response that
    // will never complete (it was counted when the socket ended).
    this.parser.initialize('RESPONSE');
    this.pipelinedRequests.clear();
    connected = false;
    connect.call(this);
    this.conn.once('connect', () => {
      connected = true;
      backoffMs = 0;
    });
    // prependListener: runs before autocannon's own 'end' handler, which reconnects.
    this.conn.prependListener('end', () => {
      if (!this.destroyed && this.pipelinedRequests.size() > 0) onFailure();
    });
  };

  client._connect = function reconnect(this: AutocannonClient) {
    if (deferred !== null) return;
    if (this.conn === undefined || connected) {
      connectClean.call(this);
      return;
    }
    // The last socket failed before connecting (refused, target gone):
    // autocannon would retry on the next tick forever, burning a core. Back off.
    backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs === 0 ? BACKOFF_MIN_MS : backoffMs * 2);
    this.pipelinedRequests.clear(); // nothing is in flight while we wait: a drain may close us now
    deferred = setTimeout(() => {
      deferred = null;
      if (!this.destroyed) connectClean.call(this);
    }, backoffMs);
  };
  const destroy = client.destroy;
  client.destroy = function destroyAndCancel(this: AutocannonClient) {
    if (deferred !== null) clearTimeout(deferred);
    deferred = null;
    destroy.call(this);
  };

  const parser = client.parser;
  const execute = parser.execute.bind(parser);
  parser.execute = (chunk: Buffer) => {
    const result = execute(chunk);
    if (result instanceof Error && !client.destroyed) {
      onFailure();
      client._resetConnection();
    }
    return result;
  };
}

/**
 * Moves the connection's budget refill to `offsetMs` into each second. Call
 * right after autocannon created its clients (synchronously, in autocannon()).
 */
export function staggerRate(client: AutocannonClient, offsetMs: number): void {
  if (!client.rate || client.destroyed) return;
  clearInterval(client.rateInterval);
  // No budget before the first refill: otherwise every connection would spend
  // its partial-second budget at t = 0, which is the burst we are removing.
  client.reqsMadeThisSecond = client.rate;
  const refill = () => {
    client.reqsMadeThisSecond = 0;
    // While a reconnect is backing off the socket is dead: the reconnect sends.
    if (client.paused && !client.conn.destroyed) {
      client.paused = false;
      client._doRequest();
    }
  };
  // client.destroy() clears `rateInterval`: keep it pointing at the live timer.
  client.rateInterval = setTimeout(() => {
    if (client.destroyed) return;
    client.rateInterval = setInterval(refill, 1000);
    refill();
  }, offsetMs);
}

/**
 * Stop after the in-flight request: an idle connection closes now, a busy one
 * when its response completes (autocannon closes a client once `reqsMade`
 * reaches `responseMax`).
 */
export function drainClient(client: AutocannonClient): void {
  if (client.destroyed) return;
  if (client.pipelinedRequests.size() === 0) {
    client.destroy();
    return;
  }
  client.responseMax = Math.max(1, client.reqsMade);
}

/** True while the client has a request on the wire. */
export function clientBusy(client: AutocannonClient): boolean {
  return !client.destroyed && client.pipelinedRequests.size() > 0;
}
