// `merge --junit FILE`: one <testcase> per scenario+variant group and one per
// proof variant, judged against the baseline (baseline.ts). A group with a
// regressed run → <failure> with the numbers (every regressed run in the
// detail); a group where nothing could be compared (its first night, no
// baseline of it) → <skipped> saying why; otherwise a pass naming what each
// run was held to. Pure: suites in, harness/output/write.ts writes them.

import type { JunitCase, JunitSuite } from '../output/junit.ts';
import type { HeldToJudgement } from './baseline.ts';

function caseOf(classname: string, name: string, items: ReadonlyArray<{ label: string; result: HeldToJudgement['runList'][number]['result'] }>, indexFile: string): JunitCase {
  const lines: string[] = [];
  const failures: string[] = [];
  for (const { label, result } of items) {
    if (result.against === null) {
      lines.push(`${label}: ${result.note ?? 'not compared'}`);
      continue;
    }
    const bad = result.checks.filter((c) => c.regressed);
    for (const c of bad) failures.push(`${label} vs ${result.against.label}: ${c.text}`);
    lines.push(`${label} held to ${result.against.label} (${result.against.where}): ${bad.length === 0 ? 'no regression' : `${bad.length} regression${bad.length === 1 ? '' : 's'}`}`);
  }
  const compared = items.some((i) => i.result.against !== null);
  const result: JunitCase['result'] =
    failures.length > 0
      ? { kind: 'failure', message: failures.length === 1 ? failures[0]! : `${failures[0]} (+${failures.length - 1} more)`, detail: failures.join('\n') }
      : compared
        ? { kind: 'pass' }
        : { kind: 'skipped', message: `nothing to compare with: ${items[0]?.result.note ?? 'no baseline'}` };
  return { classname, name, timeSec: 0, result, systemOut: [...lines, `index: ${indexFile}`].join('\n') };
}

export function mergeSuite(j: HeldToJudgement, indexFile: string, startedAt: string, wallMs: number): JunitSuite {
  const groups = new Map<string, { scenario: string; variant: string; items: Array<{ label: string; result: HeldToJudgement['runList'][number]['result'] }> }>();
  for (const { run, result } of j.runList) {
    const key = `${run.scenario}\u0000${run.variant}`;
    const g = groups.get(key) ?? { scenario: run.scenario, variant: run.variant, items: [] };
    g.items.push({ label: run.label, result });
    groups.set(key, g);
  }
  const proofs = new Map<string, Array<{ label: string; result: HeldToJudgement['runList'][number]['result'] }>>();
  for (const { proof, result } of j.proofList) {
    const list = proofs.get(proof.variant) ?? [];
    list.push({ label: `proof ${proof.variant}${proof.finishedAt ? ` (${proof.finishedAt.slice(0, 16)}Z)` : ''}`, result });
    proofs.set(proof.variant, list);
  }
  const cases = [
    ...[...groups.values()].sort((a, b) => (a.scenario + a.variant < b.scenario + b.variant ? -1 : 1)).map((g) => caseOf(`merge.${g.scenario}`, g.variant, g.items, indexFile)),
    ...[...proofs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([variant, items]) => caseOf('merge.proof', variant, items, indexFile)),
  ];
  return { name: 'merge', timestamp: startedAt, timeSec: wallMs / 1000, cases };
}
