// How a handler asks for wire behaviour that a Fetch Response cannot express,
// and the stream shapes that produce the rest. Everything here is plain
// Fetch API, so the same handlers work in-process (msw getResponse,
// setupServer + fetch) where a network error is just a network error.
//
// Bridge mapping (mocks/bridge.ts):
//   networkError('rst')  → socket.resetAndDestroy()      (TCP RST, no status line)
//   networkError('fin')  → socket.end()                   (FIN, no status line)
//   body stream errors   → res.destroy()                  (cut mid-body: no final chunk / short Content-Length)
//   `content-length` header on a streamed body is honoured as is (so it can lie).

import { setTimeout as sleepTimer } from 'node:timers/promises';
import { HttpResponse } from 'msw';
import { RelaySoakError } from '../shared/errors.ts';

export type NetworkErrorKind = 'rst' | 'fin';

const networkErrorKinds = new WeakMap<Response, NetworkErrorKind>();

/** A network-error Response (`Response.error()`) the bridge turns into RST or FIN. */
export function networkError(kind: NetworkErrorKind): Response {
  const response = HttpResponse.error();
  networkErrorKinds.set(response, kind);
  return response;
}

/** RST for an untagged `Response.error()`: the harsher, more common failure. */
export function networkErrorKindOf(response: Response): NetworkErrorKind | null {
  if (response.type !== 'error') return null;
  return networkErrorKinds.get(response) ?? 'rst';
}

/** The error a body stream fails with to make the bridge cut the response. */
export class WireCut extends RelaySoakError<'MOCK_ERR_WIRE_CUT'> {
  constructor(reason: string) {
    super('MOCK_ERR_WIRE_CUT', `upstream cut the response on purpose: ${reason}`);
  }
}

/** Waits `ms`; rejects with the signal's reason when it aborts first (client gone, upstream closing). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepTimer(ms, undefined, signal ? { signal } : undefined);
}

/** How a paced stream ends after its last piece. */
export type StreamEnd =
  | { type: 'close' }
  /** Error right away: the bridge cuts the response (truncation). */
  | { type: 'cut' }
  /** Stay silent for `ms`, then cut. */
  | { type: 'stall'; ms: number };

/**
 * A body stream that sends `pieces` one by one, `intervalMs` apart (the first
 * immediately; all at once when `intervalMs` is 0), then ends as `end` says.
 *
 * Pull-based with highWaterMark 0, on purpose: `controller.error()` discards
 * chunks still queued, so a cut must only happen on a read that comes after
 * the consumer took every piece, or the part meant to reach the wire before
 * the cut would vanish. Timers die with the stream: a cancel (client gone) or
 * an abort of `signal` clears them, so nothing outlives the request.
 */
export function pacedStream(
  pieces: readonly Uint8Array[],
  intervalMs: number,
  end: StreamEnd,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  let next = 0;
  let onAbort: (() => void) | undefined;
  let wake: (() => void) | undefined;
  const cleanup = () => {
    clearTimeout(timer);
    timer = undefined;
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  };
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (!signal) return;
        onAbort = () => {
          cleanup();
          try {
            controller.error(new WireCut('request aborted'));
          } catch {
            // already closed or errored
          }
          wake?.();
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        if (signal?.aborted) return;
        if (next < pieces.length) {
          if (intervalMs <= 0) {
            while (next < pieces.length) controller.enqueue(pieces[next++]!);
            if (end.type === 'close') {
              cleanup();
              controller.close();
            }
          } else {
            if (next > 0) await wait(intervalMs);
            if (signal?.aborted) return;
            controller.enqueue(pieces[next++]!);
            if (next === pieces.length && end.type === 'close') {
              cleanup();
              controller.close();
            }
          }
          return;
        }
        if (end.type === 'close') {
          cleanup();
          controller.close();
          return;
        }
        if (end.type === 'stall') {
          await wait(end.ms);
          if (signal?.aborted) return;
        }
        cleanup();
        controller.error(new WireCut(end.type === 'stall' ? `stalled ${end.ms} ms` : 'truncated body'));
      },
      cancel() {
        cleanup();
        wake?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Splits bytes into pieces of at most `size` bytes (views, no copies). */
export function slices(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(bytes.length, i + size)));
  return out;
}
