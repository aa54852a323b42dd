// Measures what each retained-memory leak variant costs per triggering event,
// the figure behind the catalog's `cost.perEvent` (relay/leaks/catalog.ts).
// For each variant: a real fake upstream and a real relay in this process,
// EVENTS events through the real HTTP paths, post-GC heapUsed / arrayBuffers
// before and after, divided by the events; the same run on the fixed relay is
// the baseline subtracted. Both runs use caps of 1 on the relay's bounded
// stores, so the fixed relay keeps nothing per request and the difference is
// the variant's own cost.
//
//   flock /tmp/soak-bench.lock npx node --expose-gc bench/leak-costs.ts [events | --events N]
//
// account-clone is churn, not retention: its figure is the retained size of
// one List() result divided by N (what each lookup allocates per account).

import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { startUpstream, type FaultPlan } from '../mocks/index.ts';
import { startRelay, type RelayHandle, type RelayOptions } from '../relay/index.ts';
import { AccountPool } from '../relay/accounts/pool.ts';
import { authIndexOf } from '../shared/accounts.ts';
import { HELP_FLAG, type FlagSpecs } from '../shared/cli/flags.ts';
import { usageError } from '../harness/errors.ts';
import { runCommand, runMain, throwIfInterrupted, type Command } from '../harness/cli/command.ts';

const gc = (globalThis as { gc?: () => void }).gc;
const FLAGS = {
  events: { type: 'int', min: 100, max: Number.MAX_SAFE_INTEGER, default: 3000, arg: 'N', help: 'triggering events per variant' },
  only: { type: 'string', arg: 'leak[,leak]', help: 'measure only these cases (default: all)' },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;
/** `leak-costs.ts 5000` (the positional form) is `--events 5000`. */
function withEventsFlag(argv: readonly string[]): readonly string[] {
  return argv.length === 1 && !argv[0]!.startsWith('-') ? ['--events', argv[0]!] : argv;
}
const SEED = 42;
const ACCOUNTS = 200;
const CONCURRENCY = 8;
const CLIENT_KEY = 'sk-bench-client-0001';
const MANAGEMENT_KEY = 'mk-bench-management-0001';

const agent = new Agent({ keepAliveTimeout: 10_000, connections: CONCURRENCY });

async function settledMemory(): Promise<{ heap: number; buffers: number }> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await sleep(20);
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

async function post(url: string, body: unknown, key: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await request(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    dispatcher: agent,
  });
  await res.body.text();
}

type Driver = (relay: RelayHandle, i: number) => Promise<void>;

const chat: Driver = (relay) => post(`${relay.url}/v1/chat/completions`, { model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] }, CLIENT_KEY);
const stream: Driver = (relay) => post(`${relay.url}/v1/chat/completions`, { model: 'gpt-5', stream: true, messages: [{ role: 'user', content: 'hi' }] }, CLIENT_KEY);
const idempotent: Driver = (relay, i) => post(`${relay.url}/v1/chat/completions`, { model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] }, CLIENT_KEY, { 'idempotency-key': `bench-${i}` });
/** Sync events go in batches: one event costs tens of bytes, far below one request's noise. */
const SYNC_BATCH = 50;
const syncEvents: Driver = (relay, i) => post(`${relay.url}/v0/management/sync/events`, {
  events: Array.from({ length: SYNC_BATCH }, (_, j) => ({ auth_index: authIndexOf(SEED, (i + j) % ACCOUNTS), op: 'priority', value: j })),
}, MANAGEMENT_KEY);

/** Caps of 1: the fixed relay keeps no per-request record, so the baseline is flat. */
const QUIET_CAPS = { completedUsageCap: 1, recentUsageCap: 0, idempotencyCacheCap: 1 };

interface Case {
  leak: string;
  driver: Driver;
  /** Events per driver call (sync events are batched). */
  eventsPerCall?: number;
  /** Measured run: this leak on, unless `leaky` overrides the options. */
  leaky?: { leak: boolean; idempotencyCacheCap?: number };
  baseline?: { idempotencyCacheCap?: number };
  /** Runs before the measured events (the sync tracker exists only after a snapshot). */
  setup?: (relay: RelayHandle) => Promise<void>;
  /** Relay options and an upstream fault plan for both runs (orphan-tasks: the state sync on, its sink stalled). */
  relay?: Partial<RelayOptions>;
  plan?: FaultPlan;
  /** Wait this long before each reading (the fixed run's pending work ends by its deadline). */
  settleMs?: number;
  /**
   * At least this many events, whatever --events says: a cost of tens of
   * bytes is under the post-GC noise of 3 000 requests (scheduler-stats read
   * 106 and 77 B in two repetitions of 20 000 in a throwaway script).
   */
  minEvents?: number;
}

/**
 * orphan-tasks: every state sync stalls (no answer for 10 minutes); the fixed
 * manager cuts each at its 2-s deadline, the variant's floating syncs stay
 * queued in the sink pool (its 60-s headers timeout frees 8 a minute).
 */
const STALLED_SINK: FaultPlan = { rules: [{ fault: 'stall-headers', probability: 1, routes: ['state'] }], stallMs: 600_000 };

const snapshot = (relay: RelayHandle) => post(`${relay.url}/v0/management/sync/snapshot`, { sync_id: 's', chunk: 0, last: true, accounts: [] }, MANAGEMENT_KEY);

const CASES: Case[] = [
  { leak: 'sync-tracker', driver: syncEvents, eventsPerCall: SYNC_BATCH, setup: snapshot },
  { leak: 'listener', driver: stream },
  // What one entry above the cap costs: the fixed cache with room for everything vs with a cap of 1.
  { leak: 'lazy-lru', driver: idempotent, leaky: { leak: false, idempotencyCacheCap: 10_000_000 } },
  { leak: 'inflight-map', driver: chat },
  { leak: 'usage-ttl', driver: chat },
  { leak: 'cancel-poller', driver: chat },
  { leak: 'task-contexts', driver: chat },
  { leak: 'orphan-tasks', driver: chat, relay: { stateSync: true }, plan: STALLED_SINK, settleMs: 2_500 },
  { leak: 'scheduler-stats', driver: chat, minEvents: 30_000 },
];

async function measure(c: Case, leaky: boolean, eventCount: number, signal: AbortSignal): Promise<{ heap: number; buffers: number }> {
  const overrides = leaky ? c.leaky : c.baseline;
  const leakOn = leaky && (c.leaky?.leak ?? true);
  const upstream = await startUpstream({ seed: SEED, accounts: ACCOUNTS, ...(c.plan === undefined ? {} : { plan: c.plan }) });
  const relay = await startRelay({
    upstream: upstream.url,
    accounts: ACCOUNTS,
    seed: SEED,
    clientKeys: [CLIENT_KEY],
    managementKey: MANAGEMENT_KEY,
    shutdownTimeoutMs: 100,
    ...QUIET_CAPS,
    ...c.relay,
    ...(overrides?.idempotencyCacheCap === undefined ? {} : { idempotencyCacheCap: overrides.idempotencyCacheCap }),
    leaks: new Set(leakOn ? [c.leak] : []),
  });
  try {
    await c.setup?.(relay);
    let next = 0;
    const run = async (count: number, offset: number): Promise<void> => {
      next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) {
          throwIfInterrupted(signal);
          await c.driver(relay, offset + next++);
        }
      }));
    };
    await run(300, 10_000_000); // warm-up: JIT, pools, lazily built structures
    if (c.settleMs !== undefined) await sleep(c.settleMs);
    const before = await settledMemory();
    await run(eventCount, 0);
    if (c.settleMs !== undefined) await sleep(c.settleMs);
    const after = await settledMemory();
    const events = eventCount * (c.eventsPerCall ?? 1);
    return { heap: (after.heap - before.heap) / events, buffers: (after.buffers - before.buffers) / events };
  } finally {
    await relay.close();
    await upstream.close();
  }
}

async function cloneCost(): Promise<number> {
  const pool = new AccountPool(SEED, 2_000);
  const before = await settledMemory();
  const clones = pool.listClones();
  const after = await settledMemory();
  if (clones.length !== 2_000) throw new Error('unexpected clone count');
  return (after.heap + after.buffers - before.heap - before.buffers) / clones.length;
}

const command: Command<typeof FLAGS> = {
  name: 'bench:leak-costs',
  usage: 'flock /tmp/soak-bench.lock npx node --expose-gc bench/leak-costs.ts [events | --events N]',
  about: [
    "What each retained-memory leak variant costs per triggering event: the figure behind the catalog's",
    '`cost.perEvent` (relay/leaks/catalog.ts). Per variant, a real fake upstream and relay in this process,',
    'N events through the real HTTP paths, post-GC heapUsed / arrayBuffers before and after, per event,',
    'less the same run on the fixed relay (both with caps of 1 on the bounded stores). Needs --expose-gc.',
  ],
  flags: FLAGS,
  more: ['A lone number is --events: `leak-costs.ts 5000` is `leak-costs.ts --events 5000`.'],
  exitCodes: ['0 figures printed; 2 bad flags or no --expose-gc (nothing started); 3 a run failed; 130/143 interrupted.'],
  async run({ values, io, signal }) {
    if (gc === undefined) throw usageError('run with --expose-gc (npx node --expose-gc bench/leak-costs.ts)');
    try {
      const only = values.only === undefined ? null : new Set(values.only.split(',').map((n) => n.trim()));
      const known = ['account-clone', ...CASES.map((c) => c.leak)];
      const unknown = only === null ? [] : [...only].filter((n) => !known.includes(n));
      if (unknown.length > 0) throw usageError(`--only: no case named ${unknown.join(', ')} (cases: ${known.join(', ')})`);
      io.stdout.write(`leak-costs: ${values.events} events per case, Node ${process.version}\n`);
      if (only === null || only.has('account-clone')) io.stdout.write(`account-clone      ${(await cloneCost()).toFixed(0).padStart(7)} B allocated per account per lookup (retained size of one clone)\n`);
      for (const c of CASES) {
        if (only !== null && !only.has(c.leak)) continue;
        throwIfInterrupted(signal);
        const events = Math.max(values.events, c.minEvents ?? 0);
        const fixed = await measure(c, false, events, signal);
        const leaky = await measure(c, true, events, signal);
        const heap = leaky.heap - fixed.heap;
        const buffers = leaky.buffers - fixed.buffers;
        io.stdout.write(`${c.leak.padEnd(18)} ${heap.toFixed(0).padStart(7)} B heapUsed, ${buffers.toFixed(0).padStart(6)} B arrayBuffers per event (leaky ${leaky.heap.toFixed(0)} − fixed ${fixed.heap.toFixed(0)}${events === values.events ? '' : `; ${events} events`})\n`);
      }
      return 0;
    } finally {
      await agent.close();
    }
  },
};

if (import.meta.main) runMain(() => runCommand(command, withEventsFlag(process.argv.slice(2))), 'bench:leak-costs');
