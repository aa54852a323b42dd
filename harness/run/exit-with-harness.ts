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

if (process.env.SOAK_EXIT_WITH_HARNESS === '1') {
  delete process.env.SOAK_EXIT_WITH_HARNESS;
  const stdin = process.stdin;
  const stop = (): void => {
    process.kill(process.pid, 'SIGTERM');
  };
  stdin.once('end', stop);
  stdin.once('error', stop);
  stdin.resume();
  (stdin as unknown as { unref?: () => void }).unref?.();
}

export {};
