// The harness side of the probe protocol (harness/probe/protocol.ts): one
// Unix-socket connection to the probe inside the target, newline-delimited
// JSON requests matched to responses by id, a timeout per request.
//
// A timed-out request leaves the connection usable (its late answer is
// dropped): a target whose event loop is blocked for a while answers later,
// and the next sample should still work. A lost connection fails every
// pending and later request with SOAK_ERR_PROBE_UNAVAILABLE; reconnect with
// waitForProbe.

import { createConnection, type Socket } from 'node:net';
import type { ProbeSample } from '../records.ts';
import type { ProbeCheckpoint, ProbeHandles, ProbeInfo, ProbeOp, ProbeResponse, ProbeSites, ProbeSitesStatus, ProbeSnapshot } from '../probe/protocol.ts';
import { SamplerError } from './errors.ts';

export interface ProbeClientOptions {
  /** Per-request timeout for sample and info, and the connect timeout, ms. Default 5 000. */
  timeoutMs?: number;
  /** Timeout of a checkpoint (two full GCs of a possibly large heap), ms. Default max(timeoutMs, 30 000). */
  checkpointTimeoutMs?: number;
}

export interface ProbeClient {
  sample(): Promise<ProbeSample>;
  checkpoint(): Promise<ProbeCheckpoint>;
  info(): Promise<ProbeInfo>;
  /** Starts the probe's sampling heap profiler (idempotent): later checkpoints carry live bytes by site. 0 stops it. */
  sites(intervalBytes: number, options?: { includeCollected?: boolean }): Promise<ProbeSitesStatus>;
  /** The sampling profile as it stands (no GC first); null when the profiler is off. */
  profile(): Promise<ProbeSites | null>;
  /** The target writes a heap snapshot to `path` (absolute, .heapsnapshot). Never inside a judged window. */
  snapshot(path: string, timeoutMs?: number): Promise<ProbeSnapshot>;
  /** The target's libuv handles grouped by type, ref'd or not and endpoint (process.report). */
  handles(): Promise<ProbeHandles>;
  /** Ends the connection; pending requests fail with SOAK_ERR_PROBE_UNAVAILABLE. */
  close(): Promise<void>;
  readonly closed: boolean;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_CHECKPOINT_TIMEOUT_MS = 30_000;
/** A 169 MB heap took 7.2 s to snapshot (field notes); a few GB would take minutes. */
const SNAPSHOT_TIMEOUT_MS = 180_000;
/** Answers are a few KB; a longer line means the peer is not our probe. */
const MAX_RESPONSE_CHARS = 1024 * 1024;

interface Pending {
  op: ProbeOp;
  resolve: (data: unknown) => void;
  reject: (error: SamplerError) => void;
  timer: NodeJS.Timeout;
}

function positiveMs(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name}: expected a positive number of ms, got ${String(value)}`);
  return value;
}

/** Opens a connection, or fails with SOAK_ERR_PROBE_UNAVAILABLE (no socket, nobody listening) or SOAK_ERR_PROBE_TIMEOUT. */
export function connectProbe(socketPath: string, options: ProbeClientOptions = {}): Promise<ProbeClient> {
  const timeoutMs = positiveMs(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const checkpointTimeoutMs = positiveMs(
    options.checkpointTimeoutMs,
    Math.max(timeoutMs, DEFAULT_CHECKPOINT_TIMEOUT_MS),
    'checkpointTimeoutMs',
  );
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path: socketPath });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SamplerError('SOAK_ERR_PROBE_TIMEOUT', `probe at ${socketPath} did not accept within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SamplerError('SOAK_ERR_PROBE_UNAVAILABLE', `no probe at ${socketPath}: ${error.code ?? error.message}`, { cause: error }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new Connection(socket, socketPath, timeoutMs, checkpointTimeoutMs));
    });
  });
}

class Connection implements ProbeClient {
  readonly #socket: Socket;
  readonly #socketPath: string;
  readonly #timeoutMs: number;
  readonly #checkpointTimeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #closedPromise: Promise<void>;
  #nextId = 1;
  #buffered = '';
  #failure: SamplerError | null = null;

  constructor(socket: Socket, socketPath: string, timeoutMs: number, checkpointTimeoutMs: number) {
    this.#socket = socket;
    this.#socketPath = socketPath;
    this.#timeoutMs = timeoutMs;
    this.#checkpointTimeoutMs = checkpointTimeoutMs;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.#fail(new SamplerError('SOAK_ERR_PROBE_UNAVAILABLE', `connection to probe at ${socketPath} failed: ${error.code ?? error.message}`, { cause: error })),
    );
    this.#closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.#fail(new SamplerError('SOAK_ERR_PROBE_UNAVAILABLE', `probe at ${socketPath} closed the connection`));
        resolve();
      }),
    );
  }

  get closed(): boolean {
    return this.#failure !== null;
  }

  sample(): Promise<ProbeSample> {
    return this.#request('sample', this.#timeoutMs, isSample);
  }

  checkpoint(): Promise<ProbeCheckpoint> {
    return this.#request('checkpoint', this.#checkpointTimeoutMs, isCheckpoint);
  }

  info(): Promise<ProbeInfo> {
    return this.#request('info', this.#timeoutMs, isInfo);
  }

  sites(intervalBytes: number, options: { includeCollected?: boolean } = {}): Promise<ProbeSitesStatus> {
    return this.#request('sites', this.#timeoutMs, isSitesStatus, { intervalBytes, ...(options.includeCollected ? { includeCollected: true } : {}) });
  }

  profile(): Promise<ProbeSites | null> {
    return this.#request('profile', this.#checkpointTimeoutMs, isProfile);
  }

  /** A heap snapshot written by the target itself; seconds for a large heap, hence its own timeout. */
  snapshot(path: string, timeoutMs = SNAPSHOT_TIMEOUT_MS): Promise<ProbeSnapshot> {
    return this.#request('snapshot', timeoutMs, isSnapshot, { path });
  }

  handles(): Promise<ProbeHandles> {
    return this.#request('handles', this.#timeoutMs, isHandles);
  }

  close(): Promise<void> {
    this.#fail(new SamplerError('SOAK_ERR_PROBE_UNAVAILABLE', `probe client for ${this.#socketPath} was closed`));
    this.#socket.end();
    // A peer that never acknowledges the FIN must not hold close() forever.
    const force = setTimeout(() => this.#socket.destroy(), this.#timeoutMs).unref();
    return this.#closedPromise.finally(() => clearTimeout(force));
  }

  #request<T>(op: ProbeOp, timeoutMs: number, isExpected: (data: unknown) => data is T, params: object = {}): Promise<T> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SamplerError('SOAK_ERR_PROBE_TIMEOUT', `probe at ${this.#socketPath} did not answer "${op}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        op,
        timer,
        reject,
        resolve: (data) => {
          if (isExpected(data)) resolve(data);
          else reject(new SamplerError('SOAK_ERR_PROBE_PROTOCOL', `probe at ${this.#socketPath} answered "${op}" with an unexpected shape`));
        },
      });
      this.#socket.write(`${JSON.stringify({ ...params, id, op })}\n`);
    });
  }

  #onData(chunk: string): void {
    this.#buffered += chunk;
    let newline: number;
    while ((newline = this.#buffered.indexOf('\n')) !== -1) {
      const line = this.#buffered.slice(0, newline);
      this.#buffered = this.#buffered.slice(newline + 1);
      this.#onLine(line);
      if (this.#failure !== null) return;
    }
    if (this.#buffered.length > MAX_RESPONSE_CHARS) this.#protocolError(`a response line over ${MAX_RESPONSE_CHARS} chars`);
  }

  #onLine(line: string): void {
    let response: ProbeResponse;
    try {
      response = JSON.parse(line) as ProbeResponse;
    } catch {
      this.#protocolError('a line that is not JSON');
      return;
    }
    if (typeof response !== 'object' || response === null || typeof response.ok !== 'boolean') {
      this.#protocolError('a line that is not a response');
      return;
    }
    if (response.id === null) {
      // The probe could not read one of our requests: the stream is out of step.
      this.#protocolError(`an error without an id (${response.ok ? '' : response.error?.code})`);
      return;
    }
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return; // answer to a request that already timed out
    this.#pending.delete(response.id);
    clearTimeout(pending.timer);
    if (response.ok) {
      pending.resolve(response.data);
    } else {
      const code = String(response.error?.code ?? 'SOAK_ERR_UNKNOWN');
      pending.reject(
        new SamplerError('SOAK_ERR_PROBE_REMOTE', `probe at ${this.#socketPath} failed "${pending.op}": ${code}: ${String(response.error?.message)}`, {
          remoteCode: code,
        }),
      );
    }
  }

  #protocolError(what: string): void {
    this.#fail(new SamplerError('SOAK_ERR_PROBE_PROTOCOL', `probe at ${this.#socketPath} sent ${what}`));
    this.#socket.destroy();
  }

  /** Fails every pending request and all later ones with `error` (the first failure wins). */
  #fail(error: SamplerError): void {
    if (this.#failure === null) this.#failure = error;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(this.#failure);
    }
    this.#pending.clear();
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isSample(data: unknown): data is ProbeSample {
  return isObject(data) && isObject(data.memory) && isObject(data.resources) && isObject(data.gc) && typeof data.allocatedBytes === 'number';
}

function isCheckpoint(data: unknown): data is ProbeCheckpoint {
  return isObject(data) && isObject(data.memory) && isObject(data.preGcMemory) && isObject(data.resourcesAfterGc) && isObject(data.gc);
}

function isSitesStatus(data: unknown): data is ProbeSitesStatus {
  return isObject(data) && typeof data.active === 'boolean' && typeof data.intervalBytes === 'number';
}

function isProfile(data: unknown): data is ProbeSites | null {
  return data === null || (isObject(data) && typeof data.totalBytes === 'number' && Array.isArray(data.top));
}

function isSnapshot(data: unknown): data is ProbeSnapshot {
  return isObject(data) && typeof data.path === 'string' && typeof data.bytes === 'number';
}

function isHandles(data: unknown): data is ProbeHandles {
  return isObject(data) && typeof data.total === 'number' && Array.isArray(data.groups);
}

function isInfo(data: unknown): data is ProbeInfo {
  return isObject(data) && typeof data.pid === 'number' && Array.isArray(data.ownFds);
}

export interface WaitForProbeOptions extends ProbeClientOptions {
  /** Pause between attempts, ms. Default 50. */
  intervalMs?: number;
  /** Abort waiting (e.g. when the target exits): rejects with SOAK_ERR_PROBE_UNAVAILABLE. */
  signal?: AbortSignal;
}

/**
 * Connects once the target has created the socket and its probe answers
 * `info`, retrying until `deadline` (an absolute Date.now() time in ms).
 * Fails with SOAK_ERR_PROBE_UNAVAILABLE when the deadline passes or `signal` aborts.
 */
export async function waitForProbe(socketPath: string, deadline: number, options: WaitForProbeOptions = {}): Promise<ProbeClient> {
  const intervalMs = positiveMs(options.intervalMs, 50, 'intervalMs');
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted) {
      throw new SamplerError('SOAK_ERR_PROBE_UNAVAILABLE', `stopped waiting for the probe at ${socketPath}`, { cause: options.signal.reason });
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new SamplerError('SOAK_ERR_PROBE_UNAVAILABLE', `no probe answered at ${socketPath} before the deadline`, { cause: lastError });
    }
    try {
      const client = await connectProbe(socketPath, { ...options, timeoutMs: Math.min(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, remaining) });
      try {
        await client.info(); // listening is not enough: the probe must answer
        return client;
      } catch (error) {
        await client.close();
        throw error;
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
