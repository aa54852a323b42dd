// A proof as the terminal text people read: one block per variant, and the
// table after `prove all`.

import { formatComparison } from '../verdict/index.ts';
import type { ProofPlan } from '../judge/proof-plan.ts';
import type { ProofResult, ProofStatus } from '../judge/proof.ts';
import { proofAttributionLines } from '../attribute/proof-rows.ts';

export function fmtMs(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

export const STATUS_LABEL: Record<ProofStatus, string> = { holds: 'PROOF HOLDS', failed: 'PROOF FAILED', inconclusive: 'PROOF INCONCLUSIVE', incomplete: 'PROOF INCOMPLETE' };

export function formatProof(r: ProofResult, plan: ProofPlan): string {
  const lines = [`== ${r.variant} (scenario ${r.scenario}; expects ${plan.expects}) ==`];
  lines.push(`leaky run: ${r.leakyDir}`);
  if (r.comparison) {
    lines.push(`  verdict: ${r.leakyLine}`);
    lines.push(`  signature: ${r.signatureLine}`);
    if (r.sitesLine) lines.push(`  top growing allocation site: ${r.sitesLine}`);
    if (r.attribution && r.attribution.length > 0) {
      lines.push('  attribution (after each judged run: snapshot diff, timers, handles, allocation profile; leaky → fixed):');
      for (const l of proofAttributionLines(r.attribution)) lines.push(`    ${l}`);
    }
    lines.push(`fixed run: ${r.fixedDir}`);
    lines.push(`  verdict: ${r.fixedLine}`);
    if (r.serviceLine) lines.push(`  service: ${r.serviceLine}`);
    lines.push('comparison:');
    for (const l of formatComparison(r.comparison).split('\n')) lines.push(`  ${l}`);
  } else {
    lines.push(`fixed run: ${r.fixedDir}`);
  }
  if (r.status === 'holds' && r.comparison && r.comparison.outcome !== 'fix-holds') {
    lines.push(
      plan.kind === 'churn' || plan.kind === 'level'
        ? `note: a ${plan.kind} proof rests on ${plan.kind === 'churn' ? 'the allocation ratio' : 'the level evidence'}, not on slopes (the comparison says ${r.comparison.outcome}); the fixed run, judged on all of its checkpoints, is clean (JS signals and handles NO-LEAK)`
        : `note: the comparison is ${r.comparison.outcome} only on signals other than ${plan.signature?.signal ?? "the variant's"}; that signal is proven fixed and the fixed run is clean (JS signals and handles NO-LEAK)`,
    );
  }
  lines.push(`${STATUS_LABEL[r.status]} in ${fmtMs(r.wallMs)}${r.failures.length > 0 ? `:\n  - ${r.failures.join('\n  - ')}` : ''}`);
  lines.push(`re-compare: npm run soak -- compare ${r.leakyDir} ${r.fixedDir}`);
  return lines.join('\n');
}

/**
 * The table after `prove all`. The proof's own columns come first: its kind and
 * the evidence it decided on, leaky → fixed. The runs' soak verdicts (every
 * signal, judged as `npm run soak` judges a run) follow as context: a 90-s run
 * is often INCONCLUSIVE on signals its proof does not rest on (rss, or heapUsed
 * for a level or churn bug), and a table that put those first read as if a
 * held proof had found nothing.
 */
export function formatProofTable(results: readonly ProofResult[], totalMs: number): string {
  const rows = results.map((r) => [
    r.variant,
    r.scenario,
    r.proofKind,
    r.evidence || '-',
    STATUS_LABEL[r.status].replace('PROOF ', ''),
    fmtMs(r.wallMs),
    `${r.comparison?.before.status ?? '-'} / ${r.fixedStatus ?? '-'}`,
  ]);
  const header = ['variant', 'scenario', 'kind', 'evidence (leaky → fixed)', 'proof', 'time', 'soak verdicts (leaky / fixed)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const held = results.filter((r) => r.status === 'holds').length;
  return [
    fmt(header),
    ...rows.map(fmt),
    '',
    'evidence: retained/handles, the variant\'s signal in the leaky run and whether the comparison proves it fixed; churn, allocated bytes/request after/before (95 % CI);',
    'level, where the level shows. soak verdicts: each run on every signal, as `npm run soak` judges it; the proof requires the fixed run clean, not NO-LEAK on rss.',
    '',
    `${held}/${results.length} proofs hold; total ${fmtMs(totalMs)}`,
  ].join('\n');
}

/** Run the proofs one after the other. Throws SoakError SOAK_ERR_INTERRUPTED when aborted. */