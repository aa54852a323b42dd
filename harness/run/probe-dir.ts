// The private directory that holds the probe's Unix socket for one run. It
// lives in the system temp dir, not the run folder, because a Unix socket path
// is limited to 107 bytes and run folders can be deeper than that.
//
// Removed on every exit the harness sees (Targets.stop), and by the probe
// itself when the target exits (harness/probe/probe.ts: the socket, then the
// directory if it is one of ours), which covers a SIGKILLed harness: its
// children see their stdin pipe close and stop gracefully. What neither sees
// (target and harness both SIGKILLed) is swept by the next run: the name holds
// the harness's pid, and a folder whose harness is gone is stale.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './pids.ts';

export const PROBE_DIR_PREFIX = 'soak-probe-';

/** Remove `soak-probe-<pid>-*` folders in `dir` whose harness pid is no longer alive. Returns how many were removed. */
export function sweepStaleProbeDirs(dir = tmpdir()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^soak-probe-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed++;
    } catch {
      // another user's folder, or already gone: leave it
    }
  }
  return removed;
}

/** A fresh private folder for this run's probe socket, after sweeping stale ones. */
export function createProbeDir(dir = tmpdir()): string {
  sweepStaleProbeDirs(dir);
  return mkdtempSync(join(dir, `${PROBE_DIR_PREFIX}${process.pid}-`));
}
