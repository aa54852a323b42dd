// How a fix is proven for one catalog entry: which scenario, how long, which
// verdict options, and what the leaky run must show. Pure data derived from the
// relay's leak catalog (relay/leaks/catalog.ts) through the harness's judging
// of each variant (signatures.ts), shared by `prove` (which runs) and
// `compare` (which re-judges the kept run folders the same way).

import type { JudgeOptions, SignatureExpectation } from '../verdict/index.ts';
import { MEMORY_SIGNALS } from '../verdict/index.ts';
import { LEAK_CATALOG, type LeakEntry } from '../../relay/leaks/catalog.ts';
import type { LevelRead } from '../verdict/level.ts';
import { signatureOf, type SignatureKind } from './signatures.ts';

/**
 * Defaults sized so one proof (leaky run + fixed run, sequential) finishes in
 * ≤ 5 minutes on a 2-core machine:
 *  - 90 s of load per run and 16 checkpoints (+ the one before load);
 *  - warm-up: the first 40 % of the checkpoints. Measured on the fixed relay's
 *    90-s `mixed` run: the post-GC heap climbs 30 → 34.5 MiB over the first
 *    ≈ 24 000 requests (≈ 40 %: capped structures filling as each phase first
 *    runs), then stays flat (≈ 8 B/request). The default 20 % left that climb in
 *    the judged window and the fixed run's interval reached 44 B/request > δ;
 *  - the relay's upstream keep-alive bounded to 250 ms (`--keep-alive-timeout`, a
 *    true upper bound), so a drained checkpoint waits that long for the fixed
 *    relay's idle sockets to close, and a leaky relay's that never close are
 *    given up after it plus the slack (checkpoint.ts). Measured over the
 *    2026-12-07 `--prove all` at 1 s: drains were 752 s of its 88 min, ≈ 1 s per
 *    checkpoint, 2 s where sockets never close. The drain is capped at 2 s for
 *    leaky runs whose in-flight entries never drain;
 *  - measured: one inflight-map proof with 13 checkpoints per run took 4 min 27 s.
 */
export const PROOF_DEFAULTS = {
  durationMs: 90_000,
  minCheckpoints: 16,
  warmupFraction: 0.4,
  keepAliveTimeoutMs: 250,
  drainMaxMs: 2_000,
  /**
   * The verdict's minimum judged window (60 s / 50 000 requests) guards long
   * soaks against caches that fill for minutes. A proof is two short runs of
   * the SAME scenario: a cache filling in the fixed run still reads LEAK there
   * and fails the proof (the safe direction), so a smaller window is sound here.
   * 35 s, under what a 90-s run judges on an event axis: its cool-down's
   * checkpoints are not judged (the event stops), which leaves checkpoints
   * 7–14 of 16, seven intervals of 5.6 s of load (39.4 s) plus their drains.
   * Measured (2026-12-07 `--prove all`, 250-ms drains): 43 s of wall time in
   * sync-tracker's and lazy-lru's runs, leaky and fixed, so the 45 s this was
   * failed both proofs (they held at 1-s drains, whose pauses made it 45 s).
   */
  minJudgedSeconds: 35,
  minJudgedRequests: 10_000,
} as const;

/**
 * Relay flags every proof runs both relays with. The relay's bounded
 * structures have production-sized caps (100 000 usage series, 10 000
 * completed-usage records) that a 90-s run never fills: measured, the fixed
 * relay's stream-abort run grew its usage series 12 294 → 16 268 over the
 * judged half and its heap ≈ 120 B/request with it, INCONCLUSIVE against δ 64.
 * Small caps fill during warm-up, so what still grows in the judged window is
 * growth no cap stops. No variant depends on these caps being large (the
 * usage-ttl variant's store has no cap at all).
 *
 * A 10-s usage TTL: usage-plateau's leaky store (kept 2 × TTL, swept every
 * TTL) levels off after 30 s, so a 90-s run has 60 s of plateau to show it is
 * one (PROOF_PLATEAUS). Every proof gets it, so the six other mixed proofs
 * share usage-plateau's fixed run (plan-runs.ts): the fixed store is held by
 * its 2 000-record cap either way (300 req/s × 10 s is above it), and
 * usage-ttl's leaky store is never swept whatever the TTL.
 */
export const PROOF_COMMON_RELAY_ARGS: readonly string[] = ['--usage-series-cap', '2000', '--usage-completed-cap', '2000', '--usage-ttl', '10000'];

/**
 * Relay flags a variant's proof needs beyond the defaults (both runs get them).
 * error-body: with the default 128-socket upstream cap, the leaky relay pins the
 * whole pool within ≈ 3 s of the first storm (measured: 127 sockets after 83
 * large 429s, then ≈ 0 req/s; 4 900 requests in the whole leaky run against
 * 25 000 fixed), so the leak shows as a level and the runs cannot be aligned on
 * requests. A cap above what a 90-s run pins keeps throughput and shows growth.
 */
const PROOF_RELAY_ARGS: Readonly<Record<string, readonly string[]>> = {
  'error-body': ['--upstream-connections', '8192'],
  // unbounded-fanout: its level is the scan's extra sockets, which live for the
  // scan and then the keep-alive, read in the 2-s samples under load. At the
  // proofs' 250 ms they were in 7 of 41 samples and the leaky relay-scan
  // phase's median fell under the fixed run's p90 (87.5 vs 109: failed, the
  // 2026-12-07 --prove all; 159 vs 113 passed by one sample the run before);
  // at 1 s (the catalog's measurement) the phase median was 204 against 101,
  // and at 1 s with scans 2 s apart 71 against 81 (failed again: the sockets
  // closed between scans), so health-scan now starts its relay scans 500 ms
  // apart, inside this keep-alive (proof-plan.test.ts holds the two together),
  // and the level is read only in the samples taken mid-scan (signatures.ts):
  // scans still stop at each checkpoint segment's end.
  // account-clone shares the scenario and takes the same, so one fixed
  // health-scan run serves both (an allocation ratio does not care).
  'unbounded-fanout': ['--keep-alive-timeout', '1000'],
  'account-clone': ['--keep-alive-timeout', '1000'],
  // retry-timers: the leaky timer outlives an aborted request by the failover
  // pause. The default 20-ms pause ends long before a drained checkpoint; a
  // provider's Retry-After-scale pause (10 s) outlasts the drain, and the
  // retry-storm clients give up after 2 s, so aborted pauses happen.
  'retry-timers': ['--retry-delay', '10000'],
  // account-wait-loop: the fixed relay answers 429 at once by default
  // (--account-wait 0), so its wait would never run. A wait longer than
  // quota-wall's 2-s client give-up makes the fixed relay's waits end by the
  // cancel check (the client gone), the part of the fix the leak is about.
  'account-wait-loop': ['--account-wait', '5000'],
  // error-body-read-fail, headers-timeout (error-stalls, one fixed run for
  // both: the same flags): a 500-ms headers timeout, so the fixed relay's
  // stalled-header attempts end within a checkpoint interval (the default 60 s
  // outlasts a 90-s run's segments) and its held attempts (≈ 6/s × the
  // timeout) stay well under the leaky relay's (× the client's wait, the
  // leaky 30 minutes never ending). error-body-read-fail pins one socket per
  // stalled error body for good: a cap above a run's count of them keeps the
  // pool serving (as error-body's proof does); headers-timeout's level
  // (median 22 running attempts) is far under either cap.
  'error-body-read-fail': ['--headers-timeout', '500', '--upstream-connections', '8192'],
  'headers-timeout': ['--headers-timeout', '500', '--upstream-connections', '8192'],
};

/**
 * Variants whose leaky build holds a plateau (rate × lifetime) rather than
 * growing: the lifetime of one record under the proof's relay flags, after
 * which the leaky run must level off (verdict/plateau.ts). usage-plateau: kept
 * 2 × TTL and swept every TTL, so a record lives up to 3 × the 10-s TTL.
 */
const PROOF_PLATEAUS: Readonly<Record<string, { readonly lifetimeMs: number }>> = {
  'usage-plateau': { lifetimeMs: 30_000 },
};

/** Where a level proof reads its level (verdict/level.ts). */
export type ProofLevel = LevelRead;

export interface ProofPlan {
  variant: string;
  scenario: string;
  /** Every relay flag of both runs (--keep-alive-timeout first, then the common flags, then the variant's own). */
  relayArgs: readonly string[];
  kind: SignatureKind;
  /** The signature as the verdict reads it (perAccount resolved), or null when the verdict cannot measure its signal. */
  signature: SignatureExpectation | null;
  /** What the leaky run must show, in words, for the report. */
  expects: string;
  /** Verdict options layered over the run's own (run.ts judgeOptionsFor). */
  judge: JudgeOptions;
  /**
   * `level` signatures: where the level shows and on which handle signal, and
   * under load, whether only the samples taken while a harness trigger ran
   * count (verdict/level.ts).
   */
  level: ProofLevel | null;
  /**
   * Plateau variants: one record's lifetime, after which the leaky run must
   * level off (verdict/plateau.ts), and the slope that counts as growing: what
   * the same store would grow by with no sweep at all, within the variant's
   * tolerance (perEvent × (1 − tolerance)). Else null.
   */
  plateau: { lifetimeMs: number; growthFloor: number } | null;
}

/**
 * Every relay flag of a variant's proof runs: the proofs' keep-alive bound, the
 * common flags, the variant's own. A variant's own --keep-alive-timeout takes
 * the default's place (one flag, so the relay and the drain read one value).
 */
function relayArgsOf(variant: string): string[] {
  const own = [...(PROOF_RELAY_ARGS[variant] ?? [])];
  const at = own.indexOf('--keep-alive-timeout');
  const keepAlive = at === -1 ? String(PROOF_DEFAULTS.keepAliveTimeoutMs) : own.splice(at, 2)[1]!;
  return ['--keep-alive-timeout', keepAlive, ...PROOF_COMMON_RELAY_ARGS, ...own];
}

export function catalogNames(): string[] {
  return LEAK_CATALOG.map((e) => e.name);
}

function isVerdictSignal(signal: string): boolean {
  return (MEMORY_SIGNALS as readonly string[]).includes(signal) || signal.startsWith('handles:');
}

/** The proof plan of a catalog entry for a relay with `accounts` accounts. */
export function proofPlanFor(entry: LeakEntry, accounts: number, overrides: { minJudgedSeconds?: number; minJudgedRequests?: number } = {}): ProofPlan {
  const s = signatureOf(entry);
  const perEvent = s.perAccount === true ? s.perEvent * accounts : s.perEvent;
  // 'allocated' (churn) is read from the probe's allocation estimate, not a
  // post-GC series: checkSignature cannot measure it, the churn ratio does.
  const signature: SignatureExpectation | null = isVerdictSignal(s.signal)
    ? { variant: entry.name, signal: s.signal as SignatureExpectation['signal'], perEvent, event: s.event, ...(s.tolerance === undefined ? {} : { tolerance: s.tolerance }) }
    : null;
  // A retained cost per triggering event is regressed against that event, so
  // the slope is in bytes per event whatever the scenario's mix; costs per
  // request stay on the request axis.
  const perEventAxis = s.kind === 'retained' && s.event !== 'requests';
  const judge: JudgeOptions = {
    minJudgedSeconds: overrides.minJudgedSeconds ?? PROOF_DEFAULTS.minJudgedSeconds,
    minJudgedRequests: overrides.minJudgedRequests ?? PROOF_DEFAULTS.minJudgedRequests,
    warmup: { fraction: PROOF_DEFAULTS.warmupFraction },
    ...(perEventAxis ? { axis: { kind: 'event', event: s.event } } : {}),
    signatures: signature ? [signature] : [],
  };
  const expects: Record<SignatureKind, string> = {
    retained: `LEAK on ${s.signal} (≈ ${perEvent} B per '${s.event}')`,
    handles: `LEAK on ${s.signal} (≈ ${perEvent} per '${s.event}')`,
    churn: `≈ ${perEvent} B allocated per '${s.event}': after/before allocation ratio well below 1`,
    level:
      (s.seen ?? 'drained') === 'drained'
        ? `${s.signal} held at drained checkpoints beyond the pre-load count (a level, not a slope)`
        : s.whileRunning !== undefined
          ? `${s.signal} higher under load than the fixed relay's, in the samples taken while '${s.whileRunning}' runs (a level)`
          : `${s.signal} higher under load than the fixed relay's (a level while '${s.event}' runs)`,
  };
  // A level is not a slope: the verdict's signature check (per-event cost) does not apply.
  const level: ProofLevel | null = s.kind === 'level' ? { where: s.seen ?? 'drained', signal: s.signal, ...(s.whileRunning !== undefined ? { whileRunning: s.whileRunning } : {}) } : null;
  if (level) judge.signatures = [];
  const plateau = level !== null && Object.hasOwn(PROOF_PLATEAUS, entry.name) ? { lifetimeMs: PROOF_PLATEAUS[entry.name]!.lifetimeMs, growthFloor: perEvent * (1 - (s.tolerance ?? 0.5)) } : null;
  if (plateau) expects.level = `${s.signal} levels off after ${Math.round(plateau.lifetimeMs / 1000)} s of load (a plateau, not a leak) above the fixed relay's level`;
  return { variant: entry.name, scenario: entry.scenario, relayArgs: relayArgsOf(entry.name), kind: s.kind, signature: level ? null : signature, expects: expects[s.kind], judge, level, plateau };
}
