// One calibration per ledger: a live holder on this host refuses the second
// (nothing started), a holder that is gone or on another host is taken over,
// and release removes only this process's lock.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerError } from './ledger.ts';
import { LEDGER_LOCK_FILE, ledgerLocked, lockLedger } from './ledger-lock.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ledger-lock-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const lockOf = (dir: string, pid: number, host = hostname()) => writeFileSync(join(dir, LEDGER_LOCK_FILE), JSON.stringify({ pid, host, since: '2026-12-07T00:00:00.000Z' }));
/** A pid that was a process a moment ago and is not any more. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8' }).pid!;

describe('calibration ledger lock', () => {
  it('takes the lock, refuses a second taker while held, frees it on release', () => {
    const d = tmp();
    const a = lockLedger(d);
    expect(a.tookOver).toBeNull();
    expect(JSON.parse(readFileSync(join(d, LEDGER_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(ledgerLocked(d)).toBe(true);
    expect(() => lockLedger(d)).toThrow(LedgerError);
    expect(() => lockLedger(d)).toThrow(new RegExp(`being calibrated by pid ${process.pid} since .*Nothing started`));
    a.release();
    expect(existsSync(join(d, LEDGER_LOCK_FILE))).toBe(false);
    expect(ledgerLocked(d)).toBe(false);
    lockLedger(d).release();
  });

  it('refuses a live holder on this host (another process)', () => {
    const d = tmp();
    lockOf(d, process.ppid);
    expect(() => lockLedger(d)).toThrow(`being calibrated by pid ${process.ppid}`);
    // The holder's lock is left as it was.
    expect(JSON.parse(readFileSync(join(d, LEDGER_LOCK_FILE), 'utf8')).pid).toBe(process.ppid);
  });

  it('takes over a lock whose process is gone, one from another host, and a torn file', () => {
    for (const write of [(d: string) => lockOf(d, deadPid()), (d: string) => lockOf(d, process.ppid, 'ci-runner-elsewhere'), (d: string) => writeFileSync(join(d, LEDGER_LOCK_FILE), '{"pid":')]) {
      const d = tmp();
      write(d);
      expect(ledgerLocked(d)).toBe(false);
      const l = lockLedger(d);
      expect(JSON.parse(readFileSync(join(d, LEDGER_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
      l.release();
    }
    const d = tmp();
    lockOf(d, process.ppid, 'ci-runner-elsewhere');
    expect(lockLedger(d).tookOver).toMatchObject({ host: 'ci-runner-elsewhere', pid: process.ppid });
  });

  it("release leaves a lock that is no longer this process's", () => {
    const d = tmp();
    const l = lockLedger(d);
    lockOf(d, process.ppid);
    l.release();
    expect(JSON.parse(readFileSync(join(d, LEDGER_LOCK_FILE), 'utf8')).pid).toBe(process.ppid);
  });
});
