// The catalog of switchable bugs ("leaks") the relay can be started with:
// the ONE definition of every variant. The CLI validates `--leak` against it,
// `--leak list` prints it, relay/leaks/README.md is rendered from it
// (render-readme.ts; a test fails when the committed file drifts), and the
// harness reads each entry's `cost` from here, never from the document.
//
// An entry states facts about its bug: what it keeps or spends, how much per
// which event, how long that lasts, how the figure was measured. How a run is
// judged against those facts (which verdict signal, what kind of evidence,
// what tolerance) is the harness's decision, not the relay's
// (harness/judge/signatures.ts).
//
// Each variant's code lives next to the fixed code it replaces and runs only
// when its flag (flags.ts, computed once at start) is set. With no leak
// selected, no variant code runs.

import { ConfigError } from '../errors.ts';

/**
 * The resources a variant can keep or spend, in the relay's terms, each with
 * its unit (the unit of `perEvent`) and what it means. The README's legend.
 */
export const LEAK_RESOURCES = {
  heap: { unit: 'bytes', meaning: 'JS objects kept reachable on the V8 heap (what survives a full GC)' },
  'external-buffers': { unit: 'bytes', meaning: 'Buffer / ArrayBuffer memory outside the V8 heap kept reachable (e.g. cached response bodies)' },
  fds: { unit: 'count', meaning: 'open file descriptors held by the relay process' },
  timers: { unit: 'count', meaning: "armed, ref'd timers and intervals (setTimeout / setInterval)" },
  'upstream-sockets': { unit: 'count', meaning: 'TCP connections from the relay to the upstream held open' },
  allocation: { unit: 'bytes', meaning: "bytes allocated and dropped again: nothing is kept, the cost is the GC's work" },
} as const satisfies Readonly<Record<string, { readonly unit: 'bytes' | 'count'; readonly meaning: string }>>;

export type LeakResource = keyof typeof LEAK_RESOURCES;

/** What a variant's bug costs: facts about the bug, measured. */
export interface LeakCost {
  /** The resource kept or spent. */
  readonly what: LeakResource;
  /** Cost per event, in the resource's unit (LEAK_RESOURCES: bytes or a count). Per account when `perAccount`. */
  readonly perEvent: number;
  /** perEvent is multiplied by the relay's account count (costs ∝ N: seed 000). */
  readonly perAccount?: boolean;
  /** The cumulative counter in a checkpoint's `events` (mock fault kinds, harness load events, or `requests`). */
  readonly event: string;
  /** How long the cost lasts once paid. Absent: kept while the relay process lives (`allocation`: nothing is kept). */
  readonly lasts?: string;
  /** How perEvent was obtained (the bench or test that measured it, and what it read). */
  readonly basis: string;
}

export type ScenarioName = 'health-scan' | 'error-answers' | 'error-storm' | 'error-stalls' | 'stream-abort' | 'account-churn' | 'cache-churn' | 'retry-storm' | 'quota-wall' | 'sink-stall' | 'stall-burst' | 'mixed';

export interface LeakEntry {
  /** The name used on the CLI: `--leak <name>`. */
  readonly name: string;
  /** One line: what is kept that should not be. */
  readonly summary: string;
  /** Which relay feature it lives in (idempotency cache, scheduler, ...). */
  readonly area: string;
  /** The real-world incident it reproduces (or, for a project addition, the failure mode). */
  readonly incident: string;
  /** Where the variant comes from: a mechanism of one write-up in ../shared/seeds/, or this project. */
  readonly provenance: Provenance;
  /**
   * How the default build's fix differs from the incident's own fix, and why.
   * Absent: the relay fixes it the way the write-up does.
   */
  readonly departs?: string;
  /**
   * The figures of a `prove` run of this variant (leaky vs fixed), quoted from
   * its output with the command and date. Absent: not yet measured.
   */
  readonly proofFigure?: string;
  /** The bug, in Node terms, where it sits in the relay. */
  readonly mechanism: string;
  /** The fixed code (the default build). */
  readonly fix: string;
  /** What drives the leaking path. */
  readonly trigger: string;
  /** What an observer sees: metrics, handles, memory. */
  readonly observable: string;
  /** /metrics series that show it (present in the fixed build too). */
  readonly metrics: readonly string[];
  /** The scenario that exercises it. */
  readonly scenario: ScenarioName;
  /** What the bug keeps or spends per triggering event. */
  readonly cost: LeakCost;
}

/** The incident write-ups in ../shared/seeds/, by file name. */
export const SEED_FILES = [
  '000_4af280c421d85c01.txt',
  '001_697776c2ac553171.txt',
  '002_0b0d1dfdb857f888.txt',
  '003_6c3e0f85ccc9c2fd.txt',
  '004_2c585e51286a9617.txt',
] as const;

export type SeedFile = (typeof SEED_FILES)[number];

/**
 * Where a variant comes from. `item` is the write-up's own label for the
 * mechanism, spelled exactly as it appears in the seed's text (001 numbers its
 * items P0-1 … P2-10; the others are quoted by a short section or function
 * name), so a reader can find it and a test can check it is there.
 * `projectAddition`: no incident describes it; the text says why it is kept.
 */
export type Provenance =
  | { readonly seed: SeedFile; readonly item: string }
  | { readonly projectAddition: string };

const [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004] = SEED_FILES;

export const LEAK_CATALOG: readonly LeakEntry[] = [
  {
    name: 'account-clone',
    summary: 'management lookup by auth_index deep-clones every account, then scans',
    area: 'management API',
    incident: 'CLIProxyAPI #2251: authByIndex → Manager.List() clones every auth to find one',
    provenance: { seed: SEED_000, item: '热点 1' },
    departs: 'the write-up\'s fix (修复 1, GetByIndex) still walks every auth under the read lock and clones only the match; the relay looks the index up in an auth_index → index map kept with the pool, so the lookup is O(1) as well as one clone: at 100 000 accounts a walk per management call is still CPU the health scan pays N times over',
    mechanism: 'POST api-call and GET accounts/:auth_index find the account through listClones(): a structuredClone of every account record plus its per-model state, then a linear scan for the auth_index. Nothing is kept; each lookup allocates N clones.',
    fix: 'the auth_index → index map; only the match is cloned (one clone per lookup, whatever N)',
    trigger: 'management api-call / account lookups (the health-scan scenario calls api-call once per account)',
    observable: 'relay_account_clones_total grows by N per lookup (1 when fixed); bytes allocated per lookup ∝ N, GC time and event-loop delay during scans; retained heap flat',
    metrics: ['relay_account_clones_total'],
    scenario: 'health-scan',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, health-scan, 90 s per run): allocated bytes/request fixed/leaky 0.019 [0.012, 0.027]; heapUsed INCONCLUSIVE 28.2 B/request [18.3, 42.0] leaky (a churn bug allocates, it does not retain) → NO-LEAK 1.5 [−12.9, 10.0] fixed (δ 64); service no worse; PROOF HOLDS in 2 min 06 s',
    cost: { what: 'allocation', perEvent: 3_000, perAccount: true, event: 'api-call', basis: 'bench/leak-costs.ts: retained size of one account clone, 2 975 B with the generated ~2 KB metadata (Node 24.21)' },
  },
  {
    name: 'error-body',
    summary: '429/503 error body read under a deadline, early return leaves it unconsumed: the socket stays pinned',
    area: 'upstream error path',
    incident: 'one-api fork: RelayErrorHandler returns on a read error before `defer resp.Body.Close()`; 30-minute timeouts',
    provenance: { seed: SEED_002, item: 'RelayErrorHandler' },
    departs: 'the write-up closes the body with a `defer` moved first and lowers the 30-minute timeouts to 15 minutes (headers and overall, kept for its 10-minute responses); the relay reads up to the cap and destroys the body on every exit, and runs 60 s headers/body timeouts: undici\'s bodyTimeout is an inactivity timeout (a long stream that keeps sending is not cut) and the fake upstream answers in seconds, so 15 minutes would only lengthen what a stalled error body holds. A deployment with non-stream responses slower than 60 s to their headers raises --headers-timeout, as the write-up did',
    mechanism: 'the chat error path reads the 429/5xx body with readErrorBodyPreFix(): up to the cap or a 1 s deadline, then returns what it has and stops reading, without consuming or destroying the body. undici keeps a connection whose unread body is ≥ 64 KiB busy (pool running) and bodyTimeout does not fire while the body is paused; the pool runs with the pre-fix 30-minute headers/body timeouts.',
    fix: 'readCapped(): read up to the cap, then destroy, always (every exit path, the 1-s error-body deadline included: see error-body-read-fail); 60 s headers/body timeouts',
    trigger: 'upstream 429/503 with a large (≥ 256 KiB: 429-large, 503-large) or stalled error body',
    observable: '+1 upstream socket per large error body: an fd, relay_upstream_pool{field="running"}, a TCP connection ESTABLISHED and then CLOSE_WAIT once the upstream gives up on it (the relay never reads up to the FIN), so the fd is what lasts. At --upstream-connections the pins stop adding and the pending queue grows instead (relay_upstream_pool{field="pending"}): throughput collapses, and the cost adds up per event only under a cap above the storm\'s large-body count',
    metrics: ['relay_upstream_pool{field="running"}', 'relay_upstream_pool{field="pending"}', 'relay_upstream_pool{field="connected"}'],
    scenario: 'error-storm',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, error-storm, 90 s per run): fds LEAK Δ 1 398, 1.57 per 429-large [1.55, 1.59] leaky → NO-LEAK Δ 0 fixed; heapUsed 1 160 → 7.0 B/request, external 21 144 → 0.0; service no worse; PROOF HOLDS in 2 min 00 s',
    cost: { what: 'fds', perEvent: 1, event: '429-large', lasts: 'while the relay lives (30-minute timeouts do not fire on a paused body)', basis: 'relay/test/leaks-upstream.test.ts: exactly K running upstream connections after K large 429s; an error-storm run held +127 fds at the 128-socket cap, ESTABLISHED turning to CLOSE_WAIT' },
  },
  {
    name: 'error-body-read-fail',
    summary: 'an error body whose read fails (stalls past the deadline) is returned from without being destroyed: its socket stays pinned',
    area: 'upstream error path',
    incident: 'one-api fork: RelayErrorHandler returns on an io.ReadAll error before `defer resp.Body.Close()` (读取响应体时出错 → 直接return)',
    provenance: { seed: SEED_002, item: 'RelayErrorHandler' },
    departs: 'the write-up moves `defer resp.Body.Close()` first and leaves ReadAll unbounded in time (it ends with the 15-minute request timeout); the relay destroys the body on every exit and gives up on an error body after a 1-s deadline (ERROR_BODY_DEADLINE_MS, both builds), answering from the status and headers: an error body is read only to classify the error, and a stalled one would otherwise hold its socket and its request for the 60-s body inactivity timeout',
    mechanism: 'the chat error path reads the 429/5xx body with readErrorBodyReadFailPreFix(): a body that ends or reaches the cap is handled as the fix does, but a read that FAILS (the 1-s deadline on a stalled body, or a stream error) returns early: listeners off, body paused, nothing destroyed. The message is incomplete, so undici keeps the connection busy with it; this build runs the incident\'s 30-minute body timeout, so the socket, its fd and its upstream slot stay until the upstream gives up on the response. (A stream error has already destroyed the body in undici: in Node the deadline exit is the one that pins.)',
    fix: 'readCapped() with the same deadline: destroyed at the cap, at the deadline and on error, every exit path; 60-s body inactivity timeout',
    trigger: 'upstream 429s whose error body starts and then stalls (429-stall-body)',
    observable: '+1 upstream socket per stalled error body: an fd, relay_upstream_pool{field="running"} and {field="connected"}, a TCP connection ESTABLISHED with the upstream; the upstream counts no client abort for it. Large error bodies do not pin here (destroyed at the cap): that is error-body',
    metrics: ['relay_upstream_pool{field="running"}', 'relay_upstream_pool{field="connected"}', 'relay_upstream_pool{field="pending"}'],
    scenario: 'error-stalls',
    proofFigure: '`npm run soak -- prove error-body-read-fail --no-attribute` (2026-12-06, error-stalls, 90 s per run, --headers-timeout 1000 --upstream-connections 8192): fds LEAK Δ 227 at 1.00 per 429-stall-body [1.00, 1.00] leaky → NO-LEAK Δ 0 fixed (TCP ESTABLISHED likewise); heapUsed 203.6 B/request [187.8, 233.1] LEAK → 21.6 [11.5, 38.8] NO-LEAK; service no worse; PROOF HOLDS in 4 min 34 s',
    cost: { what: 'fds', perEvent: 1, event: '429-stall-body', lasts: 'until the upstream ends the response (the 30-minute body timeout does not fire first)', basis: 'relay/test/leaks-error-stalls.test.ts: exactly K running upstream connections 1.5 s after K stalled 429 bodies were answered, none fixed (and none in this build for 429-large: destroyed at the cap); with the 30-minute body timeout replaced by a 400-ms one the pins are gone by then (undici\'s inactivity timer does fire on a small paused body, unlike a large one whose backpressure paused the socket), so the incident\'s timeout is part of the bug. A throwaway script (`npx node measure.ts error-body-read-fail 200`: upstream in a child process, relay in process, own /proc/self/fd, 2026-12-06, Node 24.21): 200 concurrent stalled 429s → +202 fds leaky, +2 fixed, pool running 200 vs 0: 1.00 fd per event' },
  },
  {
    name: 'headers-timeout',
    summary: 'the incident\'s 30-minute upstream headers timeout: a request whose upstream never answers holds its socket while its client waits',
    area: 'upstream pool (timeouts)',
    incident: 'one-api fork: ResponseHeaderTimeout (and every transport timeout) 30 minutes, the write-up\'s secondary factor',
    provenance: { seed: SEED_002, item: 'ResponseHeaderTimeout' },
    departs: 'the write-up lowers ResponseHeaderTimeout and the request timeout 30 → 15 minutes, kept for its 10-minute responses; the relay runs a 60-s --headers-timeout and a 60-s body timeout that is an inactivity timeout, with no total timeout: a streamed generation sends its headers with its first token, so a 10-minute stream that keeps sending is never cut (relay/test/leaks-error-stalls.test.ts: a stream longer than both timeouts completes, scaled to 300/600 ms). A non-stream request slower than 60 s to its headers IS cut: a deployment serving such generations raises --headers-timeout, as the write-up did',
    mechanism: 'the undici Pool is built with the incident\'s 30-minute headersTimeout instead of --headers-timeout: an upstream that accepts the request and never answers keeps the attempt waiting, and its socket busy, until the client gives up (its hang-up aborts the request) or 30 minutes pass. No failover happens meanwhile, and the client connection waits with it',
    fix: '--headers-timeout (60 s; its proof runs it at 500 ms): the attempt fails with UND_ERR_HEADERS_TIMEOUT, the socket is destroyed and the request fails over (or is answered 504)',
    trigger: 'upstreams that never send headers (stall-headers)',
    observable: 'relay_upstream_pool{field="running"} and ESTABLISHED upstream sockets higher under load by stall rate × client patience (instead of × --headers-timeout); the upstream\'s in-flight count likewise; gone once the clients hang up, so a level under load, not growth',
    metrics: ['relay_upstream_pool{field="running"}', 'relay_upstream_pool{field="connected"}', 'relay_inflight_requests'],
    scenario: 'error-stalls',
    proofFigure: '`npm run soak -- prove headers-timeout --no-attribute` (2026-12-06, error-stalls, 90 s per run, --headers-timeout 500): relay_upstream_pool{field="running"} under load median 22 (p90 27, max 33, 80 samples) leaky → median 8, p90 13 fixed; both runs NO-LEAK on heap (nothing is kept once the clients hang up); service no worse; PROOF HOLDS in 4 min 58 s. The first run, read on /proc\'s ESTABLISHED, FAILED (leaky median 66.5 vs fixed p90 79: the load\'s client sockets swamp the held ones)',
    cost: { what: 'upstream-sockets', perEvent: 1, event: 'stall-headers', lasts: 'until the client gives up (30 minutes at most): a level of stall rate × client patience', basis: 'relay/test/leaks-error-stalls.test.ts: K running upstream connections 1.2 s after K stalled-header requests (headers timeout 300 ms: 0 and K 504s fixed), 0 once the clients hang up. A throwaway script (`npx node measure.ts headers-timeout 200`, as for error-body-read-fail, --headers-timeout 1000): 200 waiting clients 2.5 s in → +602 fds leaky against +402 fixed (both hold 2 fds per client connection, in process: the client socket and the relay\'s accepted one), pool running 200 vs 0: 1 upstream socket per stalled request while its client waits' },
  },
  {
    name: 'sse-abort',
    summary: 'a client that disconnects mid-stream does not abort the upstream stream',
    area: 'SSE proxy',
    incident: 'no write-up: an SSE proxy whose upstream read is not tied to the client connection (the client\'s disconnect aborts nothing)',
    provenance: { projectAddition: 'no seed describes it (seed 002 is about error bodies, not streams); kept because it is a real Node failure mode of every streaming proxy: a ServerResponse \'close\' that does not reach the undici request leaves the upstream socket reading to the end of the stream' },
    mechanism: "the response 'close' handler aborts the request's AbortController only before the stream is committed; after the first byte the pump keeps reading the upstream to its end, dropping chunks into the dead response",
    fix: "the response 'close' handler aborts the controller whenever the response did not finish; undici destroys the upstream body at once",
    trigger: 'SSE clients hanging up mid-stream (stream-abort load)',
    observable: '+1 upstream socket (relay_upstream_pool{field="running"}, fd, TCP) per abandoned stream until the upstream finishes; the fake upstream counts no client abort',
    metrics: ['relay_upstream_pool{field="running"}', 'relay_inflight_requests'],
    scenario: 'stream-abort',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, stream-abort, 90 s per run): tcp:ESTABLISHED under load in phase slow-aborts median 144 leaky vs p90 92.2 fixed (whole run: median 54.5, max 162 vs 41, max 98); heapUsed NO-LEAK in both (18.0 and 18.6 B/request); service no worse; PROOF HOLDS in 3 min 14 s',
    cost: { what: 'upstream-sockets', perEvent: 1, event: 'sse-abort', lasts: 'until the upstream finishes the stream', basis: 'relay/test/leaks-upstream.test.ts: K running upstream connections after K abandoned streams, 0 once they end, so the count held is the abort rate × the rest of the stream; measured in the stream-abort scenario (90 s, seed 42): slow-upstream phase median 142 ESTABLISHED sockets leaky vs 88 fixed (p90 93), fast-upstream phase the same in both' },
  },
  {
    name: 'sync-tracker',
    summary: 'account-sync tracker: inverted "sync in progress" check, never cleared after apply; every event appended forever',
    area: 'account sync',
    incident: 'OpenZiti router API-session sync tracker (inverted flag check, not cleared after sync)',
    provenance: { seed: SEED_003, item: '标志检查逻辑' },
    mechanism: 'incremental sync events are recorded in the snapshot tracker so the snapshot, applied later, replays them (it must not undo newer events). The variant records them when NO sync is in progress (inverted check) and keeps the tracker after the snapshot is applied, so every event after a sync is appended to it until the next snapshot.',
    fix: 'record events only while a snapshot is in progress; drop the tracker the moment it is applied',
    trigger: 'POST sync/events after a completed snapshot (account-churn load)',
    observable: 'relay_structure_entries{structure="sync_tracker_entries"} +1 per event; retained heap',
    metrics: ['relay_structure_entries{structure="sync_tracker_entries"}'],
    scenario: 'account-churn',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, account-churn, 90 s per run): heapUsed 63.7 B/sync-event [59.4, 68.1] LEAK (δ 9.89) leaky → 5.4 [2.8, 8.2] NO-LEAK fixed, difference [−63.4, −53.1]; service no worse; PROOF HOLDS in 2 min 04 s',
    cost: { what: 'heap', perEvent: 55, event: 'sync-event', basis: 'bench/leak-costs.ts: 54 B post-GC heap per event over 150 000 events (leaky − fixed)' },
  },
  {
    name: 'listener',
    summary: 'per-stream listener on the shared account-events emitter, never removed',
    area: 'SSE proxy / account events',
    incident: 'no write-up: per-request listeners on a long-lived shared EventEmitter, never removed',
    provenance: { projectAddition: 'no seed describes it (seed 003 is a sync tracker, not listeners); kept because it is a real Node failure mode: a listener on a process-lifetime emitter keeps its closure, and with it the request graph, for the emitter\'s life, and an emitter that allows unlimited listeners never warns' },
    mechanism: "every SSE stream subscribes to the account pool's 'disabled' event (a stream on an account disabled mid-stream is cut). The variant never unsubscribes: the listener closure keeps the request graph (response, request, in-flight entry, pump) alive.",
    fix: 'unsubscribe in the finally that ends the stream',
    trigger: 'SSE requests (every stream, aborted or not)',
    observable: 'relay_listeners{emitter="account_events"} +1 per stream; retained heap (the emitter allows unlimited listeners: one per concurrent stream is the design, so no MaxListenersExceededWarning either)',
    metrics: ['relay_listeners{emitter="account_events"}'],
    scenario: 'stream-abort',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, stream-abort, 90 s per run): heapUsed 6 977 B/sse-abort [6 711, 7 089] LEAK (δ 119) leaky → 36.1 [17.2, 64.5] NO-LEAK fixed, difference [−7 132, −6 751]; service no worse; PROOF HOLDS in 3 min 25 s',
    cost: { what: 'heap', perEvent: 4_000, event: 'sse-abort', basis: 'bench/leak-costs.ts: 3 950 B post-GC heap per finished stream (the response, its request and socket objects, the in-flight entry). The scenario counts aborted streams; every stream leaks, so the cost per sse-abort is at least this' },
  },
  {
    name: 'lazy-lru',
    summary: 'idempotency cache evicts in a background timer with a per-tick budget; unique keys outrun it',
    area: 'idempotency cache',
    incident: 'GoFrame gcache: LRU bookkeeping and eviction in a background loop, outrun by unique-key writes',
    provenance: { seed: SEED_004, item: '问题根源分析' },
    mechanism: 'set() inserts and queues the key; an interval timer (100 ms) does the LRU bookkeeping and evicts at most 10 entries per tick, i.e. 100 entries/s. Faster unique-key writes grow the cache past its cap by (write rate − drain rate), each entry holding a response body.',
    fix: 'synchronous eviction in set(): the size never passes the cap',
    trigger: 'non-stream requests with a unique Idempotency-Key each (cache-churn load)',
    observable: 'relay_structure_entries{structure="idempotency_cache"} above relay_structure_capacity{structure="idempotency_cache"}, growing; relay_idempotency_evictions_total lags; retained heap',
    metrics: ['relay_structure_entries{structure="idempotency_cache"}', 'relay_structure_capacity{structure="idempotency_cache"}', 'relay_idempotency_evictions_total'],
    scenario: 'cache-churn',
    proofFigure: 'two cache-churn proof runs (as recorded in cost.basis): external 320 B/key [312, 322], LEAK',
    cost: { what: 'external-buffers', perEvent: 570, event: 'idempotency-key', basis: 'bench/leak-costs.ts: 307 B heap + 572 B arrayBuffers per cached entry (the body). Only writes above the drain rate (100/s) are kept: at cache-churn\'s ≈ 280 unique keys/s about 64 %. Measured in two cache-churn proof runs: external 320 B/key [312, 322]; the lazily evicted heap 268 B/key [228, 290], noisy over the second half' },
  },
  {
    name: 'inflight-map',
    summary: 'scheduler in-flight map: entries added on enqueue, never removed on completion',
    area: 'scheduler',
    incident: 'scheduler PriorityQueueManager.priority_map never cleaned on dequeue',
    provenance: { seed: SEED_001, item: 'P0-1' },
    mechanism: 'Scheduler.end() no longer deletes the entry: every request leaves its InFlight (id, AbortController, model, timestamps) in the map; graceful shutdown waits for an idle map that never comes (the deadline ends it)',
    fix: 'end() deletes the entry in the finally of every request',
    trigger: 'every chat request',
    observable: 'relay_inflight_requests and relay_structure_entries{structure="inflight_requests"} +1 per request; GET /v0/management/requests lists finished requests; retained heap',
    metrics: ['relay_inflight_requests', 'relay_structure_entries{structure="inflight_requests"}'],
    scenario: 'mixed',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, mixed, 90 s per run): heapUsed 448.8 B/request [401.5, 483.9] LEAK (δ 32) leaky → 3.4 [0.5, 6.5] NO-LEAK fixed, difference [−486.7, −404.1]; service no worse; PROOF HOLDS in 2 min 32 s',
    cost: { what: 'heap', perEvent: 500, event: 'requests', basis: 'bench/leak-costs.ts: 522 B post-GC heap per request (InFlight, AbortController and signal, UUID string, map entry)' },
  },
  {
    name: 'inflight-error-path',
    summary: 'in-flight entry removed on the success path only: every request that ends in an error keeps it',
    area: 'scheduler (request error path)',
    incident: 'TaskPersistenceManager.pending_tasks: the entry is removed after a task succeeds, not when it raises',
    provenance: { seed: SEED_001, item: 'P0-2' },
    mechanism: "handle() removes the request's InFlight entry (id, AbortController, model, timestamps) only once #run() resolved with a 2xx. A request that ends in an error keeps its entry in the scheduler's map: failover exhausted (429/5xx, truncated bodies or broken connections on every account tried: the relay answers 429/502/503/504), a request-scoped 4xx passed through, or the request cut short (client gone, cancel, shutdown: the catch). That is the write-up's exception branch; an error the relay fails over from and then serves is a success, as a task that retried and finished is. Unlike inflight-map, successes leave nothing: the map grows with the error rate, not the request rate",
    fix: "end() in the finally of handle(): the entry goes on both paths, as the write-up adds remove_task to the success and the exception branch",
    trigger: 'chat requests the relay answers with an error status (error-answers: 429s, 503s and truncated bodies on every account tried)',
    observable: 'relay_inflight_requests and relay_structure_entries{structure="inflight_requests"} +1 per error answer, flat under successes; GET /v0/management/requests lists them; retained heap',
    metrics: ['relay_inflight_requests', 'relay_structure_entries{structure="inflight_requests"}'],
    scenario: 'error-answers',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, error-answers at 74 % faulted attempts, 36 % error answers, 90 s per run): heapUsed 654.7 B/chat-error [584.2, 698.3] LEAK (δ 178) leaky, stopped at a certain LEAK → 27.4 [10.7, 66.9] NO-LEAK fixed; service no worse; PROOF HOLDS in 1 min 49 s',
    cost: { what: 'heap', perEvent: 400, event: 'chat-error', basis: 'bench/leak-costs.ts\'s method (one process, real HTTP, caps of 1, post-GC heapUsed, leaky − fixed) in a throwaway script, not in the tree: that bench has no error-answer case yet (`npx node --expose-gc measure.ts EVENTS ACCOUNTS ATTEMPTS`, 2026-12-03, Node 24.21), requests forced to fail with mock_fault: one attempt, 5 000 accounts: 301 and 358 B per 503 answer, 390 and 336 B per 502 (truncated body), over 3 000 and 4 000 events; three attempts, 11 000 accounts: 450 B (503) and 411 B (502); successes −17, −3 and −19 B (noise); 400 B rounds the three-attempt figures (the relay\'s default, and the error-answers path). The InFlight entry with its AbortController, signal and UUID. The proof measured more, 527 B per chat-error leaky − fixed (proofFigure), over error-answers\' mix of JSON and SSE requests ending in 429s; why the scenario\'s entries retain more was not investigated' },
  },
  {
    name: 'retry-timers',
    summary: 'fire-and-forget failover timers: not cancelled on abort or shutdown, each pins its request body',
    area: 'scheduler (failover pause)',
    incident: 'TaskScheduler._delayed_retry: asyncio.create_task without a reference or cancellation',
    provenance: { seed: SEED_001, item: 'P0-3' },
    departs: 'the write-up keeps each retry task in a set (retry_tasks, discarded on done), which stops asyncio from collecting an unreferenced task but cancels nothing; the relay sleeps with the request\'s AbortSignal instead: Node\'s event loop already references every armed timer, so the leak to fix is the timer (and the body it holds) outliving an aborted request, and only cancelling it does that',
    mechanism: 'the pause before failing over is a bare setTimeout whose callback closes over the request body; an abort (client gone, management cancel, shutdown) rejects the wait but leaves the timer armed and ref\'d until it fires',
    fix: 'timers/promises sleep with the request signal: an abort clears the timer',
    trigger: 'requests aborted during a failover pause (retry storms with client timeouts, cancels, shutdown)',
    observable: 'relay_structure_entries{structure="retry_waits"} (armed failover timers) stays up after the requests end; Timeout handles; the bodies stay reachable',
    metrics: ['relay_structure_entries{structure="retry_waits"}'],
    scenario: 'retry-storm',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, retry-storm, 90 s per run): Timeout above its pre-load at 13/16 drained checkpoints (median +812, max +1 141) leaky → 0/16 fixed; heapUsed INCONCLUSIVE 33.6 B/request [−137.3, 203.7] leaky, NO-LEAK 25.3 [13.9, 38.2] fixed (δ 64); service no worse; PROOF HOLDS in 2 min 45 s',
    cost: { what: 'timers', perEvent: 1, event: 'client-gave-up', lasts: '--retry-delay after the abort', basis: 'relay/test/leaks-upstream.test.ts: K armed timers after K requests aborted in their pause; each is released when its pause ends, so the count held is the abort rate × the pause' },
  },
  {
    name: 'cancel-poller',
    summary: 'per-request cancel poller: an interval that opens a fresh session each tick and is never cleared',
    area: 'scheduler (cancellation)',
    incident: 'TaskScheduler._check_task_cancel: a loop per task, a new DB session each second, no exit when the task ends',
    provenance: { seed: SEED_001, item: 'P0-4' },
    departs: 'the write-up keeps a poller per task (2 s, one session per 10 checks, exiting when the executor stops); the relay has no poller at all: cancellation is pushed through the request\'s AbortController (management cancel, client gone, shutdown), so there is nothing to poll and no timer per request',
    mechanism: 'each request arms a 250 ms setInterval that opens a fresh lookup session (a map snapshot object) to ask whether the request was cancelled; it stops only on cancellation, never on completion, so every finished request leaves a ref\'d interval and its closure (the in-flight entry)',
    fix: 'no poller: cancellation goes through the request\'s AbortController',
    trigger: 'every chat request',
    observable: 'relay_structure_entries{structure="cancel_pollers"} +1 per request; Timeout handles +1 per request; CPU per tick grows with the request count',
    metrics: ['relay_structure_entries{structure="cancel_pollers"}'],
    scenario: 'mixed',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, mixed, 90 s per run): Timeout LEAK Δ 18 551, 0.81 per request [0.79, 0.84] leaky → not seen (Δ 0) fixed; heapUsed 660.8 → 3.4 B/request; service no worse; PROOF HOLDS in 2 min 17 s',
    cost: { what: 'timers', perEvent: 1, event: 'requests', basis: 'relay/test/leaks-state.test.ts: K live pollers after K requests; bench/leak-costs.ts: plus 830 B heap per request (the interval and its closure)' },
  },
  {
    name: 'usage-ttl',
    summary: 'completed-usage map whose TTL sweep never runs (and has no cap)',
    area: 'usage',
    incident: 'StorageQueueManager.completed_requests: TTL cleanup not running in time',
    provenance: { seed: SEED_001, item: 'P1-8' },
    departs: 'the write-up only shortens the cleanup interval (300 → 60 s) and the TTL (600 → 300 s); the relay sweeps every TTL/2 and also caps the store (--usage-completed-cap), because a TTL bounds the store by rate × TTL only, and a request burst then still grows it without limit',
    mechanism: 'the completed-request usage store keeps every record: the sweep timer is never started and the pre-fix store had no entry cap, so records outlive --usage-ttl forever (get() still hides expired ones, so the API looks right)',
    fix: 'an unref\'d sweep every TTL/2 plus the --usage-completed-cap',
    trigger: 'every chat request',
    observable: 'relay_structure_entries{structure="completed_usage"} +1 per request, past the TTL and the cap; retained heap',
    metrics: ['relay_structure_entries{structure="completed_usage"}', 'relay_structure_capacity{structure="completed_usage"}'],
    scenario: 'mixed',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, mixed, 90 s per run): heapUsed 258.7 B/request [218.9, 287.2] LEAK (δ 32) leaky → 3.4 [0.5, 6.5] NO-LEAK fixed, difference [−289.6, −221.0]; service no worse; PROOF HOLDS in 3 min 26 s',
    cost: { what: 'heap', perEvent: 230, event: 'requests', basis: 'bench/leak-costs.ts: 231 B post-GC heap per request (record, usage object, map entry; strings shared)' },
  },
  {
    name: 'usage-plateau',
    summary: 'completed-usage store swept too rarely for what it keeps: a high plateau, not unbounded growth',
    area: 'usage',
    incident: 'StorageQueueManager.completed_requests: cleanup every 300 s of a 600-s TTL, "if cleanup is not timely, 100-200 MB accumulate"',
    provenance: { seed: SEED_001, item: 'P1-8' },
    proofFigure: '`npm run soak -- prove usage-plateau --no-attribute` (2026-12-06, mixed, 90 s per run, --usage-ttl 10000): leaky heapUsed levels off after one lifetime (30 s), 43.9 B/request [3.3, 71.5] < δ 115 at +6.88 MiB over pre-load → fixed +4.63 MiB (p90 +4.79), NO-LEAK 4.9 [−2.8, 9.6]; service no worse; PROOF HOLDS in 4 min 12 s',
    departs: 'the write-up shortens the cleanup interval (300 → 60 s) and the TTL (600 → 300 s), which lowers the plateau from rate × 900 s to rate × 360 s but still lets it follow the request rate; the relay sweeps every TTL/2 and also caps the store (--usage-completed-cap), so a burst cannot raise it past the cap',
    mechanism: 'the incident\'s pre-fix retention relative to its fix, scaled to --usage-ttl: records are kept 2 × TTL and the sweep runs every TTL, with no entry cap, so the store holds rate × 2–3 × TTL records and levels off there: a plateau set by the request rate, reached after 3 × TTL, that a run shorter than that cannot tell from a leak',
    fix: 'keep records for the TTL, sweep every TTL/2 (an unref\'d interval), and cap the store (--usage-completed-cap)',
    trigger: 'every chat request (the plateau is rate × lifetime)',
    observable: 'relay_structure_entries{structure="completed_usage"} levels off at rate × 2–3 × --usage-ttl (above the cap); post-GC heap rises for 3 × TTL, then stays flat at that height',
    metrics: ['relay_structure_entries{structure="completed_usage"}', 'relay_structure_capacity{structure="completed_usage"}'],
    scenario: 'mixed',
    cost: { what: 'heap', perEvent: 230, event: 'requests', lasts: '2–3 × --usage-ttl (kept 2 × TTL, swept every TTL)', basis: 'the usage-ttl record (bench/leak-costs.ts: 231 B post-GC heap per request), held for its lifetime instead of for good' },
  },
  {
    name: 'unbounded-fanout',
    summary: 'health scan probes every account at once (concurrency ignored)',
    area: 'health scan',
    incident: 'ParallelFlowBp: one task per child, no MAX_PARALLEL_BLOCKS',
    provenance: { seed: SEED_001, item: 'P2-7' },
    departs: 'the write-up runs the children in batches of MAX_PARALLEL_BLOCKS (10) with a gather per batch; the relay runs `concurrency` workers that pull the next account from a shared cursor: the same bound, without each batch waiting for its slowest probe',
    mechanism: 'POST health-scan starts one probe per account at once (Promise.all over N) instead of `concurrency` workers: N requests queue in the undici pool and open up to --upstream-connections sockets',
    fix: 'at most `concurrency` workers pull accounts from a shared cursor',
    trigger: 'POST /v0/management/health-scan (relay-scan load)',
    observable: 'relay_structure_entries{structure="health_scan_workers"} = N during a scan (≤ concurrency when fixed); relay_upstream_pool connected up to the cap, pending ≈ N; sockets stay idle until --keep-alive-timeout',
    metrics: ['relay_structure_entries{structure="health_scan_workers"}', 'relay_upstream_pool{field="pending"}', 'relay_upstream_pool{field="connected"}'],
    scenario: 'health-scan',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, health-scan, 90 s per run): relay_upstream_pool{field="connected"} while relay-scan runs median 128, max 128 (the socket cap) over 9 samples leaky vs median 70, p90 80.2, max 101 over 9 fixed; heapUsed NO-LEAK in both (7.3 and 1.5 B/request); service no worse; PROOF HOLDS in 1 min 58 s',
    cost: { what: 'upstream-sockets', perEvent: 1, event: 'relay-scan', lasts: 'the scan, then --keep-alive-timeout', basis: 'relay/test/leaks-upstream.test.ts: N concurrent probes during a scan; socket count is min(N, --upstream-connections) − concurrency. The idle pooled sockets are unref\'d, so libuv\'s TCPSocketWrap count misses them and /proc shows them (measured, health-scan 90 s: relay-scan phase median 204 ESTABLISHED leaky, 101 fixed; TCPSocketWrap 81 vs 75)' },
  },
  {
    name: 'pool-size',
    summary: 'oversized upstream pool (no socket cap) whose idle sockets never time out',
    area: 'upstream pool',
    incident: 'DB_POOL_SIZE 50 + 30-minute recycle: connections opened in a burst are kept',
    provenance: { seed: SEED_001, item: 'P0-11' },
    departs: 'the write-up shrinks a database pool (50 + 100 overflow → 10 + 20, recycle 30 → 10 min); the relay\'s pool is undici\'s upstream HTTP pool, fixed with a socket cap (--upstream-connections) and a keep-alive that is a true upper bound (4 s), since idle HTTP sockets cost fds and upstream connection slots rather than 16 MB each',
    mechanism: 'the undici Pool is built without a connection cap and with a 30-minute keep-alive (server hints honoured up to 30 min): every socket opened at peak concurrency stays open after the burst',
    fix: '--upstream-connections cap and a --keep-alive-timeout that is a true upper bound (4 s default)',
    trigger: 'a burst of concurrent requests (the mixed scenario\'s spike)',
    observable: 'relay_upstream_pool{field="connected"} and {field="free"} stay at the burst\'s peak concurrency after it; fds and ESTABLISHED TCP sockets likewise, through idle drains',
    metrics: ['relay_upstream_pool{field="connected"}', 'relay_upstream_pool{field="free"}'],
    scenario: 'mixed',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, mixed, 90 s per run): tcp:ESTABLISHED above its pre-load at 16/16 drained checkpoints (median +134.5, max +183) leaky → 0/16 fixed; heapUsed NO-LEAK in both (16.6 and 3.4 B/request); service no worse; PROOF HOLDS in 4 min 40 s',
    cost: { what: 'upstream-sockets', perEvent: 1, event: 'requests', lasts: '30 minutes idle', basis: 'relay/test/leaks-upstream.test.ts: K idle sockets after a burst of K concurrent requests: the count held follows the peak concurrency, not the number of requests' },
  },
  {
    name: 'account-wait-loop',
    summary: 'waiting for a cooled-down account in a `while (true)` loop: no bound, no cancel check, every poll left registered',
    area: 'scheduler (account wait)',
    incident: 'GetIdleSiteBp: `while True` waits for an idle site, a new StorageRequest submitted per loop, no retry limit and no cancel check',
    provenance: { seed: SEED_001, item: 'P2-10' },
    departs: 'the write-up bounds the loop by a count (max_retries 1000 at retryPeriod, ≈ 17 min at 1 s) and checks the task\'s cancel flag at the top of each loop; the relay bounds it by a deadline (--account-wait, 0 by default: the 429 at once, as before the wait existed) and waits on the request\'s AbortSignal, so a client that hangs up ends the wait at once, mid-sleep, not at the next poll; it also sleeps until the earliest recovery when that comes before the next poll',
    mechanism: 'when every account serving the model is cooling down, #run() waits for one in AccountWaits (relay/account-wait.ts). The variant is the pre-fix loop: forever, one poll per second (the write-up\'s retry_sleep), each poll a new AccountWaitRequest registered in the wait map and never removed, and no look at the request\'s signal: a request whose accounts stay cooling (an hour-long quota reset) polls for the relay\'s life after its client has gone, holding one armed timer, its in-flight entry, and one more registered request per second',
    fix: 'a deadline (--account-wait) and a cancel check before every poll, the sleep on the request\'s AbortSignal; one registration per waiting request, replaced at each poll and removed when the wait ends',
    trigger: 'chat requests for a model whose accounts are all cooling down (quota-wall: every quota exhausted for an hour), the client giving up meanwhile',
    observable: 'Timeout handles +1 per abandoned request, at drained checkpoints too (the loops never end); relay_structure_entries{structure="account_waits"} +1 per loop per second (0 when drained, fixed); relay_inflight_requests does not drain; retained heap grows with loops × time. Each loop also keeps its admission slot (relay/admission.ts): past --max-inflight (512) loops the semaphore is full and the leaky relay answers every chat request 503, accounts or not',
    metrics: ['relay_structure_entries{structure="account_waits"}', 'relay_inflight_requests'],
    scenario: 'quota-wall',
    proofFigure: '`npm run soak -- prove account-wait-loop --no-attribute` (2026-12-06, quota-wall, 90 s per run): Timeout LEAK Δ 252, 1.00 per client-gave-up [1.00, 1.00] leaky → NO-LEAK Δ 0 fixed; heapUsed 313.9 B/request [274.0, 342.6] LEAK → −4.8 [−23.8, 20.5] NO-LEAK; PROOF HOLDS in 4 min 40 s',
    cost: { what: 'timers', perEvent: 1, event: 'client-gave-up', lasts: 'until an account recovers (an hour in quota-wall): the loop polls on after the client has gone', basis: 'relay/test/leaks-account-wait.test.ts: K clients hung up mid-wait leave K loops (K in-flight entries, ≥ K more armed timers, K registered wait requests, 2K one poll later), 0 when fixed; the quota-wall proof measured 1.00 Timeout per client-gave-up [1.00, 1.00] (proofFigure). The heap grows as well, per loop per second: one AccountWaitRequest and its map entry per poll (141 B per registered poll in the same throwaway script, 100 000 polls; its request ids were fresh strings, ≈ 20 B of that, where the relay\'s share the request\'s id), so the heap slope follows loops × time, not a per-event constant: the timer is the per-event figure' },
  },
  {
    name: 'scheduler-stats',
    summary: "scheduler admission stats appended to a list per request instead of counted per model",
    area: 'scheduler (admission stats)',
    incident: 'PriorityQueueManager.priority_stats: `self.priority_stats.append(priority)` on every enqueue, never trimmed (next to the priority_map of P0-1)',
    provenance: { seed: SEED_001, item: 'self.priority_stats = [] # 无限增长的优先级列表' },
    departs: "the write-up's P0-1 fix cleans priority_map on dequeue and leaves priority_stats as it was (still appended, never trimmed); the relay's fix is the bounded structure the write-up's own principle asks for (\"字典、列表都要有上限\"): a counter per model, whose size is the number of models served",
    mechanism: "Scheduler.begin() records each admitted request's stats. The variant appends an AdmissionRecord (model, client key, admitted-at) to an array that nothing trims: the relay has no priorities, and these are its scheduler's per-request facts. A small object per request (the model string is shared, the key a small integer, the timestamp a heap number), kept for the relay's life",
    fix: 'a Map model → count: begin() increments, nothing per request is kept',
    trigger: 'every chat request',
    observable: 'relay_structure_entries{structure="scheduler_stats"} +1 per chat request (the number of models, ≤ 4, when fixed); retained heap',
    metrics: ['relay_structure_entries{structure="scheduler_stats"}'],
    scenario: 'mixed',
    proofFigure: '`npm run soak -- prove scheduler-stats --no-attribute` (2026-12-06, mixed, 90 s per run): heapUsed 77.2 B/request [72.1, 82.0] LEAK leaky → 5.4 [1.8, 7.5] NO-LEAK fixed (δ 32), difference −71.8 [−77.5, −66.1]; PROOF HOLDS in 4 min 04 s',
    cost: { what: 'heap', perEvent: 75, event: 'requests', basis: 'bench/leak-costs.ts scheduler-stats case (`flock /tmp/soak-bench.lock npx node --expose-gc bench/leak-costs.ts --only scheduler-stats --events 100000`, 2026-12-07, Node 24.21: one process, real HTTP, caps of 1, post-GC heapUsed, leaky − fixed): 81 and 79 B per JSON chat request in two runs of 100 000 (leaky 77, fixed −4 and −2); at its 30 000-event minimum 102 B (leaky 88 − fixed −14: noisy at this size, as the throwaway script of 2026-12-06 read 106 and 77 over 20 000); 200 000 bare { model, clientKey, admittedAt } records pushed to an array keep 74 B each (a 12-B header and three fields, the timestamp a 12-B heap number, the array slot and its growth slack); the proof (proofFigure) measured 77.2 B per request [72.1, 82.0] over mixed. 75 B rounds the bare record and the proof. A bare number per request (the write-up\'s own priority_stats.append(priority)) would be ≈ 8 B, below what a 90-s proof sees at δ 32: the relay\'s record is what its scheduler knows per request, not a padded one' },
  },
  {
    name: 'no-admission',
    summary: 'no admission limit: a burst against a stalled upstream holds every request it admits, at once',
    area: 'chat admission',
    incident: 'one-api fork: no cap on concurrent upstream requests; 169 000 goroutines waiting on upstream responses, an alarm at 2 000',
    provenance: { seed: SEED_002, item: '添加并发限制（可选）' },
    departs: 'the write-up\'s semaphore (`maxConcurrent <- struct{}{}`, 500) blocks without bound: it caps the upstream work but every waiting request still exists, which is the level its 2 000-goroutine alarm fires on. The relay caps the work (--max-inflight 512) AND the wait: a bounded FIFO queue (--admission-queue 512) for at most --admission-wait (5 s), then 503 with Retry-After: 1 at once, as HAProxy (maxconn + timeout queue) and Envoy (max_requests + max_pending_requests, overflow 503) do. 503 rather than 429: the overload is the relay\'s, not the client\'s quota (the relay\'s 429 means its accounts are cooling down)',
    proofFigure: '`npm run soak -- --prove all --no-attribute` (2026-12-07, fresh clone of 815d348, stall-burst, 90 s per run): fds under load median 1 568, p90 2 800, max 2 999 leaky (burst-2 median 2 082) vs median 1 089, p90 1 470 fixed (burst-2 p90 1 501); relay_inflight_requests reached 2 589 > 2 000 leaky (15 of 69 samples above), peaked at 1 024 fixed (the admission bound); heapUsed NO-LEAK in both (19.2 and 7.0 B/request); PROOF HOLDS in 2 min 23 s',
    mechanism: 'ChatCompletions admits every validated request at once (Admission.acquire() never waits): with a stalled upstream each one holds its client connection, its body, its in-flight entry and a place in undici\'s pending queue, which is itself unbounded (the --upstream-connections cap bounds sockets, not requests). The level is arrival rate × stall time, whatever the socket cap',
    fix: 'relay/admission.ts: at most --max-inflight requests doing upstream work, --admission-queue more waiting FIFO for up to --admission-wait, the rest refused at once with 503 + Retry-After',
    trigger: 'a burst of many clients against an upstream that stalls its headers (stall-burst: stall-headers on the chat route)',
    observable: 'relay_admission{field="active"} above relay_admission{field="limit"}, relay_inflight_requests, client sockets (relay_structure_entries{structure="client_sockets"}), fds and ESTABLISHED TCP sockets rise with the burst (past seed 002\'s 2 000) and fall when the clients give up; the fixed relay stays at limit + queue and counts relay_admission_rejected_total instead',
    metrics: ['relay_admission{field="active"}', 'relay_admission{field="queued"}', 'relay_admission_rejected_total', 'relay_inflight_requests'],
    scenario: 'stall-burst',
    cost: { what: 'fds', perEvent: 1, event: 'requests', lasts: 'until the upstream answers or the client gives up: a level of arrival rate × stall', basis: 'relay/test/leaks-admission.test.ts (2026-12-06): 40 concurrent requests against an upstream stalling every chat header, --max-inflight 6 --admission-queue 4: leaky all 40 admitted and held (relay_admission{field="active"} 40, relay_inflight_requests 40, ≥ 40 more accepted client sockets: one fd per held request), none refused; fixed 6 admitted, 4 queued, 30 refused at once with 503 + Retry-After: 1 and the 4 queued after the 300-ms wait. The level is the held count: arrival rate × how long the upstream or the client waits' },
  },
  {
    name: 'task-contexts',
    summary: "each chat request's execution context (variables, path, block outputs, outputs) stays in the context registry after it ends",
    area: 'chat execution context',
    incident: "TaskContext: five dictionaries (variables, variable_sources, execution_path, block_outputs, outputs) never cleared, the context kept after the task ended",
    provenance: { seed: SEED_001, item: 'P0-5' },
    mechanism: "handle() opens a RequestContext per chat request in the process-wide ContextRegistry (GET /v0/management/requests/:id/context and /contexts read it): variables with their sources (model, stream, client key, idempotency key, sizes), an execution path with one step per upstream attempt (account, times, status, result), a block output per attempt (the upstream status, its parsed response headers, the parsed usage) and the outputs (status, usage). The variant never cleans it nor removes it from the registry, on any path: every request leaves its whole context reachable",
    fix: "the write-up's finally: context cleanup() and the registry's reference dropped in handle()'s finally, on every path (success, error answer, client abort, shutdown)",
    trigger: 'every chat request',
    observable: 'relay_structure_entries{structure="request_contexts"} +1 per chat request (0 when drained, fixed); GET /v0/management/contexts lists finished requests; retained heap',
    metrics: ['relay_structure_entries{structure="request_contexts"}'],
    scenario: 'mixed',
    proofFigure: '`npm run soak -- prove task-contexts --no-attribute` (2026-12-06, mixed, 90 s per run): heapUsed 1 095 B/request [1 057, 1 140] LEAK leaky → 3.5 [1.9, 5.5] NO-LEAK fixed (δ 32), difference −1 091 [−1 133, −1 050]; FIX HOLDS in 4 min 09 s',
    cost: { what: 'heap', perEvent: 1_150, event: 'requests', basis: 'bench/leak-costs.ts task-contexts case (`flock /tmp/soak-bench.lock npx node --expose-gc bench/leak-costs.ts --only task-contexts`, Node 24.21, 2026-12-06): 1 164 B post-GC heap per JSON chat request over 3 000 (leaky 1 198 − fixed 34): the context object, its five structures, one step and one block output with the upstream headers object undici parsed' },
  },
  {
    name: 'orphan-tasks',
    summary: 'request-state sync fired as a floating promise per request: no reference, bound or deadline, so a stalled sink piles them up',
    area: 'request-state sync (background tasks)',
    incident: 'TaskStateBp: asyncio.create_task(self._sync_task_description_to_system(...)) with no reference kept, background tasks accumulating',
    provenance: { seed: SEED_001, item: 'P0-9' },
    departs: "the write-up's create_background_task keeps a reference, catches and logs exceptions and counts the tasks; it bounds nothing and gives no task a deadline, so against a sink that stalls its task set grows as fast as the orphans did (in Node a floating promise is never collected mid-flight the way an unreferenced asyncio task can be: what leaks is the pile-up itself). The relay's BackgroundTasks manager also refuses tasks past --state-sync-max-tasks (64, counted as dropped: the sync is best-effort) and aborts each at --state-sync-timeout (2 s) through the AbortSignal it hands undici",
    mechanism: "with --state-sync, every finished chat request posts its state (id, model, account, status, usage, duration) to POST /backend-api/request-state on its own 8-socket undici Pool. The variant fires it as a floating promise (a .then() only counts it for /metrics): no manager, no bound, no signal. While the sink stalls, the 8 sockets hold stalled posts until the pool's 60-s headers timeout and every later sync queues in the pool: the promise, its closure, the JSON body and undici's queued request, one per request",
    fix: 'every sync through BackgroundTasks (relay/background-tasks.ts): the running set referenced, at most --state-sync-max-tasks at once (more dropped and counted), each aborted at --state-sync-timeout, every rejection caught and counted (relay_background_tasks_total{outcome}), all aborted at shutdown',
    trigger: 'chat requests while the state sink stalls (sink-stall: stall-headers on every state post; the relay runs with --state-sync)',
    observable: 'relay_structure_entries{structure="background_tasks"} +1 per request while the sink stalls (≤ 64 fixed); relay_background_tasks_total{outcome="timeout"|"dropped"} counts what the fix cut (stays 0 leaky); retained heap',
    metrics: ['relay_structure_entries{structure="background_tasks"}', 'relay_background_tasks_total{outcome="timeout"}', 'relay_background_tasks_total{outcome="dropped"}'],
    scenario: 'sink-stall',
    proofFigure: '`npm run soak -- prove orphan-tasks --no-attribute` (2026-12-06, sink-stall with --state-sync, 90 s per run): heapUsed 1 728 B/request [1 717, 1 734] LEAK leaky → 11.0 [5.3, 21.4] NO-LEAK fixed (δ 64), difference −1 717 [−1 729, −1 705]; rss 1 476 B/request LEAK → 21.1 NO-LEAK; FIX HOLDS in 4 min 02 s',
    cost: { what: 'heap', perEvent: 1_650, event: 'requests', lasts: 'while the sink stalls: the sink pool frees 8 queued syncs per 60-s headers timeout', basis: 'bench/leak-costs.ts orphan-tasks case (`flock /tmp/soak-bench.lock npx node --expose-gc bench/leak-costs.ts --only orphan-tasks`, Node 24.21, 2026-12-06; --state-sync, every state post stalled): 1 669 B post-GC heap per JSON chat request over 3 000 (leaky 1 764 − fixed 95, the fixed run read 2.5 s after the load so its 2-s deadlines had fired): one pending sync, i.e. promise, closure, body string and undici\'s queued request with its handler' },
  },
];

const BY_NAME: ReadonlyMap<string, LeakEntry> = new Map(LEAK_CATALOG.map((e) => [e.name, e]));

export function leakEntry(name: string): LeakEntry | undefined {
  return BY_NAME.get(name);
}

/** Parses `a,b` (from `--leak` or RELAY_LEAKS) into a validated set. */
export function parseLeaks(text: string, flag = '--leak'): ReadonlySet<string> {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) {
    if (!BY_NAME.has(name)) {
      throw new ConfigError(flag, `unknown leak ${JSON.stringify(name)} (known: ${LEAK_CATALOG.map((e) => e.name).join(', ')}; see --leak list)`);
    }
  }
  return new Set(names);
}

/** A variant's cost for a relay with `accounts` accounts (per-account costs multiplied out). */
export interface ResolvedCost {
  readonly variant: string;
  readonly what: LeakResource;
  readonly perEvent: number;
  readonly event: string;
}

/** The cost of `name` for a relay with `accounts` accounts. */
export function expectedCost(name: string, accounts: number): ResolvedCost {
  const entry = BY_NAME.get(name);
  if (entry === undefined) throw new ConfigError('--leak', `unknown leak ${JSON.stringify(name)}`);
  const c = entry.cost;
  return { variant: entry.name, what: c.what, perEvent: c.perAccount === true ? c.perEvent * accounts : c.perEvent, event: c.event };
}

/** The text `--leak list` prints: one line per entry. */
export function formatCatalog(): string {
  const width = Math.max(...LEAK_CATALOG.map((e) => e.name.length));
  return LEAK_CATALOG.map((e) => `${e.name.padEnd(width)}  [${e.area}] ${e.summary}`).join('\n') + '\n';
}
