// Reading a client request body with a size limit. A declared
// Content-Length over the limit is refused before a byte is read; a chunked
// body is cut off as soon as it passes the limit. Either way the caller
// answers 413 and closes the connection (the rest of the body is not drained).
//
// Hot path (every chat request): the listeners are module-level functions
// that find their state on the request under a symbol, so a read allocates
// its state and one promise, not four closures.

import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

const TOO_LARGE: BodyResult = { ok: false, reason: 'too_large' };
const ABORTED: BodyResult = { ok: false, reason: 'aborted' };

interface ReadState {
  readonly chunks: Buffer[];
  length: number;
  readonly limit: number;
  resolve: (result: BodyResult) => void;
}

const STATE = Symbol('relay.requestBody');
type Reading = IncomingMessage & { [STATE]?: ReadState | undefined };

function finish(req: Reading, result: BodyResult): void {
  const state = req[STATE];
  if (state === undefined) return;
  req[STATE] = undefined;
  req.off('data', onData);
  req.off('end', onEnd);
  req.off('error', onAbort);
  req.off('close', onAbort);
  if (!result.ok) req.pause();
  state.resolve(result);
}

function onData(this: Reading, chunk: Buffer): void {
  const state = this[STATE]!;
  state.length += chunk.length;
  if (state.length > state.limit) finish(this, TOO_LARGE);
  else state.chunks.push(chunk);
}

function onEnd(this: Reading): void {
  const { chunks, length } = this[STATE]!;
  finish(this, { ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) });
}

function onAbort(this: Reading): void {
  finish(this, ABORTED);
}

export function readRequestBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve) => {
    (req as Reading)[STATE] = { chunks: [], length: 0, limit, resolve };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}
