// Process-tree lookups from /proc, for targets started through a shell: the
// process to measure is the shell's descendant, not the shell.

import { readdirSync, readFileSync } from 'node:fs';

/** The parent pid of `pid` ('self': this process, read now), or null when /proc has no such process. */
export function parentPid(pid: number | 'self'): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 4 (ppid) follows the parenthesised comm, which may contain spaces or ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null; // exited, or not Linux
  }
}

/** The parent pid of every live process. */
function parentMap(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentPid(pid);
    if (ppid !== null) out.set(pid, ppid);
  }
  return out;
}

/** The direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  return [...parentMap()].filter(([, ppid]) => ppid === pid).map(([child]) => child);
}

/** Descendants of `root` in breadth-first order (children before grandchildren). */
export function descendants(root: number): number[] {
  const parents = parentMap();
  const out: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, ppid] of parents) if (frontier.includes(ppid)) next.push(pid);
    out.push(...next);
    frontier = next;
  }
  return out;
}

/**
 * Whether `pid` is a live process. A zombie counts as dead: it holds no
 * memory, fds or ports, only a process-table entry its parent (or an init
 * that does not reap, as in some sandboxes) has not collected yet.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
