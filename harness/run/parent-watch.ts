// Noticing that the process that started us is gone. `npm run soak` is the
// front door, so the harness's parent is usually npm; when npm (or a CI
// runner, or a process manager) is SIGKILLed, no signal reaches the harness,
// which is reparented to pid 1 (or to a subreaper) and would run on for the
// whole soak with nobody to read its output. Linux's PR_SET_PDEATHSIG is out
// of Node's reach, and Node's process.ppid is read once at startup (measured
// on Node 24: a data property, not a getter), so the parent pid is read from
// /proc/self/stat once a second instead.
//
// A leaf module (node:fs through pids.ts only): bench children that are measured load it.

import { parentPid } from './pids.ts';

/** How often the parent is checked: an orphaned run stops within about this long. */
export const PARENT_POLL_MS = 1_000;

/** This process's parent pid as the kernel has it now; null where /proc cannot be read (not Linux). */
export function currentParentPid(): number | null {
  return parentPid('self');
}

export interface ParentWatch {
  stop(): void;
}

/**
 * Calls `onGone` once when the parent process changes. Nothing is watched when
 * the parent is already init (a daemon started that way means to run alone) or
 * /proc cannot be read. The timer is unref'd: it never keeps the process alive.
 */
export function watchParent(onGone: () => void, everyMs = PARENT_POLL_MS): ParentWatch {
  const first = currentParentPid();
  if (first === null || first === 1) return { stop() {} };
  const timer = setInterval(() => {
    const now = currentParentPid();
    if (now !== null && now !== first) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
