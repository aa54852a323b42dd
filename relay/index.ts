// startRelay(): builds and wires the relay, listens on 127.0.0.1, and returns
// a handle whose close() is the graceful shutdown (stop accepting, let
// in-flight requests finish within the deadline, abort the rest, close the
// upstream pool). The CLI (main.ts) is a thin shell around this.

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccountPool } from './accounts/pool.ts';
import type { Admission } from './admission.ts';
import { ClientKeys, ManagementKey } from './auth.ts';
import { RelayError } from './errors.ts';
import { compactHeapAfterStartup } from './heap-compaction.ts';
import { IdempotencyCache } from './idempotency-cache.ts';
import { leakFlags } from './leaks/flags.ts';
import { AccountSync } from './management/account-sync.ts';
import { HealthScans, PROBE_PATH } from './management/health-scan.ts';
import { ManagementApi } from './management/routes.ts';
import { callUpstream } from './management/upstream-call.ts';
import { RelayMetrics, type SizeName } from './metrics.ts';
import { resolveOptions, type RelayOptions, type ResolvedOptions } from './options.ts';
import { ChatCompletions } from './proxy/chat-completions.ts';
import { ContextRegistry } from './proxy/request-context.ts';
import { StateSync } from './usage/state-sync.ts';
import { buildModelsBody } from './proxy/models.ts';
import { Scheduler } from './scheduler.ts';
import { Front } from './server.ts';
import { createUpstreamPool } from './upstream/upstream-pool.ts';
import { CompletedUsage } from './usage/completed-usage.ts';
import { UsageLedger } from './usage/ledger.ts';
import { MODELS } from '../shared/accounts.ts';

export type { RelayOptions } from './options.ts';
export { RelayError, ConfigError } from './errors.ts';
export { LEAK_CATALOG, LEAK_RESOURCES, parseLeaks, formatCatalog, expectedCost, leakEntry } from './leaks/catalog.ts';
export type { LeakEntry, LeakCost, LeakResource, ResolvedCost } from './leaks/catalog.ts';

export interface RelayHandle {
  readonly url: string;
  readonly port: number;
  /** The keys in force (generated ones included): tests and the harness need them. */
  readonly clientKeys: readonly string[];
  readonly managementKey: string;
  readonly options: ResolvedOptions;
  /** Graceful shutdown; idempotent (every call returns the same promise). */
  close(): Promise<void>;
}

/** How much of a probe's body the health scan reads (it only needs the status). */
const PROBE_BODY_CAP = 16 * 1024;
/** After the deadline, aborted requests get this long to unwind before sockets are cut. */
const ABORT_GRACE_MS = 1_000;

function generateKey(prefix: string): string {
  return prefix + randomBytes(24).toString('base64url');
}

const NO_TASK_OUTCOMES = Object.freeze({ ok: 0, failed: 0, timeout: 0, dropped: 0 });

function listenerTotal(emitter: NodeJS.EventEmitter): number {
  let n = 0;
  for (const name of emitter.eventNames()) n += emitter.listenerCount(name);
  return n;
}

export async function startRelay(input: RelayOptions): Promise<RelayHandle> {
  const options = resolveOptions(input, generateKey);
  // Computed once: each component captures its booleans; no Set lookup per request.
  const leaks = leakFlags(options.leaks);
  const accounts = new AccountPool(options.seed, options.accounts);
  const upstream = createUpstreamPool(options, leaks);
  const scheduler = new Scheduler(leaks);
  const ledger = new UsageLedger(options.accounts, options.usageSeriesCap, options.recentUsageCap);
  const completed = new CompletedUsage(options.completedUsageTtlMs, options.completedUsageCap, leaks.usageTtl ? 'never-sweep' : leaks.usagePlateau ? 'rare-sweep' : 'fixed');
  const idempotency = new IdempotencyCache(options.idempotencyCacheCap, leaks.lazyLru);
  const scans = new HealthScans(
    accounts,
    async (a, signal) => (await callUpstream(upstream, accounts.authorizationOf(a), 'GET', PROBE_PATH, undefined, PROBE_BODY_CAP, signal)).status,
    options.healthScansKept,
    leaks,
  );
  const sync = new AccountSync(accounts, leaks);
  const contexts = new ContextRegistry();
  const stateSync = options.stateSync ? new StateSync(options, leaks.orphanTasks) : null;
  let server: Server | undefined;
  let clientSockets = 0;
  let draining = false;

  const metrics = new RelayMetrics({
    pool: () => upstream.stats,
    accountsByState: () => accounts.countByState(Date.now()),
    sizes: (): Record<SizeName, number> => ({
      inflight_requests: scheduler.inflight,
      retry_waits: scheduler.retryWaits,
      idempotency_cache: idempotency.size,
      completed_usage: completed.size,
      usage_series: ledger.seriesCount,
      usage_recent: ledger.recentCount,
      health_scans: scans.size,
      health_scan_workers: scans.workers,
      sync_tracker_entries: sync.trackerEntries,
      cooling_heap: accounts.coolingEntries(),
      auth_index_map: accounts.authIndexMapSize,
      model_cursors: MODELS.length,
      client_sockets: clientSockets,
      cancel_pollers: scheduler.cancelPollers,
      account_waits: scheduler.accountWaits.size,
      scheduler_stats: scheduler.statsEntries,
      request_contexts: contexts.size,
      background_tasks: stateSync?.pending ?? 0,
    }),
    listeners: () => ({
      server: server === undefined ? 0 : listenerTotal(server),
      upstream_pool: listenerTotal(upstream),
      process: listenerTotal(process),
      account_events: listenerTotal(accounts.events),
    }),
    admission: () => {
      // Read at scrape time, after `chat` (which owns the semaphore) exists.
      const a: Admission = chat.admission;
      return { active: a.active, queued: a.queued, limit: a.limit, queueCap: a.queueCap, rejected: a.rejected };
    },
    viewsBuilt: () => accounts.viewsBuilt,
    clonesMade: () => accounts.clonesMade,
    idempotencyEvictions: () => idempotency.evictions,
    capacities: () => ({
      idempotency_cache: options.idempotencyCacheCap,
      completed_usage: options.completedUsageCap,
      usage_series: options.usageSeriesCap,
      usage_recent: options.recentUsageCap,
      health_scans: options.healthScansKept,
    }),
    backgroundTasks: () => stateSync?.outcomes ?? NO_TASK_OUTCOMES,
  });

  const chat = new ChatCompletions({ accounts, upstream, metrics, scheduler, ledger, completed, idempotency, options, leaks, contexts, stateSync });
  const management = new ManagementApi({ accounts, upstream, scheduler, ledger, completed, scans, sync, options, leaks, contexts });
  const front = new Front({
    clientKeys: new ClientKeys(options.clientKeys),
    managementKey: new ManagementKey(options.managementKey),
    chat,
    management,
    metrics,
    modelsBody: buildModelsBody(accounts, Math.floor(Date.now() / 1000)),
    bodyLimitBytes: options.bodyLimitBytes,
    draining: () => draining,
  });

  const srv = createServer({ keepAliveTimeout: 5_000, headersTimeout: 30_000, requestTimeout: 300_000 }, front.onRequest);
  server = srv;
  srv.on('connection', (socket: Socket) => {
    clientSockets++;
    socket.once('close', () => clientSockets--);
  });
  // A client that sends garbage must cost it its connection, not cost us a crash.
  srv.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(options.port, '127.0.0.1', () => {
        srv.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    completed.close();
    idempotency.clear();
    await stateSync?.close(0);
    await upstream.destroy();
    throw err;
  }
  const port = (srv.address() as AddressInfo).port;
  // Before the first request: give back the young generation grown by account generation.
  compactHeapAfterStartup();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      const serverClosed = new Promise<void>((resolve) => srv.close(() => resolve()));
      srv.closeIdleConnections();
      scans.abort();
      const deadline = new AbortController();
      await Promise.race([scheduler.whenIdle(), sleep(options.shutdownTimeoutMs, undefined, { signal: deadline.signal, ref: false }).catch(() => {})]);
      if (scheduler.inflight > 0) {
        scheduler.abortAll(new RelayError('RELAY_ERR_SHUTTING_DOWN', 'relay is shutting down'));
        await Promise.race([scheduler.whenIdle(), sleep(ABORT_GRACE_MS, undefined, { signal: deadline.signal, ref: false }).catch(() => {})]);
      }
      deadline.abort();
      srv.closeAllConnections();
      await serverClosed;
      completed.close();
      idempotency.clear();
      scheduler.dispose();
      // After the requests: the syncs they started are aborted (fixed) or cut with the sink pool.
      await stateSync?.close(ABORT_GRACE_MS);
      // close() waits for running upstream requests; anything left after the grace is destroyed.
      const grace = new AbortController();
      await Promise.race([upstream.close(), sleep(ABORT_GRACE_MS, undefined, { signal: grace.signal, ref: false }).catch(() => {})]);
      grace.abort();
      if (!upstream.destroyed) await upstream.destroy();
    })();
    return closing;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    clientKeys: options.clientKeys,
    managementKey: options.managementKey,
    options,
    close,
  };
}
