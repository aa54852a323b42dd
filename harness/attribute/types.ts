// What the out-of-process snapshot diff returns (snapshot-diff.ts): rows by
// class or object shape, one retainer path per top row, timers by callback.

export interface RetainedRow {
  /**
   * DevTools' class name: a constructor (`LeakedSession`, `AbortController`, `Timeout`), an object shape
   * (`{id, controller, model}`), a function (`onAbort()`, with its location), or a V8 internal (`(string)`,
   * `(array)`, `(compiled code)`, `system / Context`).
   */
  name: string;
  /** named: a constructor, shape or function of the program; internal: V8's parenthesised / system kinds. */
  kind: 'named' | 'internal';
  /** Objects in the last snapshot minus the first. */
  countDelta: number;
  /** Δ self size, bytes (what the objects themselves take, not what they hold). */
  selfBytesDelta: number;
  bytesPerRequest: number | null;
  /**
   * What the added objects keep alive: the sum of their retained sizes (DevTools' dominator tree) in the
   * last snapshot. An in-flight entry retains its AbortController, signal and listener maps, so its row
   * carries the leak's whole cost per request, where self bytes carry only the entry's own.
   */
  retainedBytesAdded: number;
  retainedBytesPerRequest: number | null;
  countPerThousandRequests: number | null;
  /** Grew in every interval (with 3 snapshots: A→B and B→C); with 2, countDelta > 0. */
  steady: boolean;
  /** One shortest retainer path from a GC root to one added object of this class, outermost first. */
  retainerPath?: { steps: { holder: string; edge: string; type: string }[]; text: string };
  /** Source `file:line` of the constructor or function, relative to the project root when inside it. */
  location?: string;
}

export interface TimerRow {
  /** The `_onTimeout` function's name (`(anonymous)` when it has none). */
  callback: string;
  location: string | null;
  countDelta: number;
  countPerThousandRequests: number | null;
}

export interface SnapshotDiffResult {
  snapshots: { file: string; bytes: number; nodes: number; parseMs: number; totalSelfBytes: number }[];
  /** Requests served between the first and the last snapshot, when the caller knows. */
  requests: number | null;
  totalSelfBytesDelta: number;
  bytesPerRequest: number | null;
  /** Named rows that grew, most retained bytes first (at most 12). */
  named: RetainedRow[];
  /** V8 internals that grew, most retained bytes first (at most 6). */
  internal: RetainedRow[];
  /** Timeout objects by callback, those whose count changed, most added first. */
  timers: TimerRow[];
  diffMs: number;
  nodeVersion: string;
}
