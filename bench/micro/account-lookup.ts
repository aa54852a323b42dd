// account-clone (seed 000): the management lookup by auth_index, as the relay
// does it in both modes, on the relay's real AccountPool.
//
//   leaky  pool.listClones() (a deep copy of every account), then a linear
//          scan for the auth_index: CLIProxyAPI's authByIndex → Manager.List()
//   fixed  pool.indexOf() (the auth_index → index map), then
//          pool.cloneAccount() of the match only
//
// The two-line choice between them lives in ManagementApi's private
// #authByIndex (relay/management/routes.ts), reachable only through an HTTP
// request; isolating it would need a refactor, so each op here repeats those
// lines over the same pool methods (the closest real path: every byte and
// every clone is the pool's own code).

import { AccountPool, type AccountClone } from '../../relay/accounts/pool.ts';
import { authIndexOf } from '../../shared/accounts.ts';
import type { MicroCase, Subject } from './case.ts';

const SEED = 42;
/** Lookups cycle over this many auth_indexes spread over the pool (the health-scan looks up every account). */
const TARGETS = 1_024;

let cached: { count: number; pool: AccountPool } | null = null;

/** One pool at a time: the 100 k-account pool alone is ~300 MB of records. */
function poolOf(count: number): AccountPool {
  if (cached?.count !== count) {
    cached = null;
    cached = { count, pool: new AccountPool(SEED, count) };
  }
  return cached.pool;
}

function targetsOf(count: number): string[] {
  return Array.from({ length: TARGETS }, (_, i) => authIndexOf(SEED, (i * 7_919) % count));
}

function subject(count: number, leaky: boolean): Subject {
  const pool = poolOf(count);
  const targets = targetsOf(count);
  const clonesAtStart = pool.clonesMade;
  let lookups = 0;
  const op = leaky
    ? (i: number): AccountClone | undefined => {
        lookups++;
        const authIndex = targets[i % TARGETS]!;
        for (const clone of pool.listClones()) if (clone.record.authIndex === authIndex) return clone;
        return undefined;
      }
    : (i: number): AccountClone | undefined => {
        lookups++;
        const a = pool.indexOf(targets[i % TARGETS]!);
        return a === -1 ? undefined : pool.cloneAccount(a);
      };
  return {
    op,
    note: () => `${lookups === 0 ? 0 : Math.round((pool.clonesMade - clonesAtStart) / lookups)} clones/lookup`,
  };
}

const SIZES = [
  { count: 1_000, label: '1k accounts', cloneCap: 1_000, cloneMemoryOps: 20 },
  { count: 5_000, label: '5k accounts', cloneCap: 300, cloneMemoryOps: 8 },
  // One listClones() of 100 k accounts takes 1–3 s and allocates ~300 MB: a fixed, small count.
  { count: 100_000, label: '100k accounts', cloneCap: 3, cloneMemoryOps: 1, exact: 3 },
] as const;

export function accountLookupCases(): MicroCase[] {
  return SIZES.flatMap((s, i): MicroCase[] => [
    {
      mechanism: 'account-clone',
      variant: 'listClones+scan',
      role: 'leaky',
      size: s.label,
      async: false,
      maxIterations: s.cloneCap,
      ...('exact' in s ? { exactIterations: s.exact } : {}),
      memoryOps: s.cloneMemoryOps,
      make: () => subject(s.count, true),
    },
    {
      mechanism: 'account-clone',
      variant: 'index+cloneAccount',
      role: 'fixed',
      size: s.label,
      async: false,
      maxIterations: 2_000_000,
      memoryOps: 20_000,
      make: () => subject(s.count, false),
      ...(i === SIZES.length - 1 ? { release: () => void (cached = null) } : {}),
    },
  ]);
}
