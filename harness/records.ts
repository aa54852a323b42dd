// The records a soak run writes to its run folder, one JSON object per line.
// This file is the contract between the sampler (writer), the verdict code
// and reports/ (readers): change it deliberately, and bump RECORD_VERSION.
//
// Run folder layout (reports/runs/<run-id>/ by default):
//   run.json            RunMeta, written at start and rewritten at the end
//   samples.ndjson      ContinuousSample, every 250 ms–5 s (--sample-interval, default 2 s)
//   checkpoints.ndjson  Checkpoint, at drained post-GC checkpoints
//   events.ndjson       RunEvent: phase changes, warnings, outcome
//   summary.json        written at the end (absent when the harness was killed)

export const RECORD_VERSION = 1;

/** Counts keyed by a type or state name, e.g. { TCPSocketWrap: 3, Timeout: 2 }. */
export type Counts = Record<string, number>;

export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** What the probe inside the target answers to a `sample` request. */
export interface ProbeSample {
  memory: MemoryFigures;
  /** process.getActiveResourcesInfo() counted by type (misses unref'd handles). */
  resources: Counts;
  /** Event-loop delay since the previous sample, in milliseconds. */
  eventLoopDelay: { p50: number; p99: number; max: number; mean: number };
  /** Cumulative process CPU time, microseconds. */
  cpu: { user: number; system: number };
  /** Cumulative GC figures since the probe loaded. */
  gc: { count: number; timeMs: number; majorCount: number };
  /** Cumulative bytes allocated on the JS heap since the probe loaded (estimate). */
  allocatedBytes: number;
}

/** What /proc says about the target: works for any process, Node or not. */
export interface ProcSample {
  rss: number;
  fds: number;
  threads: number;
  /** TCP sockets owned by the process, by state (ESTABLISHED, CLOSE_WAIT, ...). */
  tcp: Counts;
  /**
   * ESTABLISHED sockets of the process with bytes it has not read (/proc/net/tcp
   * rx_queue > 0), and those bytes: a socket pinned by an unread body. Read
   * with the TCP states (absent when they were skipped, and in older runs).
   */
  unread?: UnreadSockets;
  /** Cumulative CPU time, microseconds (utime/stime). */
  cpu: { user: number; system: number };
}

/** See ProcSample.unread. */
export interface UnreadSockets {
  sockets: number;
  bytes: number;
}

export interface LoadWindow {
  /** Requests completed in the window (all statuses). */
  requests: number;
  reqPerSec: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** By status class; a 2xx whose body failed verification is counted in `mismatches`, not here. */
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Requests with no (complete) response: connection errors, cut responses and timeouts (not in `requests`). */
  errors: number;
  /** The part of `errors` that were client-side timeouts. */
  timeouts: number;
  /** Bodies that failed verification (truncated or malformed passed through as 2xx); counted in `requests`. */
  mismatches: number;
  /** Lasting harness triggers in progress when the window closed (the sample's instant), by event name; absent when none. */
  running?: Record<string, number>;
}

export interface ContinuousSample {
  kind: 'sample';
  /** ms since run start (monotonic). */
  t: number;
  phase: string;
  proc: ProcSample | null;
  probe: ProbeSample | null;
  /** Flattened gauges from the relay's /metrics (name{labels} → value), when it has one. */
  relay: Record<string, number> | null;
  load: LoadWindow | null;
  /** Cumulative injected-fault counts from the upstream, by kind. */
  faults: Counts | null;
  requestsCompleted: number;
}

export interface Checkpoint {
  kind: 'checkpoint';
  seq: number;
  t: number;
  phase: string;
  /** Cumulative completed requests at the checkpoint (the x axis of verdicts). */
  requestsCompleted: number;
  /** Cumulative triggering events (upstream fault counts by kind, plus harness-side events). */
  events: Counts;
  /** How long the drain took before the GC, ms. */
  drainMs: number;
  /** Post-GC (twice, with an event-loop turn between) memory. */
  memory: MemoryFigures;
  /** Memory just before the forced GC. */
  preGcMemory: MemoryFigures;
  /**
   * Post-GC used bytes per V8 heap space (v8.getHeapSpaceStatistics: old_space,
   * code_space for JIT code, trusted_space for bytecode on Node 24, …; spaces at
   * 0 left out): what part of heapUsed moved. Absent in older runs and without
   * a probe.
   */
  heapSpaces?: Counts;
  resourcesBeforeGc: Counts;
  resourcesAfterGc: Counts;
  fds: number;
  tcp: Counts;
  /** ESTABLISHED sockets with unread bytes after the drain (ProcSample.unread); absent in older runs. */
  unread?: UnreadSockets;
  relay: Record<string, number> | null;
  /** Cumulative GC figures, including the two GCs this checkpoint forced. */
  gc: { count: number; timeMs: number; majorCount?: number };
  /** Wall time of the forced GCs and the event-loop turns after them, ms. */
  forcedGcMs?: number;
  allocatedBytes: number;
  /** True when the target has no probe: memory then holds /proc rss only. */
  procOnly: boolean;
  /** A Go target's net/http/pprof at the checkpoint (--target-pprof); absent when it has none. */
  pprof?: PprofCheckpoint | null;
  /** The harness's own process at the checkpoint (sampler/self.ts); absent in older runs. */
  harness?: HarnessSelfSample;
  /** Live bytes by allocation site from the probe's sampling heap profiler (--heap-sampling); absent when off. */
  sites?: AllocationSites;
  /** The target's TCP sockets by peer (sampler/proc.ts socketPeers), most first; absent in older runs. */
  peers?: SocketPeer[];
}

/** The target's non-LISTEN TCP sockets with one peer at a checkpoint. */
export interface SocketPeer {
  /** `clients of :8080` (accepted on a port the target listens on) or the remote `127.0.0.1:41234 (fake upstream)`. */
  peer: string;
  sockets: number;
  states: Counts;
  /** ESTABLISHED sockets holding unread bytes (rx_queue > 0), and those bytes. */
  unreadSockets: number;
  unreadBytes: number;
}

/**
 * Live bytes by allocation site at a checkpoint, from V8's sampling heap
 * profiler (live objects only), read after the forced GCs and after the
 * memory figures were taken (reading it allocates in the target's heap).
 */
export interface AllocationSites {
  intervalBytes: number;
  /** Collected objects kept too: bytes allocated by site since the profiler started (an allocation profile), not live bytes. */
  includeCollected?: boolean;
  /** Sum of every sampled live allocation, bytes (an estimate of the heap the profiler saw). */
  totalBytes: number;
  /** Distinct (frame, allocating frame) pairs in the profile. */
  siteCount: number;
  /** The largest sites, most live bytes first. */
  top: AllocationSite[];
  /** Time to read and fold the profile, ms. */
  readMs: number;
}

export interface AllocationSite {
  /** `function (file:line)` of the innermost frame in the target's own code (not node:, not node_modules), or the allocating frame when there is none. */
  frame: string;
  /** `function (file:line)` of the frame that allocated (a builtin like `JSON.parse` or `(V8 API)` included). */
  alloc: string;
  bytes: number;
  /** Sampled allocations still live at this site. */
  samples: number;
}

/** The harness process at a checkpoint: judged apart from the target (verdict/harness-self.ts). */
export interface HarnessSelfSample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** process.getActiveResourcesInfo().length: sockets, timers, child-process pipes. */
  handles: number;
  /** Open fds from /proc/self/fd, null where unreadable. */
  fds: number | null;
  /** Whether a full GC ran first (false: the heap figures include garbage). */
  gc: boolean;
}

/** One allocation site of a Go heap profile (harness/sampler/pprof-profile.ts heapSummary). */
export interface PprofHeapSite {
  /** `function (dir/file.go:line)` of the allocating (leaf) frame. */
  site: string;
  function: string;
  file: string;
  line: number;
  inuseBytes: number;
  inuseObjects: number;
  /** The frames below the leaf, at most 4. */
  callers: string[];
}

/** /debug/pprof at a drained checkpoint: the goroutine count and the in-use heap per site (after a GC: `?gc=1`). */
export interface PprofCheckpoint {
  /** `goroutine profile: total N` of /debug/pprof/goroutine?debug=1. */
  goroutines: number | null;
  heap: { inuseBytes: number; inuseObjects: number; siteCount: number; sites: PprofHeapSite[] } | null;
  /** Why a part is null (the endpoint failed or answered something else). */
  error?: string;
}

export type RunOutcome =
  | { status: 'completed' }
  | { status: 'interrupted'; signal: string }
  | { status: 'target-crashed'; exitCode: number | null; signal: string | null; stderrTail: string[] }
  | { status: 'failed'; error: string; code: string };

export interface RunEvent {
  kind: 'event';
  t: number;
  type: 'phase' | 'warning' | 'checkpoint-skipped' | 'outcome' | 'info';
  message: string;
  data?: unknown;
}
