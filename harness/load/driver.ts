// The orchestrator's handle on load generation: createLoad(target) → LoadDriver.
//
// The orchestrator calls runSegment(phase, ms, signal) between checkpoints.
// A segment starts one generator per traffic kind in the phase's mix (the
// client-API kinds share one autocannon instance; the rest are paced undici
// operations), runs them for `ms`, then stops them so that nothing the load
// started is in flight when it resolves: no new work, in-flight requests get
// `drainGraceMs` to finish, then whatever is left is cut and every socket
// closed. Ramping phases run as short steps at interpolated levels, placed by
// how much of the phase the driver has already driven (checkpoint pauses
// do not move a ramp forward).

import { performance } from 'node:perf_hooks';
import { authIndexOf } from '../../shared/accounts.ts';
import { createRng, type Rng } from '../../shared/prng.ts';
import type { ResolvedPhase, TrafficKind } from '../../scenarios/index.ts';
import type { LoadWindow } from '../records.ts';
import { apiCallOperation, type ScanCursor } from './api-call-scan.ts';
import { sendSnapshot, syncEventsOperation } from './account-sync.ts';
import { CHAT_KINDS, startChatTraffic, type ChatTraffic } from './chat-traffic.ts';
import { ClientApi, type ClientApiConfig } from './client-api.ts';
import { LoadError } from './errors.ts';
import { pace, type Operation, type Pace } from './pacer.ts';
import { runRelayScans, type RelayScanState } from './relay-scan.ts';
import { retryOperation } from './retry-client.ts';
import { LoadStats, type UnexpectedResponse } from './stats.ts';
import { streamAbortOperation } from './stream-abort.ts';
import { TargetPool } from './target-pool.ts';

export interface LoadTarget {
  /** The relay's base URL, e.g. http://127.0.0.1:40123, or with a path prefix (http://127.0.0.1:40123/gateway: every route under it). */
  url: string;
  clientKey: string;
  managementKey: string;
  accounts: number;
  seed: number;
  /** How client-API requests are made (API profile, auth, headers, key rotation, model); default: Chat Completions with `Authorization: Bearer clientKey`. */
  client?: ClientApiConfig;
}

export interface LoadOptions {
  /** How long in-flight requests may take to finish at the end of a segment. Default 5 s. */
  drainGraceMs?: number;
  /** Per-request headers/body timeout. Default 30 s. */
  timeoutMs?: number;
  /** Step length of a ramping phase. Default 5 s. */
  rampStepMs?: number;
}

export interface LoadTotals {
  requestsCompleted: number;
  /** Harness-side triggering events: sse-abort, api-call, scan, relay-scan, sync-event, sync-snapshot, idempotency-key, retry, client-gave-up, chat-error, load-dropped, load-killed. */
  events: Record<string, number>;
  /** The first response of each unexpected kind (non-2xx, failed body check), counted; bodies not redacted (stats.ts). */
  unexpected: UnexpectedResponse[];
}

export interface LoadDriver {
  /** Drive `phase` for `durationMs` (or until `signal` aborts); resolves when nothing the load started is in flight. */
  runSegment(phase: ResolvedPhase, durationMs: number, signal: AbortSignal): Promise<void>;
  /** Stats since the previous window() call. */
  window(): LoadWindow;
  totals(): LoadTotals;
  /** Ends a running segment at once and refuses new ones. */
  close(): Promise<void>;
}

/** Undici-driven kinds (the client-API kinds go through autocannon). */
const PACED_KINDS = ['stream-abort', 'retry', 'api-call', 'sync-event'] as const satisfies readonly TrafficKind[];
type PacedKind = (typeof PACED_KINDS)[number];

function validateTarget(t: LoadTarget): void {
  let url: URL;
  try {
    url = new URL(t.url);
  } catch {
    throw new LoadError('SOAK_ERR_LOAD_TARGET', 'target.url', `expected an http:// URL, got ${JSON.stringify(t.url)}`);
  }
  if (url.protocol !== 'http:') throw new LoadError('SOAK_ERR_LOAD_TARGET', 'target.url', `expected an http:// URL, got ${JSON.stringify(t.url)}`);
  if (url.search !== '' || url.hash !== '') throw new LoadError('SOAK_ERR_LOAD_TARGET', 'target.url', `expected no query or fragment (a path prefix is fine), got ${JSON.stringify(t.url)}`);
  if (!Number.isSafeInteger(t.accounts) || t.accounts < 1) {
    throw new LoadError('SOAK_ERR_LOAD_TARGET', 'target.accounts', `expected an integer ≥ 1, got ${JSON.stringify(t.accounts)}`);
  }
  if (!Number.isSafeInteger(t.seed) || t.seed < 0) throw new LoadError('SOAK_ERR_LOAD_TARGET', 'target.seed', `expected an integer ≥ 0, got ${JSON.stringify(t.seed)}`);
  // Keys are checked for presence only: their values never enter a message.
  if (typeof t.clientKey !== 'string' || t.clientKey === '') throw new LoadError('SOAK_ERR_LOAD_TARGET', 'target.clientKey', 'missing');
  if (typeof t.managementKey !== 'string' || t.managementKey === '') throw new LoadError('SOAK_ERR_LOAD_TARGET', 'target.managementKey', 'missing');
  const keys = t.client?.keys;
  if (keys !== undefined && !keys.every((k) => typeof k === 'string' && k !== '')) throw new LoadError('SOAK_ERR_LOAD_TARGET', 'target.client.keys', 'expected non-empty strings');
}

export function createLoad(target: LoadTarget, options: LoadOptions = {}): LoadDriver {
  validateTarget(target);
  const url = new URL(target.url);
  // Connections go to the origin; the path is a prefix of every route (a relay mounted under /gateway).
  return new Driver({ ...target, url: url.origin }, url.pathname.replace(/\/+$/, ''), options);
}

class Driver implements LoadDriver {
  readonly #target: LoadTarget;
  readonly #basePath: string;
  readonly #client: ClientApi;
  readonly #drainGraceMs: number;
  readonly #timeoutMs: number;
  readonly #rampStepMs: number;
  readonly #stats = new LoadStats();
  readonly #rng: Rng;
  readonly #keyPrefix: string;
  // State that outlives segments, so scans, keys and ramps continue across checkpoints.
  readonly #counters = { request: 0, uniqueKey: 0, reusedKey: 0 };
  readonly #cursor: ScanCursor = { next: 0 };
  readonly #relayScan: RelayScanState = { lastScanMs: 0 };
  readonly #drivenMs = new Map<string, number>();
  readonly #snapshotted = new Set<string>();
  #authIndexes: string[] | null = null;
  #running: Promise<void> | null = null;
  readonly #closing = new AbortController();

  constructor(target: LoadTarget, basePath: string, options: LoadOptions) {
    this.#target = target;
    this.#basePath = basePath;
    // One for the driver: the key rotation continues across segments.
    this.#client = new ClientApi(target.client ?? {}, target.clientKey);
    this.#drainGraceMs = options.drainGraceMs ?? 5_000;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#rampStepMs = options.rampStepMs ?? 5_000;
    this.#rng = createRng(`${target.seed}:load`);
    // Unique per driver (two runs against one relay must not share cache keys); not secret.
    this.#keyPrefix = `soak-${target.seed}-${Date.now().toString(36)}-${process.pid.toString(36)}`;
  }

  window(): LoadWindow {
    return this.#stats.window();
  }

  totals(): LoadTotals {
    return this.#stats.totals();
  }

  async close(): Promise<void> {
    this.#closing.abort(new LoadError('SOAK_ERR_LOAD_CLOSED', 'load', 'closed'));
    await this.#running?.catch(() => {});
  }

  async runSegment(phase: ResolvedPhase, durationMs: number, signal: AbortSignal): Promise<void> {
    if (this.#closing.signal.aborted) throw new LoadError('SOAK_ERR_LOAD_CLOSED', 'load', 'the driver is closed');
    if (this.#running !== null) throw new LoadError('SOAK_ERR_LOAD_BUSY', 'load', 'a segment is already running');
    if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0) {
      throw new LoadError('SOAK_ERR_LOAD_INVALID', 'durationMs', `expected a positive number of ms, got ${JSON.stringify(durationMs)}`);
    }
    if (phase.rate === null && phase.connections === null) {
      throw new LoadError('SOAK_ERR_LOAD_INVALID', `phase ${phase.name}`, 'has neither a rate nor connections');
    }
    const stop = AbortSignal.any([signal, this.#closing.signal]);
    this.#running = this.#segment(phase, durationMs, stop);
    try {
      await this.#running;
    } finally {
      this.#running = null;
    }
  }

  async #segment(phase: ResolvedPhase, durationMs: number, outer: AbortSignal): Promise<void> {
    const range = phase.rate ?? phase.connections!;
    const ramps = range.from !== range.to;
    let left = durationMs;
    while (left > 0 && !outer.aborted) {
      const stepMs = ramps ? Math.min(left, this.#rampStepMs) : left;
      const driven = this.#drivenMs.get(phase.name) ?? 0;
      // Level at the step's midpoint, by the share of the phase already driven.
      const position = Math.min(1, (driven + stepMs / 2) / phase.durationMs);
      const level = range.from + (range.to - range.from) * position;
      await this.#step(phase, stepMs, level, outer);
      this.#drivenMs.set(phase.name, driven + stepMs);
      left -= stepMs;
    }
  }

  #authIndexesOf(): readonly string[] {
    this.#authIndexes ??= Array.from({ length: this.#target.accounts }, (_, i) => authIndexOf(this.#target.seed, i));
    return this.#authIndexes;
  }

  #operation(kind: PacedKind, pool: TargetPool, phase: ResolvedPhase): Operation {
    const t = this.#target;
    switch (kind) {
      case 'stream-abort':
        return streamAbortOperation(pool, this.#client, phase.settings, this.#rng, this.#counters);
      case 'retry':
        return retryOperation(pool, this.#client, phase.settings, this.#rng, this.#counters);
      case 'api-call':
        return apiCallOperation(pool, t.managementKey, this.#authIndexesOf(), this.#cursor);
      case 'sync-event':
        return syncEventsOperation(pool, t.managementKey, this.#authIndexesOf(), phase.settings.sync.eventsPerBatch, this.#rng);
    }
  }

  /** One stretch at a constant level: start everything, wait, drain, close. */
  async #step(phase: ResolvedPhase, ms: number, level: number, outer: AbortSignal): Promise<void> {
    const open = phase.rate !== null;
    const stop = new AbortController();
    const kill = new AbortController();
    const pools: TargetPool[] = [];
    const tasks: Promise<unknown>[] = [];
    const newPool = (connections: number) => {
      const p = new TargetPool(this.#target.url, this.#stats, { connections, timeoutMs: this.#timeoutMs, basePath: this.#basePath });
      pools.push(p);
      return p;
    };
    const onDrop = (n: number) => this.#stats.event('load-dropped', n);
    const endsAt = performance.now() + ms;

    let chat: ChatTraffic | null = null;
    const chatShare = CHAT_KINDS.reduce((sum, k) => sum + phase.mix[k], 0);
    if (chatShare > 0) {
      chat = startChatTraffic({
        url: this.#target.url,
        basePath: this.#basePath,
        client: this.#client,
        weights: Object.fromEntries(CHAT_KINDS.map((k) => [k, phase.mix[k]])) as Record<(typeof CHAT_KINDS)[number], number>,
        rate: open ? level * chatShare : null,
        connections: open ? 0 : Math.max(1, Math.round(level * chatShare)),
        settings: phase.settings,
        stats: this.#stats,
        rng: this.#rng,
        keyPrefix: this.#keyPrefix,
        counters: this.#counters,
        timeoutMs: this.#timeoutMs,
      });
    }
    for (const kind of PACED_KINDS) {
      const share = phase.mix[kind];
      if (share <= 0) continue;
      const cap = kind === 'api-call' ? phase.settings.apiCallConcurrency : Infinity;
      let how: Pace;
      if (open) {
        const rate = level * share;
        // A phase's maxInFlight (a burst of many users) replaces the default cap, never apiCallConcurrency.
        how = { model: 'open', rate, maxInFlight: Math.min(cap, phase.settings.maxInFlight ?? Math.max(16, Math.min(512, Math.ceil(rate * 2)))) };
      } else {
        how = { model: 'closed', workers: Math.min(cap, Math.max(1, Math.round(level * share))) };
      }
      const pool = newPool(how.model === 'open' ? how.maxInFlight : how.workers);
      tasks.push(pace(this.#operation(kind, pool, phase), how, stop.signal, kill.signal, { onDrop }));
    }
    const sync = phase.settings.sync;
    if (sync.snapshotAtStart && !this.#snapshotted.has(phase.name)) {
      this.#snapshotted.add(phase.name);
      const syncId = `${this.#keyPrefix}-${phase.name}`;
      const pool = newPool(1);
      tasks.push(sendSnapshot(pool, this.#target.managementKey, this.#authIndexesOf(), sync.snapshotChunk, syncId, this.#rng, stop.signal, kill.signal));
    }
    const scan = phase.settings.relayScan;
    if (scan !== null) {
      const pool = newPool(1);
      tasks.push(runRelayScans(pool, this.#target.managementKey, { ...scan, endsAt }, this.#relayScan, stop.signal, kill.signal));
    }

    // Run for `ms`, or until the orchestrator aborts / the driver closes.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      outer.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        outer.removeEventListener('abort', done);
        resolve();
      }
    });

    // Drain: stop starting work; in-flight work gets the grace (none when aborted from outside: stop promptly).
    const graceMs = outer.aborted ? 0 : this.#drainGraceMs;
    stop.abort();
    const graceTimer = setTimeout(() => kill.abort(), graceMs);
    try {
      await Promise.all([chat?.stop(graceMs), ...tasks.map((t) => t.catch(() => {}))]);
    } finally {
      clearTimeout(graceTimer);
      kill.abort();
      await Promise.all(pools.map((p) => p.close()));
    }
  }
}
