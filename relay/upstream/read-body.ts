// Reading an undici response body into one Buffer, bounded. Every upstream
// body must end consumed or destroyed (an unread body ≥ 64 KiB pins its
// socket forever: field notes, seed 002); both readers guarantee that.

import type { Readable } from 'node:stream';
import { RelayError } from '../errors.ts';

interface ReadAllState {
  readonly chunks: Buffer[];
  length: number;
  readonly limit: number;
  resolve: (body: Buffer) => void;
  reject: (err: unknown) => void;
}

// Hot path (every non-stream response): module-level listeners find their
// state on the body under a symbol instead of closing over it.
const STATE = Symbol('relay.readAll');
type Reading = Readable & { [STATE]?: ReadAllState | undefined };

function release(body: Reading): ReadAllState {
  const state = body[STATE]!;
  body[STATE] = undefined;
  body.off('data', onAllData);
  body.off('end', onAllEnd);
  body.off('error', onAllError);
  // A late error after we stopped listening must not become an uncaught exception.
  body.on('error', swallow);
  return state;
}

function onAllData(this: Reading, chunk: Buffer): void {
  const state = this[STATE]!;
  state.length += chunk.length;
  if (state.length <= state.limit) {
    state.chunks.push(chunk);
    return;
  }
  release(this);
  this.destroy();
  state.reject(new RelayError('RELAY_ERR_UPSTREAM_TOO_LARGE', `upstream body exceeds ${state.limit} bytes`));
}

function onAllEnd(this: Reading): void {
  const { chunks, length, resolve } = release(this);
  resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
}

function onAllError(this: Reading, err: Error): void {
  release(this).reject(err);
}

/**
 * The whole body, or a RelayError('RELAY_ERR_UPSTREAM_TOO_LARGE') after destroying it
 * when it passes `limit`. Rejects with the stream's own error (undici code
 * intact, for classification) when the body breaks.
 */
export function readAll(body: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    (body as Reading)[STATE] = { chunks: [], length: 0, limit, resolve, reject };
    body.on('data', onAllData);
    body.once('end', onAllEnd);
    body.once('error', onAllError);
  });
}

function swallow(): void {}

/**
 * How long the chat error path waits for an error body before giving up on
 * it (both builds). An error body is read only to classify the error (a 429's
 * reset time); one that stops arriving (seed 002: "读取响应体时出错") is
 * given up on after 1 s instead of holding its socket and its request for
 * the body inactivity timeout (60 s), and the answer falls back on the status
 * and headers alone. A whole 64 KiB cap arrives in ≈ 0.5 s even at 1 Mbit/s.
 */
export const ERROR_BODY_DEADLINE_MS = 1_000;

/**
 * Up to `cap` bytes of an error body (enough to classify a 429), then the
 * rest is destroyed rather than drained: a hostile 256 KiB error body costs
 * one socket, not a read of the whole thing. With `deadlineMs`, a body still
 * incomplete then is destroyed too: every exit (cap, end, error, deadline)
 * ends with the body consumed or destroyed. Never rejects.
 */
export function readCapped(body: Readable, cap: number, deadlineMs?: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      body.off('data', onData);
      body.off('end', finish);
      body.off('error', finish);
      body.on('error', swallow);
      const buf = Buffer.concat(chunks, Math.min(length, cap));
      if (!body.readableEnded) body.destroy();
      resolve(buf);
    };
    const onData = (chunk: Buffer): void => {
      if (length < cap) chunks.push(length + chunk.length > cap ? chunk.subarray(0, cap - length) : chunk);
      length += chunk.length;
      if (length >= cap) finish();
    };
    const deadline = deadlineMs === undefined ? undefined : setTimeout(finish, deadlineMs);
    body.on('data', onData);
    body.once('end', finish);
    body.once('error', finish);
  });
}

/**
 * error-body-read-fail variant (seed 002's RelayErrorHandler: `io.ReadAll`
 * fails and the handler returns before `defer resp.Body.Close()`). A body
 * read to its end or to the cap is handled as the fix does (ended, or
 * destroyed at the cap), so large error bodies do not leak here (that is the
 * error-body variant); a READ THAT FAILS returns early: at the deadline (a
 * stalled body) or on a stream error it stops listening and pauses the body,
 * destroying nothing. The message is incomplete, so undici keeps its socket
 * busy with the body, and bodyTimeout is the incident's 30 minutes in this
 * build (upstream-pool.ts): the socket and its fd stay pinned until the
 * upstream gives up on the response. A stream error has already destroyed
 * the body in undici, so in Node it is the deadline exit that pins.
 * The fix is readCapped() with the same deadline: destroy on every exit.
 */
export function readErrorBodyReadFailPreFix(body: Readable, cap: number, deadlineMs = ERROR_BODY_DEADLINE_MS): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const stop = (): Buffer => {
      settled = true;
      clearTimeout(deadline);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onFail);
      body.on('error', swallow);
      return Buffer.concat(chunks, Math.min(length, cap));
    };
    const onEnd = (): void => {
      if (!settled) resolve(stop());
    };
    // The early return: `if err != nil { return }` before the Close.
    const onFail = (): void => {
      if (settled) return;
      const buf = stop();
      body.pause();
      resolve(buf);
    };
    const onData = (chunk: Buffer): void => {
      if (length < cap) chunks.push(length + chunk.length > cap ? chunk.subarray(0, cap - length) : chunk);
      length += chunk.length;
      if (length >= cap) {
        const buf = stop();
        body.destroy();
        resolve(buf);
      }
    };
    const deadline = setTimeout(onFail, deadlineMs);
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onFail);
  });
}

/** error-body variant: how long the pre-fix handler waits for an error body before giving up on it. */
export const PRE_FIX_ERROR_BODY_DEADLINE_MS = 1_000;

/**
 * error-body variant (seed 002's RelayErrorHandler, in Node terms): reads the
 * error body under a deadline and a size limit, and on either returns early
 * with what it has, without consuming or destroying the rest. A stream with
 * no consumer is paused; undici keeps a connection whose unread body is
 * ≥ 64 KiB busy, and bodyTimeout does not fire while the body is paused, so
 * the socket stays pinned for as long as the upstream keeps it.
 * The fix is readCapped() above: destroy on every exit path.
 */
export function readErrorBodyPreFix(body: Readable, cap: number, deadlineMs = PRE_FIX_ERROR_BODY_DEADLINE_MS): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const giveUp = (): void => {
      clearTimeout(deadline);
      body.off('data', onData);
      body.off('end', giveUp);
      body.off('error', giveUp);
      body.on('error', swallow);
      body.pause(); // the early return: nobody reads on, nobody destroys
      resolve(Buffer.concat(chunks, Math.min(length, cap)));
    };
    const onData = (chunk: Buffer): void => {
      if (length < cap) chunks.push(length + chunk.length > cap ? chunk.subarray(0, cap - length) : chunk);
      length += chunk.length;
      if (length >= cap) giveUp();
    };
    const deadline = setTimeout(giveUp, deadlineMs);
    body.on('data', onData);
    body.once('end', giveUp);
    body.once('error', giveUp);
  });
}
