// The selected leaks as plain booleans, computed once at start-up. Every
// variant branches on one of these fields (captured by its component at
// construction), so the fixed build pays one predictable `false` test where a
// variant could run, never a Set lookup per request.

export interface LeakFlags {
  readonly accountClone: boolean;
  readonly errorBody: boolean;
  readonly sseAbort: boolean;
  readonly syncTracker: boolean;
  readonly listener: boolean;
  readonly lazyLru: boolean;
  readonly inflightMap: boolean;
  readonly inflightErrorPath: boolean;
  readonly retryTimers: boolean;
  readonly cancelPoller: boolean;
  readonly usageTtl: boolean;
  readonly unboundedFanout: boolean;
  readonly poolSize: boolean;
}

/** Catalog name → flag field. A test checks both lists name the same variants. */
export const FLAG_OF = {
  'account-clone': 'accountClone',
  'error-body': 'errorBody',
  'sse-abort': 'sseAbort',
  'sync-tracker': 'syncTracker',
  listener: 'listener',
  'lazy-lru': 'lazyLru',
  'inflight-map': 'inflightMap',
  'inflight-error-path': 'inflightErrorPath',
  'retry-timers': 'retryTimers',
  'cancel-poller': 'cancelPoller',
  'usage-ttl': 'usageTtl',
  'unbounded-fanout': 'unboundedFanout',
  'pool-size': 'poolSize',
} as const satisfies Record<string, keyof LeakFlags>;

export const NO_LEAKS: LeakFlags = Object.freeze(leakFlags(new Set()));

export function leakFlags(names: ReadonlySet<string>): LeakFlags {
  const flags = {} as Record<keyof LeakFlags, boolean>;
  for (const [name, field] of Object.entries(FLAG_OF)) flags[field] = names.has(name);
  return Object.freeze(flags);
}
