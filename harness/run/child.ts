// One child process of a soak run (the fake upstream, the target relay):
// spawned in its own process group, readiness awaited, stderr tail kept for
// error messages, stopped gracefully then forcibly. The harness owns its
// children's lifetime: they are detached from the terminal so Ctrl-C reaches
// the harness alone, which then stops them in order and records why.

import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { SoakError } from '../errors.ts';

const STDERR_TAIL_LINES = 20;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Short name used in messages: "upstream", "target". */
  name: string;
  command: string;
  args?: readonly string[];
  /** Run `command` through /bin/sh (for --target-cmd). */
  shell?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * How readiness is recognised: a stdout line matching `pattern` (its first
   * capture group is the URL), or a TCP port accepting connections.
   */
  ready: { pattern: RegExp } | { port: number; host?: string };
  readyTimeoutMs: number;
  /** Called with each stderr line (already kept in the tail). */
  onStderr?: (line: string) => void;
  /**
   * Give the child a stdin pipe the harness never writes to. With the
   * exit-with-harness preload, the child stops itself when the kernel closes
   * that pipe, i.e. when the harness dies, even by SIGKILL.
   */
  stdinPipe?: boolean;
  /**
   * How stop() asks the group to end, and how long it waits before SIGKILL
   * when no grace is given. Default SIGTERM, 5 s. clinic (--profile doctor|
   * flame|heapprofiler) needs SIGINT, Ctrl-C's signal: it then waits for its
   * child to exit and writes its report, which takes seconds.
   */
  stopSignal?: 'SIGTERM' | 'SIGINT';
  stopGraceMs?: number;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** The URL the child printed, or http://host:port for port readiness. */
  readonly url: string;
  readonly process: ChildProcess;
  /** Resolves when the child exits, for whatever reason. */
  readonly exited: Promise<ChildExit>;
  hasExited(): boolean;
  stderrTail(): string[];
  /** SIGTERM (or the spawn's stopSignal) to the process group, SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<ChildExit>;
}

/** Spawn a child and wait until it is ready. On failure the child is killed before the error is thrown. */
export async function spawnChild(options: SpawnOptions): Promise<Child> {
  const proc = spawn(options.command, options.args ?? [], {
    shell: options.shell ?? false,
    env: options.env ?? process.env,
    cwd: options.cwd,
    // Own process group: no terminal SIGINT, and the whole group (a shell and
    // its node child) can be signalled at once.
    detached: true,
    stdio: [options.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  // Never written to; must not keep the harness's own event loop alive.
  (proc.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const tail: string[] = [];
  let exitInfo: ChildExit | null = null;
  const exited = new Promise<ChildExit>((resolve) => {
    proc.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    proc.once('error', (err) => {
      tail.push(`spawn error: ${err.message}`);
      exitInfo = { code: null, signal: null };
      resolve(exitInfo);
    });
  });
  createInterface({ input: proc.stderr! }).on('line', (line) => {
    tail.push(line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
    options.onStderr?.(line);
  });

  const stop = async (graceMs = options.stopGraceMs ?? 5_000): Promise<ChildExit> => {
    if (exitInfo) return exitInfo;
    signalGroup(proc, options.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), graceMs);
    const result = await exited;
    clearTimeout(timer);
    proc.stdin?.destroy();
    // A shell's grandchildren may outlive the shell: sweep the group.
    signalGroup(proc, 'SIGKILL');
    return result;
  };

  let url: string;
  try {
    url = await waitReady(options, proc, exited);
  } catch (err) {
    await stop(1_000);
    throw err;
  }
  return {
    name: options.name,
    pid: proc.pid!,
    url,
    process: proc,
    exited,
    hasExited: () => exitInfo !== null,
    stderrTail: () => tail.slice(),
    stop,
  };

  function describeFailure(what: string): SoakError {
    const code = what.includes('exited') ? 'SOAK_ERR_CHILD_EXITED' : 'SOAK_ERR_READY_TIMEOUT';
    return new SoakError(code, `${options.name}: ${what}`, {
      details: tail.length > 0 ? [`last stderr lines of ${options.name}:`, ...tail.map((l) => `  ${l}`)] : [`${options.name} printed nothing on stderr`],
    });
  }

  async function waitReady(opts: SpawnOptions, child: ChildProcess, done: Promise<ChildExit>): Promise<string> {
    const deadline = Date.now() + opts.readyTimeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      const t = setTimeout(() => reject(describeFailure(`not ready within ${opts.readyTimeoutMs} ms`)), opts.readyTimeoutMs);
      t.unref();
    });
    const died = done.then((e): never => {
      throw describeFailure(`exited before it was ready (code ${e.code}, signal ${e.signal})`);
    });
    const ready = opts.ready;
    const readyPromise =
      'pattern' in ready
        ? new Promise<string>((resolve) => {
            const rl = createInterface({ input: child.stdout! });
            rl.on('line', (line) => {
              const m = ready.pattern.exec(line);
              if (m) resolve(m[1] ?? line);
            });
          })
        : pollPort(ready.host ?? '127.0.0.1', ready.port, deadline, () => exitInfo !== null).then(
            () => `http://${ready.host ?? '127.0.0.1'}:${ready.port}`,
          );
    // Keep draining stdout after readiness so the child never blocks on a full pipe.
    child.stdout!.resume();
    return Promise.race([readyPromise, died, timeout]);
  }
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function pollPort(host: string, port: number, deadline: number, gone: () => boolean): Promise<void> {
  while (Date.now() < deadline && !gone()) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  // The caller's timeout or exit promise reports the failure.
  await new Promise(() => {});
}
