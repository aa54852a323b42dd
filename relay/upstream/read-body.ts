// Reading an undici response body into one Buffer, bounded. Every upstream
// body must end consumed or destroyed (an unread body ≥ 64 KiB pins its
// socket forever: field notes, seed 002); both readers guarantee that.

import type { Readable } from 'node:stream';
import { RelayError } from '../errors.ts';

/**
 * The whole body, or a RelayError('UPSTREAM_TOO_LARGE') after destroying it
 * when it passes `limit`. Rejects with the stream's own error (undici code
 * intact, for classification) when the body breaks.
 */
export function readAll(body: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) {
        cleanup();
        body.destroy();
        reject(new RelayError('UPSTREAM_TOO_LARGE', `upstream body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      // A late error after we stopped listening must not become an uncaught exception.
      body.on('error', swallow);
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

function swallow(): void {}

/**
 * Up to `cap` bytes of an error body (enough to classify a 429), then the
 * rest is destroyed rather than drained: a hostile 256 KiB error body costs
 * one socket, not a read of the whole thing. Never rejects.
 */
export function readCapped(body: Readable, cap: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
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
    body.on('data', onData);
    body.once('end', finish);
    body.once('error', finish);
  });
}
