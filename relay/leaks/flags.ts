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
  readonly usagePlateau: boolean;
  readonly unboundedFanout: boolean;
  readonly poolSize: boolean;
  readonly accountWaitLoop: boolean;
  readonly schedulerStats: boolean;
  readonly noAdmission: boolean;
  readonly taskContexts: boolean;
  readonly orphanTasks: boolean;
  readonly errorBodyReadFail: boolean;
  readonly headersTimeout: boolean;
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
  'usage-plateau': 'usagePlateau',
  'unbounded-fanout': 'unboundedFanout',
  'pool-size': 'poolSize',
  'account-wait-loop': 'accountWaitLoop',
  'scheduler-stats': 'schedulerStats',
  'no-admission': 'noAdmission',
  'task-contexts': 'taskContexts',
  'orphan-tasks': 'orphanTasks',
  'error-body-read-fail': 'errorBodyReadFail',
  'headers-timeout': 'headersTimeout',
} as const satisfies Record<string, keyof LeakFlags>;

export const NO_LEAKS: LeakFlags = Object.freeze(leakFlags(new Set()));

export function leakFlags(names: ReadonlySet<string>): LeakFlags {
  const flags = {} as Record<keyof LeakFlags, boolean>;
  for (const [name, field] of Object.entries(FLAG_OF)) flags[field] = names.has(name);
  return Object.freeze(flags);
}
