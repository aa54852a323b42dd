// Pumps an upstream SSE body to the client, chunk by chunk, without copies.
//
// Why not stream.pipeline: the relay must (1) hold the response headers back
// until the first upstream byte arrives, so a stream that fails before
// producing anything can still fail over to another account; (2) see every
// chunk, to keep the stream's tail for the final usage frame; (3) tell
// "broke before commit" from "broke after commit". A manual pump with
// pause/drain backpressure does all three with the same cost as pipe().
//
// Only references to the last few chunks are kept (≥ TAIL_BYTES in total),
// joined once at the end: no per-chunk concatenation.

import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { RelayError } from '../errors.ts';
import type { InFlight } from '../scheduler.ts';

/** The final usage frame is a few hundred bytes; keep comfortably more. */
const TAIL_BYTES = 8 * 1024;

export type PumpResult =
  | { ok: true; tail: string }
  | { ok: false; committed: boolean; error: unknown };

const DEFAULT_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

export class SsePump {
  readonly #body: Readable;
  readonly #res: ServerResponse;
  readonly #entry: InFlight;
  readonly #contentType: string;
  readonly #tail: Buffer[] = [];
  #tailBytes = 0;
  #committed = false;
  #resolve!: (result: PumpResult) => void;

  /** `contentType`: the upstream's, passed on (an upstream may answer a stream request with plain JSON). */
  constructor(body: Readable, res: ServerResponse, entry: InFlight, contentType: string | undefined) {
    this.#body = body;
    this.#res = res;
    this.#entry = entry;
    this.#contentType = contentType ?? DEFAULT_CONTENT_TYPE;
  }

  get committed(): boolean {
    return this.#committed;
  }

  run(): Promise<PumpResult> {
    const promise = new Promise<PumpResult>((resolve) => {
      this.#resolve = resolve;
    });
    this.#body.on('data', this.#onData);
    this.#body.once('end', this.#onEnd);
    this.#body.once('error', this.#onError);
    return promise;
  }

  readonly #onData = (chunk: Buffer): void => {
    const res = this.#res;
    if (!this.#committed) {
      this.#committed = true;
      this.#entry.committed = true;
      res.writeHead(200, { 'content-type': this.#contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    }
    this.#keepTail(chunk);
    // A destroyed response never drains: writes to a gone client are dropped, not waited on.
    if (!res.write(chunk) && !res.destroyed) {
      this.#body.pause();
      res.once('drain', this.#onDrain);
    }
  };

  readonly #onDrain = (): void => {
    this.#body.resume();
  };

  readonly #onEnd = (): void => {
    if (!this.#committed) {
      this.#finish({ ok: false, committed: false, error: new RelayError('RELAY_ERR_UPSTREAM_BROKEN', 'upstream stream ended without data') });
      return;
    }
    this.#res.end();
    const tail = this.#tail.length === 1 ? this.#tail[0]! : Buffer.concat(this.#tail, this.#tailBytes);
    this.#finish({ ok: true, tail: tail.toString('utf8') });
  };

  readonly #onError = (error: Error): void => {
    this.#finish({ ok: false, committed: this.#committed, error });
  };

  #keepTail(chunk: Buffer): void {
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    // Drop whole chunks from the front while the rest still covers TAIL_BYTES.
    while (this.#tail.length > 1 && this.#tailBytes - this.#tail[0]!.length >= TAIL_BYTES) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  #finish(result: PumpResult): void {
    const body = this.#body;
    body.off('data', this.#onData);
    body.off('end', this.#onEnd);
    body.off('error', this.#onError);
    this.#res.off('drain', this.#onDrain);
    // Whatever happens next, a late error from a body we stopped watching must not go unhandled.
    body.on('error', ignore);
    if (!body.readableEnded) body.destroy();
    this.#tail.length = 0;
    this.#resolve(result);
  }
}

function ignore(): void {}
