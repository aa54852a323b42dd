// argv + environment → RelayOptions, on node:util parseArgs. Flags win over
// environment variables. Every numeric flag is checked as a whole decimal
// integer here (parseArgs yields strings) and its range in options.ts.

import { parseArgs } from 'node:util';
import { ConfigError } from './errors.ts';
import { parseLeaks } from './leaks/catalog.ts';
import { checkUpstream, DEFAULTS, NUMERIC_OPTIONS, type RelayOptions } from './options.ts';

export type CliCommand = { kind: 'help' } | { kind: 'leak-list' } | { kind: 'run'; options: RelayOptions };

type NumericKey = keyof typeof NUMERIC_OPTIONS;

const NUMERIC_FLAGS = Object.fromEntries(
  (Object.entries(NUMERIC_OPTIONS) as Array<[NumericKey, { flag: string }]>).map(([key, { flag }]) => [flag.slice(2), key]),
) as Record<string, NumericKey>;

export const HELP = `Usage: node relay/main.ts --upstream URL --accounts N [options]

A small OpenAI-compatible LLM API relay (codex-like account pool) on 127.0.0.1.
Prints "relay: listening on http://127.0.0.1:PORT" on stdout when ready.

Required:
  --upstream URL                 upstream origin, e.g. http://127.0.0.1:8080
  --accounts N                   accounts to generate (deterministic from --seed)

Options (default in brackets):
  --port N                       listen port, 0 = any [${DEFAULTS.port}]
  --seed N                       account generation seed [${DEFAULTS.seed}]
  --client-key k1,k2             client bearer keys (env RELAY_CLIENT_KEYS) [generated, printed to stderr]
  --management-key K             management API key (env RELAY_MANAGEMENT_KEY) [generated, printed to stderr]
  --body-limit BYTES             request body limit [${DEFAULTS.bodyLimitBytes}]
  --connect-timeout MS           upstream connect timeout [${DEFAULTS.connectTimeoutMs}]
  --headers-timeout MS           upstream response headers timeout [${DEFAULTS.headersTimeoutMs}]
  --body-timeout MS              upstream body inactivity timeout [${DEFAULTS.bodyTimeoutMs}]
  --keep-alive-timeout MS        upstream idle socket timeout, an upper bound [${DEFAULTS.keepAliveTimeoutMs}]
  --upstream-connections N       upstream socket cap [${DEFAULTS.upstreamConnections}]
  --max-attempts N               attempts per request across accounts [${DEFAULTS.maxAttempts}]
  --retry-delay MS               pause before failing over after a 429/5xx [${DEFAULTS.retryDelayMs}]
  --error-body-cap BYTES         upstream error body bytes read [${DEFAULTS.errorBodyCapBytes}]
  --max-response BYTES           largest buffered upstream JSON response [${DEFAULTS.maxResponseBytes}]
  --idempotency-cap N            idempotency cache entries [${DEFAULTS.idempotencyCacheCap}]
  --usage-ttl MS                 completed-request usage retention [${DEFAULTS.completedUsageTtlMs}]
  --usage-completed-cap N        completed-request usage entries cap [${DEFAULTS.completedUsageCap}]
  --recent-usage-cap N           recent usage details kept [${DEFAULTS.recentUsageCap}]
  --usage-series-cap N           usage counters (key x model x account) cap [${DEFAULTS.usageSeriesCap}]
  --health-scan-concurrency N    default health scan concurrency [${DEFAULTS.healthScanConcurrency}]
  --health-scans-kept N          finished health scans kept [${DEFAULTS.healthScansKept}]
  --shutdown-timeout MS          graceful shutdown deadline [${DEFAULTS.shutdownTimeoutMs}]
  --leak name[,name]             enable catalogued bugs (env RELAY_LEAKS); "--leak list" prints the catalog
  -h, --help                     this text
`;

function splitKeys(text: string): string[] {
  return text.split(',').map((k) => k.trim()).filter((k) => k !== '');
}

function toInt(flag: string, text: string): number {
  // Strict: "1e3", "0x10", " 5", "" are all refused (Number() would accept some).
  if (!/^\d+$/.test(text)) throw new ConfigError(`--${flag}`, `expected a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  const numericOptions = Object.fromEntries(Object.keys(NUMERIC_FLAGS).map((f) => [f, { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...numericOptions,
        upstream: { type: 'string' },
        'client-key': { type: 'string' },
        'management-key': { type: 'string' },
        leak: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    // parseArgs names the offending flag in its message ("Unknown option '--x'"); keep its first
    // sentence only: the contract is one stderr line.
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.split('. ')[0]!;
    const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? 'arguments';
    throw new ConfigError(flag, message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return { kind: 'help' };
  const leakText = (values.leak as string | undefined) ?? env.RELAY_LEAKS;
  if (leakText === 'list') return { kind: 'leak-list' };

  const options: RelayOptions = {
    upstream: checkUpstream(values.upstream),
    accounts: Number.NaN,
  };
  for (const [flag, key] of Object.entries(NUMERIC_FLAGS)) {
    const text = values[flag];
    if (typeof text === 'string') options[key] = toInt(flag, text);
  }
  if (values.accounts === undefined) throw new ConfigError('--accounts', 'required, e.g. --accounts 5000');
  const clientKeys = (values['client-key'] as string | undefined) ?? env.RELAY_CLIENT_KEYS;
  if (clientKeys !== undefined) {
    const keys = splitKeys(clientKeys);
    if (keys.length === 0) throw new ConfigError(values['client-key'] !== undefined ? '--client-key' : 'RELAY_CLIENT_KEYS', 'no key given');
    options.clientKeys = keys;
  }
  const managementKey = (values['management-key'] as string | undefined) ?? env.RELAY_MANAGEMENT_KEY;
  if (managementKey !== undefined) options.managementKey = managementKey;
  if (leakText !== undefined) options.leaks = parseLeaks(leakText, values.leak !== undefined ? '--leak' : 'RELAY_LEAKS');
  return { kind: 'run', options };
}
