// The unread-socket handle signal: ESTABLISHED sockets of the target holding
// bytes it never read (/proc/net/tcp rx_queue > 0, harness/sampler/proc.ts),
// judged like fds (handles.ts). It is the language-independent trace of an
// unread upstream body: any target, Node, Go or Python, that drops a response
// without reading or closing it leaves the rest of the body in that socket's
// receive queue, and the socket pinned (seed 002: 169 000 goroutines parked on
// unclosed error bodies). A correct target reads what arrives within
// milliseconds, so at a drained checkpoint the count is 0 and a count that
// grows with the load is pinned sockets. Idle pooled sockets hold nothing
// unread and never count: the signal stays clean where fds and
// tcp:ESTABLISHED move with a pool's size.

import type { Checkpoint } from '../records.ts';

/** The handle key (series.ts handleCounts); under `tcp:` so reports chart it with the TCP states. */
export const UNREAD_SOCKETS_KEY = 'tcp:unread';

/** How verdicts name the signal. */
export const UNREAD_SOCKETS_LABEL = 'sockets with unread data';

/** The human name of a handle key that has one (only the unread-socket signal so far). */
export function handleLabel(type: string): string | undefined {
  return type === UNREAD_SOCKETS_KEY ? UNREAD_SOCKETS_LABEL : undefined;
}

/** Unread bytes at a checkpoint (0 when the checkpoint predates the signal). */
export function unreadBytesOf(checkpoint: Checkpoint): number {
  return checkpoint.unread?.bytes ?? 0;
}

/** `+0.8/1k requests`: a count's growth per thousand requests, signed. */
export function perThousandText(perThousand: number | null): string {
  if (perThousand === null || !Number.isFinite(perThousand)) return 'n/a/1k requests';
  const a = Math.abs(perThousand);
  const digits = a !== 0 && a < 0.1 ? 2 : 1;
  return `${perThousand > 0 ? '+' : ''}${perThousand.toFixed(digits)}/1k requests`;
}

export function bytesText(b: number): string {
  const a = Math.abs(b);
  if (a >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  if (a >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${Math.round(b)} B`;
}
