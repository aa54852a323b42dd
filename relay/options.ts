// RelayOptions: everything startRelay() needs, its defaults, and validation.
// The CLI (cli-args.ts) and programmatic callers both end here, so a bad
// value is rejected the same way from either side: a ConfigError naming the
// CLI flag, never echoing a secret.

import { checkFlagValue, type IntFlag } from '../shared/cli/flags.ts';
import { ConfigError } from './errors.ts';

export interface RelayOptions {
  /** 0 lets the OS choose. The relay always binds 127.0.0.1. */
  port?: number;
  /** Upstream origin, e.g. `http://127.0.0.1:8080` (no path). */
  upstream: string;
  /** How many codex-like accounts to generate. */
  accounts: number;
  seed?: number;
  /** Client bearer keys. Empty or absent → one random development key is generated. */
  clientKeys?: readonly string[];
  /** Absent → a random development key is generated. */
  managementKey?: string;
  /** Request body limit, bytes. Default 1 MiB. */
  bodyLimitBytes?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Upstream keep-alive idle timeout. */
  keepAliveTimeoutMs?: number;
  /** Upper bound on upstream sockets. */
  upstreamConnections?: number;
  /** Admission: chat requests doing upstream work at once (relay/admission.ts). */
  maxInflight?: number;
  /** Admission: requests waiting for a slot beyond maxInflight; past it, 503 + Retry-After. */
  admissionQueue?: number;
  /** Admission: longest wait for a slot before 503 + Retry-After (0: no waiting). */
  admissionWaitMs?: number;
  /** Attempts per request across accounts (1 = no failover). */
  maxAttempts?: number;
  /** Pause before failing over after an upstream 429/5xx. */
  retryDelayMs?: number;
  /** When every account for the model is cooling down: how long a request waits for one to recover (0: answer 429 at once). */
  accountWaitMs?: number;
  /** Bytes of an upstream error body read for classification before destroying it. */
  errorBodyCapBytes?: number;
  /** Largest non-stream upstream response buffered. */
  maxResponseBytes?: number;
  idempotencyCacheCap?: number;
  /** How long a completed request's usage stays queryable. */
  completedUsageTtlMs?: number;
  /** Hard cap on completed-request entries (at 5 000 req/s a 60 s TTL alone would keep 300 000). */
  completedUsageCap?: number;
  recentUsageCap?: number;
  /** Cap on distinct (client key × model × account) usage counters. */
  usageSeriesCap?: number;
  healthScanConcurrency?: number;
  healthScansKept?: number;
  /** Graceful shutdown: how long in-flight requests may finish before being aborted. */
  shutdownTimeoutMs?: number;
  /** Post each finished chat request's state to the upstream's state endpoint (relay/usage/state-sync.ts). Default off. */
  stateSync?: boolean;
  /** Deadline of one state-sync task (its AbortSignal). */
  stateSyncTimeoutMs?: number;
  /** State-sync tasks running at once; more are dropped and counted. */
  stateSyncMaxTasks?: number;
  /** Switchable bugs from relay/leaks/catalog.ts. Empty → the fixed relay. */
  leaks?: ReadonlySet<string>;
}

export type ResolvedOptions = Required<Omit<RelayOptions, 'clientKeys' | 'managementKey'>> & {
  clientKeys: readonly string[];
  managementKey: string;
  /** True for keys the relay generated (they are printed once at start). */
  generatedClientKeys: boolean;
  generatedManagementKey: boolean;
};

export const DEFAULTS = {
  port: 0,
  seed: 42,
  bodyLimitBytes: 1024 * 1024,
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 60_000,
  keepAliveTimeoutMs: 4_000,
  upstreamConnections: 128,
  // Envoy's circuit-breaker default is 1 024 requests + 1 024 pending; 512 + 512 keeps
  // the fixed relay's peak (plus 128 upstream sockets) under seed 002's 2 000 alarm.
  maxInflight: 512,
  admissionQueue: 512,
  admissionWaitMs: 5_000,
  maxAttempts: 3,
  retryDelayMs: 20,
  // 0: no wait, the 429 + Retry-After at once, as before the wait existed (CLIProxyAPI's max-retry-interval is opt-in too).
  accountWaitMs: 0,
  errorBodyCapBytes: 64 * 1024,
  maxResponseBytes: 16 * 1024 * 1024,
  idempotencyCacheCap: 1_000,
  completedUsageTtlMs: 60_000,
  completedUsageCap: 10_000,
  recentUsageCap: 1_000,
  usageSeriesCap: 100_000,
  healthScanConcurrency: 16,
  healthScansKept: 4,
  shutdownTimeoutMs: 10_000,
  stateSyncTimeoutMs: 2_000,
  stateSyncMaxTasks: 64,
} as const;

/**
 * Every numeric option: the CLI flag that sets it (errors name the flag the
 * user typed), its range and its --help line. RELAY_NUMERIC_FLAGS below is
 * made from this table, so the CLI parser, resolveOptions() for programmatic
 * callers and the ranges printed by --help are one source.
 */
export const NUMERIC_OPTIONS = {
  port: { flag: '--port', min: 0, max: 65_535, arg: 'N', help: 'listen port, 0 = any' },
  accounts: { flag: '--accounts', min: 1, max: 1_000_000, arg: 'N', help: 'accounts to generate, deterministic from --seed' },
  seed: { flag: '--seed', min: 0, max: 2 ** 32 - 1, arg: 'N', help: 'account generation seed' },
  bodyLimitBytes: { flag: '--body-limit', min: 1, max: 256 * 1024 * 1024, arg: 'BYTES', help: 'request body limit' },
  connectTimeoutMs: { flag: '--connect-timeout', min: 1, max: 600_000, arg: 'MS', help: 'upstream connect timeout' },
  headersTimeoutMs: { flag: '--headers-timeout', min: 1, max: 3_600_000, arg: 'MS', help: 'upstream response headers timeout' },
  bodyTimeoutMs: { flag: '--body-timeout', min: 1, max: 3_600_000, arg: 'MS', help: 'upstream body inactivity timeout' },
  keepAliveTimeoutMs: { flag: '--keep-alive-timeout', min: 1, max: 600_000, arg: 'MS', help: 'upstream idle socket timeout, an upper bound' },
  upstreamConnections: { flag: '--upstream-connections', min: 1, max: 65_536, arg: 'N', help: 'upstream socket cap' },
  maxInflight: { flag: '--max-inflight', min: 1, max: 1_000_000, arg: 'N', help: 'chat requests doing upstream work at once' },
  admissionQueue: { flag: '--admission-queue', min: 0, max: 1_000_000, arg: 'N', help: 'requests waiting beyond --max-inflight (then 503)' },
  admissionWaitMs: { flag: '--admission-wait', min: 0, max: 600_000, arg: 'MS', help: 'longest wait for an admission slot (then 503)' },
  maxAttempts: { flag: '--max-attempts', min: 1, max: 20, arg: 'N', help: 'attempts per request across accounts' },
  retryDelayMs: { flag: '--retry-delay', min: 0, max: 60_000, arg: 'MS', help: 'pause before failing over after a 429/5xx' },
  accountWaitMs: { flag: '--account-wait', min: 0, max: 600_000, arg: 'MS', help: 'longest wait for a cooled-down account (0: 429 at once)' },
  errorBodyCapBytes: { flag: '--error-body-cap', min: 1, max: 16 * 1024 * 1024, arg: 'BYTES', help: 'upstream error body bytes read' },
  maxResponseBytes: { flag: '--max-response', min: 1024, max: 1024 * 1024 * 1024, arg: 'BYTES', help: 'largest buffered upstream JSON response' },
  idempotencyCacheCap: { flag: '--idempotency-cap', min: 0, max: 10_000_000, arg: 'N', help: 'idempotency cache entries' },
  completedUsageTtlMs: { flag: '--usage-ttl', min: 10, max: 86_400_000, arg: 'MS', help: 'completed-request usage retention' },
  completedUsageCap: { flag: '--usage-completed-cap', min: 1, max: 10_000_000, arg: 'N', help: 'completed-request usage entries cap' },
  recentUsageCap: { flag: '--recent-usage-cap', min: 0, max: 10_000_000, arg: 'N', help: 'recent usage details kept' },
  usageSeriesCap: { flag: '--usage-series-cap', min: 1, max: 100_000_000, arg: 'N', help: 'usage counters (key x model x account) cap' },
  healthScanConcurrency: { flag: '--health-scan-concurrency', min: 1, max: 1_024, arg: 'N', help: 'default health scan concurrency' },
  healthScansKept: { flag: '--health-scans-kept', min: 1, max: 1_000, arg: 'N', help: 'finished health scans kept' },
  shutdownTimeoutMs: { flag: '--shutdown-timeout', min: 0, max: 600_000, arg: 'MS', help: 'graceful shutdown deadline' },
  stateSyncTimeoutMs: { flag: '--state-sync-timeout', min: 1, max: 600_000, arg: 'MS', help: 'deadline of one request-state sync' },
  stateSyncMaxTasks: { flag: '--state-sync-max-tasks', min: 1, max: 1_000_000, arg: 'N', help: 'request-state syncs running at once (more are dropped)' },
} as const satisfies Record<string, { flag: `--${string}`; min: number; max: number; arg: string; help: string }>;

export type NumericKey = keyof typeof NUMERIC_OPTIONS;

/** `--body-limit` → `body-limit`. */
type FlagName<K extends NumericKey> = (typeof NUMERIC_OPTIONS)[K]['flag'] extends `--${infer N}` ? N : never;

/** The numeric flags as shared/cli/flags.ts declarations, keyed by flag name without `--`. */
export const RELAY_NUMERIC_FLAGS = Object.fromEntries(
  (Object.entries(NUMERIC_OPTIONS) as Array<[NumericKey, (typeof NUMERIC_OPTIONS)[NumericKey]]>).map(([key, { flag, min, max, arg, help }]) => {
    const spec: IntFlag = { type: 'int', min, max, arg, help, ...(key === 'accounts' ? {} : { default: DEFAULTS[key] }) };
    return [flag.slice(2), spec];
  }),
) as { readonly [K in NumericKey as FlagName<K>]: IntFlag };

/** `--port` → `port`: which option a numeric flag sets. */
export const NUMERIC_KEY_OF_FLAG: Readonly<Record<string, NumericKey>> = Object.fromEntries(
  (Object.entries(NUMERIC_OPTIONS) as Array<[NumericKey, { flag: string }]>).map(([key, { flag }]) => [flag.slice(2), key]),
);

/** The relay's flag errors are ConfigErrors naming the flag. */
export const configError = (flag: string, problem: string): ConfigError => new ConfigError(flag, problem);

function checkInt(key: NumericKey, value: unknown): number {
  const name = NUMERIC_OPTIONS[key].flag.slice(2) as FlagName<NumericKey>;
  return checkFlagValue(name, RELAY_NUMERIC_FLAGS[name], value, configError) as number;
}

/** Printable ASCII, no spaces or commas (commas separate keys on the CLI). */
const KEY_SHAPE = /^[\x21-\x2b\x2d-\x7e]{8,256}$/;

function checkKey(flag: string, key: string): string {
  // The value is a secret: say what is wrong, never what it was.
  if (!KEY_SHAPE.test(key)) throw new ConfigError(flag, 'each key must be 8-256 printable characters without spaces or commas');
  return key;
}

export function checkUpstream(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError('--upstream', 'required, e.g. http://127.0.0.1:8080');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('--upstream', `not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('--upstream', `expected http: or https:, got ${JSON.stringify(url.protocol)}`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError('--upstream', 'expected an origin only (scheme://host:port), without path, query or credentials');
  }
  return url.origin;
}

/**
 * Fills defaults and validates. `generateKey` makes development keys when none
 * are configured (injected so this module stays free of randomness).
 */
export function resolveOptions(options: RelayOptions, generateKey: (prefix: string) => string): ResolvedOptions {
  const upstream = checkUpstream(options.upstream);
  const numeric = {} as Record<NumericKey, number>;
  for (const key of Object.keys(NUMERIC_OPTIONS) as NumericKey[]) {
    const given = options[key];
    const fallback = key === 'accounts' ? undefined : DEFAULTS[key];
    numeric[key] = checkInt(key, given ?? fallback);
  }
  const givenClientKeys = options.clientKeys ?? [];
  const clientKeys = givenClientKeys.length > 0
    ? givenClientKeys.map((k) => checkKey('--client-key', k))
    : [generateKey('sk-dev-')];
  const managementKey = options.managementKey !== undefined
    ? checkKey('--management-key', options.managementKey)
    : generateKey('mk-dev-');
  if (clientKeys.includes(managementKey)) {
    throw new ConfigError('--management-key', 'must differ from every client key');
  }
  return {
    ...numeric,
    upstream,
    clientKeys,
    managementKey,
    generatedClientKeys: givenClientKeys.length === 0,
    generatedManagementKey: options.managementKey === undefined,
    leaks: options.leaks ?? new Set<string>(),
    stateSync: options.stateSync ?? false,
  };
}
