// The wire protocol between the probe (inside the target) and the harness's
// probe client. Types only: probe.ts imports this with `import type`, so the
// measured process never loads this module at run time.
//
// Framing: newline-delimited JSON over a Unix domain socket, one request or
// response per line. Requests carry a caller-chosen `id` that the response
// echoes; responses to different requests may arrive out of order (a
// checkpoint waits an event-loop turn between its two GCs).

import type { AllocationSite, AllocationSites, Counts, MemoryFigures, ProbeSample } from '../records.ts';

export type ProbeOp = 'sample' | 'checkpoint' | 'info' | 'sites';

export interface ProbeRequest {
  id: number;
  op: ProbeOp;
  /** `sites`: the sampling heap profiler's interval, bytes (one sample per that many allocated bytes on average); 0 stops it. */
  intervalBytes?: number;
}

/** Answer to `sites`: whether the sampling heap profiler runs (it keeps running once started). */
export interface ProbeSitesStatus {
  active: boolean;
  intervalBytes: number;
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
