// argv + environment → RelayOptions. Flags are declared once
// (shared/cli/flags.ts): the numeric ones come from options.ts
// NUMERIC_OPTIONS, the table resolveOptions() checks programmatic callers
// against, so the parser, the API and the ranges printed by --help agree.
// Flags win over environment variables.

import { flagHelpLines, parseFlags, type FlagSpecs } from '../shared/cli/flags.ts';
import { ConfigError } from './errors.ts';
import { parseLeaks } from './leaks/catalog.ts';
import { checkUpstream, configError, NUMERIC_KEY_OF_FLAG, RELAY_NUMERIC_FLAGS, type RelayOptions } from './options.ts';

export type CliCommand = { kind: 'help' } | { kind: 'leak-list' } | { kind: 'run'; options: RelayOptions };

/** Every flag of relay/main.ts. */
export const RELAY_FLAGS = {
  upstream: { type: 'string', arg: 'URL', help: 'upstream origin, e.g. http://127.0.0.1:8080' },
  ...RELAY_NUMERIC_FLAGS,
  'client-key': { type: 'string', secret: true, arg: 'k1,k2', help: 'client bearer keys (env RELAY_CLIENT_KEYS; default: generated, printed to stderr)' },
  'management-key': { type: 'string', secret: true, arg: 'K', help: 'management API key (env RELAY_MANAGEMENT_KEY; default: generated, printed to stderr)' },
  'state-sync': { type: 'boolean', help: 'post each finished chat request\'s state to the upstream (POST /backend-api/request-state)' },
  leak: { type: 'string', arg: 'name[,name]', help: 'enable catalogued bugs (env RELAY_LEAKS); "--leak list" prints the catalog' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const satisfies FlagSpecs;

/**
 * --help lines in declaration order: flagHelpLines (with default and range) for
 * numbers and switches, `--upstream URL` for a string value.
 */
function helpLines(specs: FlagSpecs, width = 34): string[] {
  return Object.entries(specs).map(([name, spec]) =>
    spec.type === 'string' ? `  ${`    --${name} ${spec.arg ?? 'value'}`.padEnd(width)} ${spec.help}` : flagHelpLines({ [name]: spec }, width)[0]!,
  );
}
const { upstream, accounts, ...optional } = RELAY_FLAGS;

export const HELP = `Usage: node relay/main.ts --upstream URL --accounts N [options]

A small OpenAI-compatible LLM API relay (codex-like account pool) on 127.0.0.1.
Prints "relay: listening on http://127.0.0.1:PORT" on stdout when ready.

Required:
${helpLines({ upstream, accounts }).join('\n')}

Options:
${helpLines(optional).join('\n')}
`;

function splitKeys(text: string): string[] {
  return text.split(',').map((k) => k.trim()).filter((k) => k !== '');
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  const { values, given } = parseFlags(RELAY_FLAGS, argv, { error: configError });
  if (values.help) return { kind: 'help' };
  const leakText = values.leak ?? env.RELAY_LEAKS;
  if (leakText === 'list') return { kind: 'leak-list' };

  const options: RelayOptions = {
    upstream: checkUpstream(values.upstream),
    accounts: Number.NaN,
  };
  const numeric = values as Record<string, unknown>;
  for (const [flag, key] of Object.entries(NUMERIC_KEY_OF_FLAG)) {
    // Only what was typed: resolveOptions() fills the defaults for CLI and API callers alike.
    if (given.has(flag as keyof typeof RELAY_FLAGS & string)) options[key] = numeric[flag] as number;
  }
  if (!given.has('accounts')) throw new ConfigError('--accounts', 'required, e.g. --accounts 5000');
  const clientKeys = values['client-key'] ?? env.RELAY_CLIENT_KEYS;
  if (clientKeys !== undefined) {
    const keys = splitKeys(clientKeys);
    if (keys.length === 0) throw new ConfigError(values['client-key'] !== undefined ? '--client-key' : 'RELAY_CLIENT_KEYS', 'no key given');
    options.clientKeys = keys;
  }
  const managementKey = values['management-key'] ?? env.RELAY_MANAGEMENT_KEY;
  if (managementKey !== undefined) options.managementKey = managementKey;
  if (values['state-sync']) options.stateSync = true;
  if (leakText !== undefined) options.leaks = parseLeaks(leakText, values.leak !== undefined ? '--leak' : 'RELAY_LEAKS');
  return { kind: 'run', options };
}
