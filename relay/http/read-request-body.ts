// Reading a client request body with a size limit. A declared
// Content-Length over the limit is refused before a byte is read; a chunked
// body is cut off as soon as it passes the limit. Either way the caller
// answers 413 and closes the connection (the rest of the body is not drained).

import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

const TOO_LARGE: BodyResult = { ok: false, reason: 'too_large' };
const ABORTED: BodyResult = { ok: false, reason: 'aborted' };

export function readRequestBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) {
        done(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => done({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) });
    const onAbort = (): void => done(ABORTED);
    const done = (result: BodyResult): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      if (!result.ok) req.pause();
      resolve(result);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}
