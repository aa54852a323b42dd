// The same verdicts as a GitHub job summary: Markdown appended to the file
// $GITHUB_STEP_SUMMARY names, shown on the workflow run's page. GitHub caps
// one step's summary at 1 MiB and drops a larger one whole, so rows are cut
// (with a line saying how many) to stay under the cap.

import type { JunitCase, JunitSuite } from './junit.ts';

export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;

const ICON: Record<JunitCase['result']['kind'], string> = { pass: '✅ pass', failure: '❌ fail', skipped: '⚠️ inconclusive', error: '💥 error' };

/** Markdown table cells: one line, no pipes breaking the table. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').slice(0, 500);
}

export function stepSummary(suites: readonly JunitSuite[], maxBytes = STEP_SUMMARY_MAX_BYTES): string {
  const out: string[] = [];
  let bytes = 0;
  let dropped = 0;
  const push = (line: string): boolean => {
    const size = Buffer.byteLength(line) + 1;
    if (bytes + size > maxBytes - 200) return false; // room for the "rows cut" line
    out.push(line);
    bytes += size;
    return true;
  };
  for (const s of suites) {
    const failed = s.cases.some((c) => c.result.kind === 'failure' || c.result.kind === 'error');
    const inconclusive = s.cases.some((c) => c.result.kind === 'skipped');
    push(`### ${s.name}: ${failed ? '❌ failed' : inconclusive ? '⚠️ inconclusive' : '✅ passed'} (${(s.timeSec / 60).toFixed(1)} min)`);
    push('');
    push('| check | result | detail |');
    push('| --- | --- | --- |');
    for (const c of s.cases) {
      const detail = c.result.kind === 'pass' ? (c.systemOut ?? '') : c.result.message;
      if (!push(`| ${cell(`${c.classname} › ${c.name}`)} | ${ICON[c.result.kind]} | ${cell(detail)} |`)) dropped++;
    }
    push('');
  }
  if (dropped > 0) out.push(`_${dropped} rows cut to stay under GitHub's 1 MiB step-summary limit; the JUnit file has them all._`);
  return `${out.join('\n')}\n`;
}
