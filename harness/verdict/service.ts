// Does a fix keep the service working? A fix that stops a leak by timing
// requests out sooner, refusing them, or cutting bodies short would pass every
// memory check and still be a regression. So a proof compares what clients got
// from the fixed run against the leaky run, per kind of failure, as shares of
// the attempts (the runs serve different request counts: a pinned or churning
// leaky relay is slower):
//   - unexcused failures: attempts the fault plan does not account for that got
//     no correct answer (served.ts: attempts − excused − correct);
//   - no answer: connection errors, cut responses and timeouts;
//   - timeouts: the part of those the client gave up on;
//   - body mismatches: a 2xx whose body failed the checks.
// The fixed run is WORSE on a kind when its share is higher by more than
// SERVICE_MARGIN (absolute) AND the difference is significant (one-sided
// two-proportion z above SERVICE_Z). Both: with 25 000 attempts a run, 0.3 %
// against 0.2 % is "significant" and means nothing; with 200 attempts, 3 %
// against 1 % is four requests. Pure: no I/O.

import type { ServedCounts, ServedLoad } from './served.ts';

/** Smallest worsening, as a share of attempts, that counts (one request in 200). */
export const SERVICE_MARGIN = 0.005;

/** One-sided z for "significantly higher": p ≈ 0.001, so the few kinds × proofs of `prove all` rarely fail by chance. */
export const SERVICE_Z = 3.09;

export type ServiceKind = 'unexcused failures' | 'no answer' | 'timeouts' | 'body mismatches';

export interface ServiceRow {
  kind: ServiceKind;
  leaky: { count: number; attempts: number; share: number };
  fixed: { count: number; attempts: number; share: number };
  /** One-sided two-proportion z (fixed − leaky); 0 when both are 0. */
  z: number;
  worse: boolean;
}

export interface ServiceComparison {
  /** 'unknown': one of the runs carries no load windows (nothing to compare). */
  status: 'no-worse' | 'worse' | 'unknown';
  rows: ServiceRow[];
  /** One line: `fixed no worse: unexcused failures 0.10 % (leaky 0.30 %), …` or what got worse. */
  line: string;
}

function counts(c: ServedCounts): Record<ServiceKind, number> {
  return {
    'unexcused failures': Math.max(0, c.attempts - c.excused - c.correct),
    'no answer': c.errors,
    timeouts: c.timeouts,
    'body mismatches': c.mismatches,
  };
}

/** One-sided two-proportion z statistic of b's share over a's (pooled variance). */
export function twoProportionZ(aCount: number, aN: number, bCount: number, bN: number): number {
  if (aN <= 0 || bN <= 0) return 0;
  const pooled = (aCount + bCount) / (aN + bN);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / aN + 1 / bN));
  if (se === 0) return 0;
  return (bCount / bN - aCount / aN) / se;
}

const pct = (x: number): string => `${x === 0 ? '0' : x < 0.001 ? (x * 100).toFixed(3) : x < 0.1 ? (x * 100).toFixed(2) : (x * 100).toFixed(1)} %`;

/** The fixed run's service against the leaky run's (served.ts totals of each). */
export function compareService(leaky: ServedLoad | undefined, fixed: ServedLoad | undefined): ServiceComparison {
  if (!leaky || !fixed || leaky.status === 'unknown' || fixed.status === 'unknown' || leaky.total.attempts === 0 || fixed.total.attempts === 0) {
    return { status: 'unknown', rows: [], line: 'service not compared: a run carries no load windows' };
  }
  const a = counts(leaky.total);
  const b = counts(fixed.total);
  const an = leaky.total.attempts;
  const bn = fixed.total.attempts;
  const rows: ServiceRow[] = (Object.keys(a) as ServiceKind[]).map((kind) => {
    const la = a[kind];
    const fb = b[kind];
    const z = twoProportionZ(la, an, fb, bn);
    const worse = fb / bn - la / an > SERVICE_MARGIN && z > SERVICE_Z;
    return { kind, leaky: { count: la, attempts: an, share: la / an }, fixed: { count: fb, attempts: bn, share: fb / bn }, z, worse };
  });
  const bad = rows.filter((r) => r.worse);
  const say = (r: ServiceRow): string => `${r.kind} ${pct(r.fixed.share)} (${r.fixed.count}/${r.fixed.attempts}) vs leaky ${pct(r.leaky.share)} (${r.leaky.count}/${r.leaky.attempts})`;
  if (bad.length > 0) {
    return { status: 'worse', rows, line: `the fix costs service: ${bad.map((r) => `${say(r)}, z ${r.z.toFixed(1)}`).join('; ')}` };
  }
  return { status: 'no-worse', rows, line: `fixed no worse: ${rows.map((r) => `${r.kind} ${pct(r.fixed.share)} (leaky ${pct(r.leaky.share)})`).join(', ')}` };
}
