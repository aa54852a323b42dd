// One calibration at a time per ledger. Two `--resume`s of the same folder
// (a nightly chunk still running when someone resumes by hand) would both
// start the first missing run: the second sets the first's live run folder
// aside as "unfinished" and runs into the same folder, and both append an
// entry for one planned index. The lock is a file in the ledger folder; it
// names the holder's pid and host, so a lock left by a killed job (or
// restored from a CI cache on another machine) is taken over instead of
// blocking the ledger for ever.
//
// Races, and what closes each:
//  - a lock read while it is being written: it is written to a temp file and
//    hard-linked into place (link fails if the name exists), so it appears
//    whole or not at all; an unreadable lock younger than TORN_AGE_MS is
//    treated as held;
//  - two takers of one stale lock: each renames the lock aside (atomic; one
//    of them finds it gone) and checks that what it moved is the stale text it
//    judged; a fresh lock moved by mistake is put back, and the taker refuses;
//  - a lock naming this very pid (a container restarted with the same pid
//    and hostname): stale, unless this process took it (HELD);
//  - whatever is left (three processes in one millisecond): the holder checks
//    the lock is still its own before each run (`stillHeld`), so at most the
//    run in progress is shared, never the rest of the calibration.

import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LedgerError } from './ledger.ts';

export const LEDGER_LOCK_FILE = 'calibration.lock';
/** An unreadable lock this young may still be a writer's (an older version wrote in place): held. */
const TORN_AGE_MS = 10_000;
/** Lock paths this process holds: a lock with our pid not in here is a previous incarnation's. */
const HELD = new Set<string>();

interface LockRecord {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string): LockRecord | null {
  try {
    const r = JSON.parse(text) as Partial<LockRecord>;
    return typeof r.pid === 'number' && typeof r.host === 'string' ? { pid: r.pid, host: r.host, since: String(r.since ?? '?') } : null;
  } catch {
    return null;
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Whether a lock record still holds: its process runs, on this host (our own pid only if this process took it). */
function recordHeld(r: LockRecord, path: string): boolean {
  if (r.host !== hostname()) return false;
  if (r.pid === process.pid) return HELD.has(path);
  return alive(r.pid);
}

/**
 * What a lock file's text says: held (a live holder, or an unreadable file young enough to be a writer's) or not,
 * and its record when it parses.
 */
function judgeLock(path: string, text: string): { held: boolean; record: LockRecord | null } {
  const record = parseLock(text);
  return { held: record === null ? ageMs(path) < TORN_AGE_MS : recordHeld(record, path), record };
}

/** Whether a live calibration holds this ledger's lock now. */
export function ledgerLocked(dir: string): boolean {
  const path = join(dir, LEDGER_LOCK_FILE);
  const text = readText(path);
  return text !== null && judgeLock(path, text).held;
}

/** An exclusive create: false when the name exists. */
function exclusively(create: () => void): boolean {
  try {
    create();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Create the lock whole (temp file, then link): false when a lock is already there. */
function createLock(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { flag: 'wx' });
  try {
    return exclusively(() => linkSync(tmp, path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A filesystem without hard links (some network and FUSE mounts): an exclusive create, written in place.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return exclusively(() => writeFileSync(path, text, { flag: 'wx' }));
    throw err;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Gone already.
    }
  }
}

/**
 * Move a lock judged stale out of the way, if it is still that lock. Returns
 * false when what was there had changed (another taker's fresh lock): it is
 * put back, and the caller refuses.
 */
export function removeStaleLock(path: string, judged: string): boolean {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true; // another taker moved it: the next create decides
    throw err;
  }
  const moved = readText(aside);
  if (moved === judged) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, path);
  } catch {
    // A third lock appeared meanwhile: the one moved aside finds out before its next run (stillHeld).
  }
  unlinkSync(aside);
  return false;
}

export interface LedgerLock {
  /** Removes the lock file, only while it is still this process's. */
  release: () => void;
  /** Whether the lock file still names this process (checked before each run). */
  stillHeld: () => boolean;
  /** The stale lock this one replaced. */
  tookOver: LockRecord | null;
}

/**
 * Takes the ledger's lock, or throws a LedgerError (exit 2, nothing started)
 * naming the process that holds it.
 */
export function lockLedger(dir: string): LedgerLock {
  const path = join(dir, LEDGER_LOCK_FILE);
  const mine: LockRecord = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const text = JSON.stringify(mine) + '\n';
  const sameMoment = () => new LedgerError(`${dir}: another calibration took ${LEDGER_LOCK_FILE} at the same moment; nothing started`);
  let tookOver: LockRecord | null = null;
  for (let attempt = 0; ; attempt++) {
    if (attempt === 3) throw sameMoment();
    let created: boolean;
    try {
      created = createLock(path, text);
    } catch (err) {
      throw new LedgerError(`${dir}: cannot write ${LEDGER_LOCK_FILE}: ${(err as Error).message}`);
    }
    if (created) break;
    const found = readText(path);
    if (found === null) continue; // released between the create and the read
    const { held, record } = judgeLock(path, found);
    if (held && record === null) {
      throw new LedgerError(`${dir}: ${LEDGER_LOCK_FILE} is unreadable and was written less than ${TORN_AGE_MS / 1000} s ago (another calibration starting?); nothing started: try again in a moment`);
    }
    if (held) {
      throw new LedgerError(
        `${dir} is being calibrated by pid ${record!.pid} since ${record!.since} (${LEDGER_LOCK_FILE}); two calibrations on one ledger would run the same run into one folder. Nothing started: wait for it, or stop it`,
      );
    }
    // A holder that is gone, on another host, an earlier process with our pid, or an old unreadable file: stale.
    if (!removeStaleLock(path, found)) throw sameMoment();
    tookOver = record;
  }
  HELD.add(path);
  const stillHeld = () => readText(path) === text;
  const release = () => {
    HELD.delete(path);
    if (!stillHeld()) return;
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  return { release, stillHeld, tookOver };
}
