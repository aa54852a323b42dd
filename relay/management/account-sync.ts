// Account sync from a control plane: a snapshot pushed in chunks (applied
// atomically when the chunk marked `last` arrives) and incremental events
// (applied at once). The tracker holds the in-progress snapshot only: a new
// sync_id replaces an abandoned one, and the tracker is cleared the moment a
// snapshot is applied, so nothing accumulates across syncs.
//
// An event that arrives while a snapshot is in progress is applied at once
// AND recorded in the tracker: the snapshot was taken before it, so applying
// the snapshot replays it afterwards rather than undoing it.
//
// sync-tracker variant (seed 003, OpenZiti's API-session sync tracker): the
// "sync in progress" check is inverted (events are recorded when NO snapshot
// is in progress) and the tracker is kept after it is applied, so every
// event after a sync is appended to it until the next snapshot starts.

import type { AccountPool } from '../accounts/pool.ts';
import { NO_LEAKS, type LeakFlags } from '../leaks/flags.ts';
import { RelayError } from '../errors.ts';

interface PendingChange {
  readonly account: number;
  readonly disabled: boolean | undefined;
  readonly priority: number | undefined;
}

interface Tracker {
  readonly syncId: string;
  nextChunk: number;
  readonly changes: PendingChange[];
  /** Events received while the snapshot was in progress, replayed after it. */
  readonly events: PendingChange[];
  unknown: number;
  /** Only the sync-tracker variant ever holds an applied tracker. */
  applied: boolean;
}

/**
 * A rejected sync request; the message names the JSON field at fault.
 * `code` is the relay's error code; `apiCode` is the wire code the client
 * reads in `{"error":{"code":...}}` (`invalid_request`, `sync_unknown`, ...).
 */
export class SyncRequestError extends RelayError {
  readonly status: number;
  readonly apiCode: string;
  constructor(status: number, apiCode: string, message: string) {
    super('RELAY_ERR_SYNC_REQUEST', message);
    this.status = status;
    this.apiCode = apiCode;
  }
}

function bad(field: string, expected: string): SyncRequestError {
  return new SyncRequestError(400, 'invalid_request', `${field}: expected ${expected}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export class AccountSync {
  readonly #accounts: AccountPool;
  #tracker: Tracker | null = null;
  readonly #keepApplied: boolean;

  constructor(accounts: AccountPool, leaks: LeakFlags = NO_LEAKS) {
    this.#accounts = accounts;
    this.#keepApplied = leaks.syncTracker;
  }

  /** Entries held by the tracker: snapshot changes plus recorded events (0 when none). */
  get trackerEntries(): number {
    const t = this.#tracker;
    return t === null ? 0 : t.changes.length + t.events.length;
  }

  snapshot(body: unknown): Record<string, unknown> {
    if (!isObject(body)) throw bad('body', 'a JSON object');
    const { sync_id: syncId, chunk, last, accounts } = body;
    if (typeof syncId !== 'string' || syncId === '' || syncId.length > 128) throw bad('sync_id', 'a string of 1-128 characters');
    if (typeof chunk !== 'number' || !Number.isInteger(chunk) || chunk < 0) throw bad('chunk', 'a non-negative integer');
    if (typeof last !== 'boolean') throw bad('last', 'a boolean');
    if (!Array.isArray(accounts)) throw bad('accounts', 'an array');

    if (chunk === 0) this.#tracker = { syncId, nextChunk: 0, changes: [], events: [], unknown: 0, applied: false };
    const tracker = this.#tracker;
    if (tracker === null || tracker.applied || tracker.syncId !== syncId) {
      throw new SyncRequestError(409, 'sync_unknown', 'sync_id: no snapshot in progress with this id (start with chunk 0)');
    }
    if (chunk !== tracker.nextChunk) {
      throw new SyncRequestError(409, 'sync_out_of_order', `chunk: expected ${tracker.nextChunk}, got ${chunk}`);
    }
    // A snapshot names each account at most once or twice; more is a runaway sender, not a snapshot.
    if (tracker.changes.length + accounts.length > 2 * this.#accounts.size) {
      this.#tracker = null;
      throw new SyncRequestError(413, 'sync_too_large', 'accounts: snapshot larger than twice the account count; discarded');
    }
    const parsed = accounts.map((entry, i) => this.#change(entry, `accounts[${i}]`));
    for (const change of parsed) {
      if (change === null) tracker.unknown++;
      else tracker.changes.push(change);
    }
    tracker.nextChunk++;
    if (!last) return { sync_id: syncId, state: 'pending', received_chunks: tracker.nextChunk, entries: tracker.changes.length };

    for (const change of tracker.changes) this.#apply(change);
    for (const change of tracker.events) this.#apply(change);
    const result = { sync_id: syncId, state: 'applied', chunks: tracker.nextChunk, applied: tracker.changes.length, replayed: tracker.events.length, unknown: tracker.unknown };
    if (this.#keepApplied) tracker.applied = true;
    else this.#tracker = null;
    return result;
  }

  events(body: unknown): Record<string, unknown> {
    if (!isObject(body) || !Array.isArray(body.events)) throw bad('events', 'an array');
    const events = body.events;
    // Validate everything first: a batch is applied entirely or not at all.
    const changes = events.map((event, i): PendingChange | null => {
      const field = `events[${i}]`;
      if (!isObject(event)) throw bad(field, 'an object');
      const { auth_index: authIndex, op, value } = event;
      if (typeof authIndex !== 'string') throw bad(`${field}.auth_index`, 'a string');
      if (op !== 'disable' && op !== 'enable' && op !== 'priority') throw bad(`${field}.op`, '"disable", "enable" or "priority"');
      if (op === 'priority' && (typeof value !== 'number' || !Number.isInteger(value))) throw bad(`${field}.value`, 'an integer');
      const account = this.#accounts.indexOf(authIndex);
      if (account === -1) return null;
      return op === 'priority'
        ? { account, disabled: undefined, priority: value as number }
        : { account, disabled: op === 'disable', priority: undefined };
    });
    const tracker = this.#tracker;
    // "Is a sync in progress?" The variant's check is inverted: it records when none is.
    const record = tracker !== null && (this.#keepApplied ? tracker.applied : !tracker.applied);
    let applied = 0;
    for (const change of changes) {
      if (change === null) continue;
      this.#apply(change);
      if (record) tracker.events.push(change);
      applied++;
    }
    return { applied, unknown: changes.length - applied };
  }

  #change(entry: unknown, field: string): PendingChange | null {
    if (!isObject(entry)) throw bad(field, 'an object');
    const { auth_index: authIndex, disabled, priority } = entry;
    if (typeof authIndex !== 'string') throw bad(`${field}.auth_index`, 'a string');
    if (disabled !== undefined && typeof disabled !== 'boolean') throw bad(`${field}.disabled`, 'a boolean');
    if (priority !== undefined && (typeof priority !== 'number' || !Number.isInteger(priority))) throw bad(`${field}.priority`, 'an integer');
    const account = this.#accounts.indexOf(authIndex);
    return account === -1 ? null : { account, disabled, priority };
  }

  #apply(change: PendingChange): void {
    if (change.disabled !== undefined) this.#accounts.setDisabled(change.account, change.disabled);
    if (change.priority !== undefined) this.#accounts.setPriority(change.account, change.priority);
  }
}
