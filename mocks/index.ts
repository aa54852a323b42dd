// Public API of the fake upstream. See mocks/README.md.

import type { AddressInfo } from 'node:net';
import { createBridge, HOST } from './bridge.ts';
import { UpstreamEngine } from './engine.ts';
import { liveHandlers } from './handler-list.ts';
import { applyIdleTimeout, checkIdleTimeout, DEFAULT_IDLE_TIMEOUT_MS } from './idle.ts';
import type { FaultPlan } from './plan.ts';
import type { UpstreamStats } from './stats.ts';

export { FAULTS, FAULT_KINDS, isFaultKind, type FaultKind, type FaultSpec } from './faults.ts';
export {
  validatePlan,
  checkPlanAccounts,
  PlanError,
  ROUTES,
  NO_FAULTS,
  PLAN_DEFAULTS,
  MIN_LARGE_BODY_BYTES,
  SEQUENCE_THEN,
  MAX_SEQUENCES,
  MAX_SEQUENCE_STEPS,
  type FaultPlan,
  type FaultRule,
  type FaultWindow,
  type FaultSequence,
  type SequenceStep,
  type SequenceThen,
  type AccountBehaviour,
  type RouteName,
} from './plan.ts';
export { FAULT_HEADER, FAULT_BODY_FIELD, ROUTE_KEYS, UpstreamEngine } from './engine.ts';
export { createHandlers, liveHandlers, type LiveHandlers } from './handler-list.ts';
export { createSequenceHandler, createSequenceHandlers, SequenceError } from './sequence-handlers.ts';
export { stepAt, type SequenceClaim } from './sequences.ts';
export { networkErrorKindOf, WireCut } from './wire.ts';
export type { UpstreamStats } from './stats.ts';
export { DEFAULT_IDLE_TIMEOUT_MS, MAX_IDLE_TIMEOUT_MS, MIN_IDLE_TIMEOUT_MS } from './idle.ts';

export interface UpstreamOptions {
  /** TCP port on 127.0.0.1; 0 (default) lets the OS choose. */
  port?: number;
  /** Seed of the account set (same as the relay's) and default seed of fault selection. */
  seed: number;
  /** Size of the account set (same as the relay's). */
  accounts: number;
  /** Initial fault plan (validated; PlanError on bad input). Default: no faults. */
  plan?: FaultPlan;
  /** Tokens per completion: the response size knob. Default 16. */
  completionTokens?: number;
  /** Delay between SSE chunks. Default 0 (whole stream at once). */
  tokenIntervalMs?: number;
  /**
   * How long an idle keep-alive client connection stays open (idle.ts). Default
   * 5 minutes, like a real provider: a target's pinned sockets stay pinned.
   */
  idleTimeoutMs?: number;
  /** Serve the plain 200 completion without msw (see bridge.ts). Default true. */
  fastPath?: boolean;
  /** Unexpected handler errors; default prints the message to stderr. */
  onError?: (error: unknown) => void;
}

export interface Upstream {
  readonly url: string;
  readonly port: number;
  stats(): UpstreamStats;
  /** Replaces the plan (PlanError on bad input); windows and sequences restart now. */
  setPlan(plan: FaultPlan): void;
  plan(): FaultPlan;
  resetStats(): void;
  /** Stops listening and destroys every socket, stalled ones included; never hangs. */
  close(): Promise<void>;
}

function defaultOnError(error: unknown): void {
  process.stderr.write(`upstream: handler error: ${error instanceof Error ? error.message : String(error)}\n`);
}

export async function startUpstream(options: UpstreamOptions): Promise<Upstream> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port: expected an integer in [0, 65535], got ${port}`);
  }
  const idleTimeoutMs = checkIdleTimeout(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  const content: { completionTokens?: number; tokenIntervalMs?: number } = {};
  if (options.completionTokens !== undefined) content.completionTokens = options.completionTokens;
  if (options.tokenIntervalMs !== undefined) content.tokenIntervalMs = options.tokenIntervalMs;
  const engine = new UpstreamEngine({
    seed: options.seed,
    accounts: options.accounts,
    ...(options.plan ? { plan: options.plan } : {}),
    content,
  });
  const handlers = liveHandlers(engine);
  const bridge = createBridge({
    engine,
    handlers: handlers.current,
    fastPath: options.fastPath ?? true,
    onError: options.onError ?? defaultOnError,
  });
  const { server } = bridge;
  applyIdleTimeout(server, idleTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: HOST }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${HOST}:${actualPort}`,
    port: actualPort,
    stats: () => engine.stats.snapshot(),
    setPlan: (plan) => engine.setPlan(plan),
    plan: () => engine.plan,
    resetStats: () => engine.stats.reset(),
    close() {
      closed ??= new Promise<void>((resolve) => {
        handlers.dispose();
        server.close(() => resolve());
        bridge.destroyAll();
      });
      return closed;
    },
  };
}
