// The wire protocol between the probe (inside the target) and the harness's
// probe client. Types only: probe.ts imports this with `import type`, so the
// measured process never loads this module at run time.
//
// Framing: newline-delimited JSON over a Unix domain socket, one request or
// response per line. Requests carry a caller-chosen `id` that the response
// echoes; responses to different requests may arrive out of order (a
// checkpoint waits an event-loop turn between its two GCs).

import type { AllocationSite, AllocationSites, Counts, MemoryFigures, ProbeSample } from '../records.ts';

export type ProbeOp = 'sample' | 'checkpoint' | 'info' | 'sites' | 'profile' | 'snapshot' | 'handles';

export interface ProbeRequest {
  id: number;
  op: ProbeOp;
  /** `sites`: the sampling heap profiler's interval, bytes (one sample per that many allocated bytes on average); 0 stops it. */
  intervalBytes?: number;
  /**
   * `sites`: also keep the samples of objects the GC has collected (V8's
   * includeObjectsCollectedByMajorGC/MinorGC): bytes *allocated* by site, pprof's
   * cumulative view, for churn that retains nothing. Restarts a running profiler
   * in the asked mode. Default false (live bytes only).
   */
  includeCollected?: boolean;
  /** `snapshot`: absolute path of the .heapsnapshot file to write. */
  path?: string;
}

/** Answer to `snapshot`: the heap snapshot the probe wrote (v8.writeHeapSnapshot: a full GC first, the loop blocked throughout). */
export interface ProbeSnapshot {
  path: string;
  bytes: number;
  /** heapUsed right after writing (the snapshot's own GC ran). */
  heapUsed: number;
  ms: number;
}

/** One group of libuv handles from process.report (type, ref'd or not, and the endpoint that tells them apart). */
export interface ProbeHandleGroup {
  type: string;
  referenced: boolean;
  /** `remote 127.0.0.1:41234` for a socket the target opened, `clients of :8080` for one it accepted, `local 127.0.0.1:8080` for a server, '' otherwise. */
  endpoint: string;
  count: number;
}

/** Answer to `handles`: the target's libuv handles (the probe's own Unix sockets left out), grouped. */
export interface ProbeHandles {
  total: number;
  groups: ProbeHandleGroup[];
  ms: number;
}

/** Answer to `sites`: whether the sampling heap profiler runs (it keeps running once started). */
export interface ProbeSitesStatus {
  active: boolean;
  intervalBytes: number;
  /** True when collected objects are kept too (allocation profile, not live bytes). */
  includeCollected?: boolean;
  /** Why it could not start (no inspector in this build, a session refused). */
  error?: string;
}

/** Live bytes by allocation site (records.ts AllocationSites): the probe's half. */
export type ProbeSites = AllocationSites;
export type ProbeSite = AllocationSite;

/** Error codes the probe itself answers with (the client wraps them in SOAK_ERR_PROBE_REMOTE). */
export type ProbeRemoteErrorCode =
  | 'SOAK_ERR_BAD_REQUEST' // not JSON, not an object, or `id` missing
  | 'SOAK_ERR_UNKNOWN_OP'
  | 'SOAK_ERR_LINE_TOO_LONG' // the connection is closed after this one
  | 'SOAK_ERR_GC_UNAVAILABLE' // the --expose-gc trick failed: no forced GC, no checkpoint
  | 'SOAK_ERR_INTERNAL';

export interface ProbeErrorBody {
  code: ProbeRemoteErrorCode;
  message: string;
}

export type ProbeResponse =
  | { id: number; ok: true; data: unknown }
  | { id: number | null; ok: false; error: ProbeErrorBody };

/** Answer to `checkpoint`: the probe's half of a harness Checkpoint record. */
export interface ProbeCheckpoint {
  /** Memory just before the forced GCs. */
  preGcMemory: MemoryFigures;
  /** Memory after gc(); 5 event-loop turns; gc(); 5 turns (see SETTLE_TURNS in probe.ts). */
  memory: MemoryFigures;
  /** Used bytes per V8 heap space at the same moment, spaces at 0 left out (records.ts Checkpoint.heapSpaces). */
  heapSpaces?: Counts;
  resourcesBeforeGc: Counts;
  resourcesAfterGc: Counts;
  /** Cumulative, including the two GCs this checkpoint forced. */
  gc: ProbeSample['gc'];
  allocatedBytes: number;
  /** Wall time of the two forced GCs and the turns after them, ms. */
  forcedGcMs: number;
  /** Live bytes by allocation site, once `sites` started the sampling heap profiler. */
  sites?: ProbeSites;
}

/** Answer to `info`. */
export interface ProbeInfo {
  pid: number;
  nodeVersion: string;
  /** Values of options named like a key, token, secret, password or auth are replaced by `<redacted>`. */
  execArgv: string[];
  argv: string[];
  /** True when the target itself was started with --expose-gc (globalThis.gc existed at load). */
  exposeGc: boolean;
  /** True when the probe can force a GC (natively or through the vm trick). */
  gcAvailable: boolean;
  /**
   * File descriptors the probe itself holds right now (its listening socket and
   * its accepted connections). Pass them to readProc's `excludeFds` so /proc fd
   * counts show the target's own descriptors only. None of them is TCP.
   */
  ownFds: number[];
  /** monitorEventLoopDelay resolution, ms: delays below it are not measurable. */
  eventLoopResolutionMs: number;
  /** v8's heap_size_limit: where a growing heap ends in an OOM (verdict projections). */
  heapSizeLimit: number;
}
