// sync-tracker (seed 003): the relay's account sync (relay/management/account-sync.ts)
// after a completed snapshot, receiving incremental events, with the leak on
// (inverted "sync in progress" check, tracker kept after apply: every event
// appended to it) and off (nothing recorded once the snapshot is applied).
// Each op is one POST sync/events with one event, as the route hands it over
// (already parsed): the bodies are built once, so the bytes counted are the
// sync code's own.

import { AccountPool } from '../../relay/accounts/pool.ts';
import { AccountSync } from '../../relay/management/account-sync.ts';
import { leakFlags, NO_LEAKS } from '../../relay/leaks/flags.ts';
import { authIndexOf } from '../../shared/accounts.ts';
import type { MicroCase, Subject } from './case.ts';

const SEED = 42;
const ACCOUNTS = 1_000;
const BODIES = 1_024;

let pool: AccountPool | null = null;

function subject(leaky: boolean): Subject {
  pool ??= new AccountPool(SEED, ACCOUNTS);
  const sync = new AccountSync(pool, leaky ? leakFlags(new Set(['sync-tracker'])) : NO_LEAKS);
  sync.snapshot({ sync_id: 'bench', chunk: 0, last: true, accounts: [] });
  const bodies = Array.from({ length: BODIES }, (_, i) => ({ events: [{ auth_index: authIndexOf(SEED, i % ACCOUNTS), op: 'priority', value: i & 0xff }] }));
  return {
    op: (i: number) => sync.events(bodies[i % BODIES]),
    note: () => `tracker entries ${sync.trackerEntries}`,
  };
}

export function syncTrackerCases(): MicroCase[] {
  const common = { mechanism: 'sync-tracker', size: `${ACCOUNTS / 1000}k accounts`, async: false, memoryOps: 50_000 } as const;
  return [
    { ...common, variant: 'tracker kept', role: 'leaky', maxIterations: 500_000, make: () => subject(true) },
    { ...common, variant: 'tracker cleared', role: 'fixed', maxIterations: 2_000_000, make: () => subject(false), release: () => void (pool = null) },
  ];
}
