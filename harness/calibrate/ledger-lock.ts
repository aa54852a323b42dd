// One calibration at a time per ledger. Two `--resume`s of the same folder
// (a nightly chunk still running when someone resumes by hand) would both
// start the first missing run: the second sets the first's live run folder
// aside as "unfinished" and runs into the same folder, and both append an
// entry for one planned index. The lock is a file in the ledger folder,
// created exclusively; it names the holder's pid and host, so a lock left by
// a killed job (or restored from a CI cache on another machine) is taken over
// instead of blocking the ledger for ever.

import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LedgerError } from './ledger.ts';

export const LEDGER_LOCK_FILE = 'calibration.lock';

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

function readLock(path: string): LockRecord | null {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockRecord>;
    return typeof r.pid === 'number' && typeof r.host === 'string' ? { pid: r.pid, host: r.host, since: String(r.since ?? '?') } : null;
  } catch {
    return null;
  }
}

/** Whether a lock record still holds: its process runs, on this host. */
export function lockHeld(r: LockRecord | null, host = hostname()): boolean {
  return r !== null && r.host === host && alive(r.pid);
}

/** Whether a live calibration holds this ledger's lock now. */
export function ledgerLocked(dir: string): boolean {
  return lockHeld(readLock(join(dir, LEDGER_LOCK_FILE)));
}

/**
 * Takes the ledger's lock, or throws a LedgerError (exit 2, nothing started)
 * naming the process that holds it. Returns the release function: it removes
 * the file only while it is still this process's.
 */
export function lockLedger(dir: string): { release: () => void; tookOver: LockRecord | null } {
  const path = join(dir, LEDGER_LOCK_FILE);
  const mine: LockRecord = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  let tookOver: LockRecord | null = null;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(mine) + '\n', { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LedgerError(`${dir}: another calibration took ${LEDGER_LOCK_FILE} at the same moment; nothing started`);
        throw new LedgerError(`${dir}: cannot write ${LEDGER_LOCK_FILE}: ${(err as Error).message}`);
      }
      const held = readLock(path);
      if (lockHeld(held)) {
        throw new LedgerError(
          `${dir} is being calibrated by pid ${held!.pid} since ${held!.since} (${LEDGER_LOCK_FILE}); two calibrations on one ledger would run the same run into one folder. Nothing started: wait for it, or stop it`,
        );
      }
      // A holder that is gone, on another host, or a torn file: stale.
      tookOver = held;
      try {
        unlinkSync(path);
      } catch {
        // Removed by a concurrent taker: the retry's exclusive create decides.
      }
    }
  }
  const release = () => {
    const now = readLock(path);
    if (now !== null && now.pid === mine.pid && now.host === mine.host && now.since === mine.since) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    }
  };
  return { release, tookOver };
}
