// Preloaded (`--import`) into every child the harness starts. Children run in
// their own process groups (so Ctrl-C reaches the harness alone, which stops
// them in order); the price is that a harness killed with SIGKILL could leave
// them running, holding ports. Linux's PR_SET_PDEATHSIG is out of Node's
// reach, so the harness gives each child a stdin pipe it never writes to: the
// kernel closes it when the harness dies, and the child then stops itself
// gracefully, exactly as on SIGTERM.
//
// Active only when SOAK_EXIT_WITH_HARNESS=1 (removed from the environment so
// the child's own children do not inherit the watch). The stdin handle is
// unref'd: it never keeps the child alive nor shows in its active resources.

//
// A wrapper may give the child no pipe: clinic heapprofiler spawns it with
// stdin 'ignore' (/dev/null, which ends at once). Then, and only then, the
// child polls the harness's pid (SOAK_HARNESS_PID) every 2 s with an unref'd
// interval instead: one Timeout more in the child's active resources, flat.

import { fstatSync } from 'node:fs';

if (process.env.SOAK_EXIT_WITH_HARNESS === '1') {
  delete process.env.SOAK_EXIT_WITH_HARNESS;
  const harnessPid = Number(process.env.SOAK_HARNESS_PID);
  delete process.env.SOAK_HARNESS_PID;
  const stop = (): void => {
    process.kill(process.pid, 'SIGTERM');
  };
  if (stdinIsPipe() || !(harnessPid > 0)) {
    const stdin = process.stdin;
    stdin.once('end', stop);
    stdin.once('error', stop);
    stdin.resume();
    (stdin as unknown as { unref?: () => void }).unref?.();
  } else {
    const timer = setInterval(() => {
      try {
        process.kill(harnessPid, 0);
      } catch {
        clearInterval(timer);
        stop();
      }
    }, 2_000);
    timer.unref();
  }
}

function stdinIsPipe(): boolean {
  try {
    return fstatSync(0).isFIFO();
  } catch {
    return false;
  }
}

export {};
