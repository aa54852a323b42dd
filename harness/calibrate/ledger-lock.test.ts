// One calibration per ledger: a live holder on this host refuses the second
// (nothing started), a holder that is gone or on another host is taken over,
// release removes only this process's lock, and the races of ledger-lock.ts's
// header each end with one holder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerError } from './ledger.ts';
import { LEDGER_LOCK_FILE, ledgerLocked, lockLedger, removeStaleLock } from './ledger-lock.ts';

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

  it('takes over a lock whose process is gone, one from another host, an old torn file, and an earlier process with our pid', () => {
    const torn = (d: string) => {
      writeFileSync(join(d, LEDGER_LOCK_FILE), '{"pid":');
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(d, LEDGER_LOCK_FILE), old, old);
    };
    // A container restarted with the same hostname hands out the same pids: a lock naming this pid that this
    // process did not take is its previous incarnation's, not a live holder.
    const ownPid = (d: string) => lockOf(d, process.pid);
    for (const write of [(d: string) => lockOf(d, deadPid()), (d: string) => lockOf(d, process.ppid, 'ci-runner-elsewhere'), torn, ownPid]) {
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

  it('refuses an unreadable lock written a moment ago: it may be a starting calibration\'s', () => {
    const d = tmp();
    writeFileSync(join(d, LEDGER_LOCK_FILE), '');
    expect(ledgerLocked(d)).toBe(true);
    expect(() => lockLedger(d)).toThrow(/unreadable and was written less than 10 s ago.*nothing started/);
    expect(readFileSync(join(d, LEDGER_LOCK_FILE), 'utf8')).toBe('');
  });

  it('a taker that finds a fresh lock where it judged a stale one puts it back and refuses', () => {
    const d = tmp();
    const path = join(d, LEDGER_LOCK_FILE);
    const stale = JSON.stringify({ pid: deadPid(), host: hostname(), since: '2026-12-07T00:00:00.000Z' });
    // Another taker removed the stale lock and wrote its own between this taker's read and its rename.
    const fresh = JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-07T01:00:00.000Z' });
    writeFileSync(path, fresh);
    expect(removeStaleLock(path, stale)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(fresh);
    // The stale one itself is removed, and nothing is left beside the ledger.
    writeFileSync(path, stale);
    expect(removeStaleLock(path, stale)).toBe(true);
    expect(existsSync(path)).toBe(false);
    // Already moved by another taker: nothing to do, the next exclusive create decides.
    expect(removeStaleLock(path, stale)).toBe(true);
    expect(readdirSync(d)).toEqual([]);
  });

  it('two processes racing for one stale lock: exactly one holds it', async () => {
    const d = tmp();
    lockOf(d, deadPid());
    // Each child takes the lock (or fails) and reports; the winner holds it for a moment before releasing.
    const script = `
      const { lockLedger } = await import(${JSON.stringify(new URL('./ledger-lock.ts', import.meta.url).href)});
      try { const l = lockLedger(${JSON.stringify(d)}); console.log('took', l.stillHeld()); await new Promise((r) => setTimeout(r, 400)); console.log('still', l.stillHeld()); l.release(); }
      catch (err) { console.log('refused', err.code); }`;
    const { spawn } = await import('node:child_process');
    const run = () =>
      new Promise<string>((done) => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (b: Buffer) => (out += b.toString()));
        c.on('close', () => done(out.trim()));
      });
    for (let round = 0; round < 5; round++) {
      lockOf(d, deadPid());
      const outs = await Promise.all([run(), run(), run()]);
      // One ends holding it; every other was refused, or (three takers inside one rename) found it lost before
      // its next run, which is where calibrate checks.
      expect(outs.filter((o) => o.includes('still true')), outs.join(' | ')).toHaveLength(1);
      for (const o of outs) expect(o, outs.join(' | ')).toMatch(/^(took true\s+still true|took true\s+still false|refused SOAK_ERR_CALIBRATION_LEDGER)$/);
      expect(readdirSync(d)).toEqual([]);
    }
  }, 30_000);

  it('stillHeld turns false once another process replaced the lock', () => {
    const d = tmp();
    const l = lockLedger(d);
    expect(l.stillHeld()).toBe(true);
    lockOf(d, process.ppid);
    expect(l.stillHeld()).toBe(false);
    l.release();
  });

  it("release leaves a lock that is no longer this process's", () => {
    const d = tmp();
    const l = lockLedger(d);
    lockOf(d, process.ppid);
    l.release();
    expect(JSON.parse(readFileSync(join(d, LEDGER_LOCK_FILE), 'utf8')).pid).toBe(process.ppid);
  });
});
