// CLI of the fake upstream: `node mocks/main.ts --port 0 --seed 42 [--plan plan.json] [--accounts 5000]`.
// Contract (docs/contracts.md): one readiness line on stdout, bad input → one
// stderr line naming the flag or plan field and exit 2, SIGTERM/SIGINT → close, exit 0.

import { CliError, HELP, parseCli } from './cli-args.ts';
import { startUpstream } from './index.ts';

/** A close that takes longer than this is abandoned: exiting is the point. */
const SHUTDOWN_DEADLINE_MS = 5_000;

async function main(): Promise<void> {
  let command;
  try {
    command = parseCli(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`upstream: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (command.kind === 'help') {
    process.stdout.write(HELP);
    return;
  }

  let upstream;
  try {
    upstream = await startUpstream(command.options);
  } catch (error) {
    // EADDRINUSE and friends: the port is the only thing the user can change.
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    process.stderr.write(`upstream: --port: cannot listen on 127.0.0.1:${command.options.port} (${code})\n`);
    process.exit(2);
  }
  process.stdout.write(`upstream: listening on ${upstream.url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`upstream: ${signal}, closing\n`);
    const deadline = setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    void upstream.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
