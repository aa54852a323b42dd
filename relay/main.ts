// The relay CLI: `node relay/main.ts --port 0 --upstream URL --accounts N`.
// stdout carries exactly one line, the readiness line; everything else
// (generated development keys, warnings) goes to stderr. Bad configuration:
// one stderr line naming the option, exit 2. SIGTERM/SIGINT: graceful
// shutdown, exit 0.

import { ConfigError } from './errors.ts';
import { HELP, parseCli } from './cli-args.ts';
import { formatCatalog, startRelay, type RelayHandle, type RelayOptions } from './index.ts';

const EXIT_CONFIG = 2;

function configFailure(err: ConfigError): never {
  process.stderr.write(`relay: ${err.message}\n`);
  process.exit(EXIT_CONFIG);
}

let options: RelayOptions;
try {
  const command = parseCli(process.argv.slice(2), process.env);
  if (command.kind === 'help') {
    process.stdout.write(HELP);
    process.exit(0);
  }
  if (command.kind === 'leak-list') {
    process.stdout.write(formatCatalog());
    process.exit(0);
  }
  options = command.options;
} catch (err) {
  if (err instanceof ConfigError) configFailure(err);
  throw err;
}

// A fault must never take the relay down: surface it on stderr and keep serving.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`relay: unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}\n`);
});

let relay: RelayHandle;
try {
  relay = await startRelay(options);
} catch (err) {
  if (err instanceof ConfigError) configFailure(err);
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    process.stderr.write(`relay: --port: cannot listen on ${options.port ?? 0} (${String(code)})\n`);
    process.exit(EXIT_CONFIG);
  }
  throw err;
}

if (relay.options.generatedClientKeys) process.stderr.write(`relay: generated development client key: ${relay.clientKeys[0]}\n`);
if (relay.options.generatedManagementKey) process.stderr.write(`relay: generated development management key: ${relay.managementKey}\n`);
if (relay.options.leaks.size > 0) process.stderr.write(`relay: leaks enabled: ${[...relay.options.leaks].join(', ')}\n`);
process.stdout.write(`relay: listening on ${relay.url}\n`);

let stopping = false;
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`relay: ${signal}, shutting down\n`);
  relay.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`relay: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
