// What one micro-benchmark row is: a catalog mechanism's code path (leaky,
// fixed, or another way of doing it), the size it runs at, and how far its
// loops may go. The mechanism files (account-lookup.ts, lru.ts, ...) export
// these; run.ts measures them; table.ts prints them.

import type { Op } from './memory.ts';

/** `fixed` is the reference of its mechanism+size (ratios are against it); `alt` is a third way, neither the relay's bug nor its fix. */
export type Role = 'leaky' | 'fixed' | 'alt';

/** A fresh instance of the code path with its state. */
export interface Subject {
  readonly op: Op;
  /** What the code path holds after the ops so far, for the table's note ("tracker entries 50 016"). */
  note?(): string;
  /** Stops timers, closes sockets: after this nothing of the subject runs. */
  close?(): Promise<void> | void;
}

export interface MicroCase {
  /** The catalog variant the mechanism belongs to (relay/leaks/catalog.ts): what --only selects. */
  readonly mechanism: string;
  /** How the code path is named in the table (`listClones+scan`, `readCapped`). */
  readonly variant: string;
  readonly role: Role;
  /** The size it runs at, as printed (`5k accounts`, `cap 1000`). */
  readonly size: string;
  /** op returns a promise to await. */
  readonly async: boolean;
  /** tinybench: stop after this many iterations even if --time is not spent (leaky paths grow, slow ones crawl). */
  readonly maxIterations: number;
  /** tinybench: run exactly this many iterations whatever --time (for ops slower than --time itself). */
  readonly exactIterations?: number;
  /** Ops in each memory batch (allocated, then retained). */
  readonly memoryOps: number;
  /** Builds a fresh subject: one for the timed run, another for the memory batches. */
  make(): Promise<Subject> | Subject;
  /** Run after the last case of a group: drops shared state (a 100 k-account pool). */
  release?(): Promise<void> | void;
}
