// Verdicts as JUnit XML, the result format every CI system reads natively
// (GitHub Actions reporters, GitLab's `artifacts:reports:junit`, Jenkins,
// Buildkite test analytics). One <testcase> per thing that can fail on its
// own: each memory signal and handle type of a run, whether the target served
// the load, and how the run ended; each proof of `prove`; each signal and
// handle type of `compare`. The mapping is the one CI users expect:
//
//   LEAK, a failed proof, a regression, unserved load  → <failure message="…">
//   INCONCLUSIVE, not measured                         → <skipped message="…why…">
//   a run that crashed, failed or was interrupted      → <error message="…">
//
// `time` is in seconds. Pure: XML text in, the caller writes it.

import { proofAttributionLines } from '../attribute/proof-rows.ts';
import type { RunOutcome } from '../records.ts';
import type { ProofResult } from '../judge/proof.ts';
import { vitalGrowthText, vitalLine, type RunComparison, type RunVerdict } from '../verdict/index.ts';

export interface JunitCase {
  classname: string;
  name: string;
  timeSec: number;
  result: { kind: 'pass' } | { kind: 'failure' | 'skipped' | 'error'; message: string; detail?: string };
  systemOut?: string;
}

export interface JunitSuite {
  name: string;
  timestamp: string;
  timeSec: number;
  cases: JunitCase[];
}

/** XML 1.0: escape markup, drop the control characters it cannot carry at all. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const secs = (s: number) => (Number.isFinite(s) && s > 0 ? s : 0).toFixed(3);

export function junitXml(suites: readonly JunitSuite[]): string {
  const count = (s: JunitSuite, k: 'failure' | 'skipped' | 'error') => s.cases.filter((c) => c.result.kind === k).length;
  const total = (k: 'failure' | 'skipped' | 'error') => suites.reduce((n, s) => n + count(s, k), 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites name="relay-soak" tests="${suites.reduce((n, s) => n + s.cases.length, 0)}" failures="${total('failure')}" errors="${total('error')}" skipped="${total('skipped')}" time="${secs(suites.reduce((n, s) => n + s.timeSec, 0))}">`,
  );
  for (const s of suites) {
    lines.push(
      `  <testsuite name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${count(s, 'failure')}" errors="${count(s, 'error')}" skipped="${count(s, 'skipped')}" time="${secs(s.timeSec)}" timestamp="${xmlEscape(s.timestamp)}">`,
    );
    for (const c of s.cases) {
      const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${secs(c.timeSec)}"`;
      const body: string[] = [];
      const r = c.result;
      if (r.kind !== 'pass') body.push(`      <${r.kind} message="${xmlEscape(r.message)}"${r.detail ? `>${xmlEscape(r.detail)}</${r.kind}>` : '/>'}`);
      if (c.systemOut) body.push(`      <system-out>${xmlEscape(c.systemOut)}</system-out>`);
      lines.push(body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

const n = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));

function outcomeCase(classname: string, outcome: RunOutcome, timeSec: number, out: string): JunitCase {
  const result: JunitCase['result'] =
    outcome.status === 'completed'
      ? { kind: 'pass' }
      : outcome.status === 'interrupted'
        ? { kind: 'error', message: `interrupted by ${outcome.signal}` }
        : outcome.status === 'target-crashed'
          ? { kind: 'error', message: `target crashed (exit code ${outcome.exitCode}, signal ${outcome.signal})`, detail: outcome.stderrTail.join('\n') }
          : { kind: 'error', message: `run failed (${outcome.code})`, detail: outcome.error };
  return { classname, name: 'run completed', timeSec, result, systemOut: out };
}

export interface RunJunitInput {
  scenario: string;
  outcome: RunOutcome;
  verdict: RunVerdict | null;
  wallMs: number;
  startedAt: string;
  /** Run folder and report paths, for <system-out>. */
  runDir: string;
  reportFile: string | null;
}

/** One soak run: how it ended, whether the load was served, each memory signal and handle type. */
export function runSuite(r: RunJunitInput): JunitSuite {
  const cls = `soak.${r.scenario}`;
  const timeSec = r.wallMs / 1000;
  const where = `run folder: ${r.runDir}${r.reportFile ? `\nreport: ${r.reportFile}` : ''}`;
  const cases: JunitCase[] = [outcomeCase(cls, r.outcome, timeSec, where)];
  const v = r.verdict;
  if (v) {
    if (v.served && v.served.status !== 'unknown') {
      cases.push({
        classname: cls,
        name: 'target served the load',
        timeSec: 0,
        result: v.served.status === 'served' ? { kind: 'pass' } : { kind: 'failure', message: `target did not serve the load: ${v.served.reason}` },
      });
    }
    for (const m of v.memory) {
      const line = `${m.signal} ${m.status}: slope ${n(m.slope)} ${m.unit} [${n(m.lower)}, ${n(m.upper)}] vs δ ${m.floor}`;
      const result: JunitCase['result'] =
        m.status === 'LEAK' || m.status === 'NATIVE-GROWTH'
          ? { kind: 'failure', message: line, detail: m.reasons.join('\n') }
          : m.status === 'NO-LEAK'
            ? { kind: 'pass' }
            : { kind: 'skipped', message: `${m.signal} ${m.status}: ${m.reasons[0] ?? 'not judged'}` };
      cases.push({ classname: `${cls}.memory`, name: m.signal, timeSec: 0, result, systemOut: m.status === 'NO-LEAK' ? `${line}; sees ≥ ${n(m.minimalDetectableSlope)} ${m.unit}` : undefined });
    }
    for (const h of v.handles.types) {
      const result: JunitCase['result'] =
        h.status === 'LEAK' ? { kind: 'failure', message: `${h.type} LEAK: Δ ${h.delta} (${h.reason})` } : h.status === 'NO-LEAK' ? { kind: 'pass' } : { kind: 'skipped', message: `${h.type} ${h.status}: ${h.reason}` };
      cases.push({ classname: `${cls}.handles`, name: h.type, timeSec: 0, result });
    }
    for (const s of v.vitals?.signals ?? []) {
      const line = `${s.key} ${s.status}: ${vitalGrowthText(s)}${s.kind === 'slope' && s.lower !== null ? ` [${n(s.lower)}, ${n(s.upper)}] vs δ ${s.floor}` : ''}`;
      const result: JunitCase['result'] =
        s.status === 'LEAK' ? { kind: 'failure', message: line, detail: s.reason } : s.status === 'NO-LEAK' ? { kind: 'pass' } : { kind: 'skipped', message: `${s.key} ${s.status}: ${s.reason}` };
      cases.push({ classname: `${cls}.vitals`, name: s.key, timeSec: 0, result, systemOut: s.status === 'NO-LEAK' ? line : undefined });
    }
  }
  return { name: `soak ${r.scenario}`, timestamp: r.startedAt, timeSec, cases };
}

/** `prove`: one case per proof; its report and run folders in <system-out>. */
export function proofSuite(results: readonly ProofResult[], startedAt: string, reportFiles: ReadonlyMap<string, string> = new Map()): JunitSuite {
  const cases = results.map((p): JunitCase => {
    const message = `${p.variant}: proof ${p.status}${p.failures.length > 0 ? `: ${p.failures[0]}` : ''}`;
    const detail = [`leaky: ${p.leakyLine}`, `fixed: ${p.fixedLine}`, ...(p.serviceLine ? [`service: ${p.serviceLine}`] : []), ...(p.signatureLine ? [`signature: ${p.signatureLine}`] : []), ...(p.sitesLine ? [`top growing allocation site: ${p.sitesLine}`] : []), ...proofAttributionLines(p.attribution ?? []).map((l) => `attribution: ${l}`), ...p.failures].join('\n');
    const result: JunitCase['result'] =
      p.status === 'holds' ? { kind: 'pass' } : p.status === 'failed' ? { kind: 'failure', message, detail } : p.status === 'inconclusive' ? { kind: 'skipped', message } : { kind: 'error', message, detail };
    const report = reportFiles.get(p.variant);
    return {
      classname: `prove.${p.scenario}`,
      name: p.variant,
      timeSec: p.wallMs / 1000,
      result,
      systemOut: [`leaky run: ${p.leakyDir}`, `fixed run: ${p.fixedDir}`, ...(report ? [`proof report: ${report}`] : []), ...(p.status === 'holds' ? [detail] : [])].join('\n'),
    };
  });
  return { name: 'prove', timestamp: startedAt, timeSec: results.reduce((s, p) => s + p.wallMs / 1000, 0), cases };
}

/** `compare`: one case per memory signal and handle type, judged before → after. */
export function comparisonSuite(c: RunComparison, startedAt: string, wallMs: number, reportFile: string | null): JunitSuite {
  const cases: JunitCase[] = [];
  for (const s of c.signals) {
    const line = `${s.signal} ${s.outcome}: before ${n(s.before.slope)} [${n(s.before.lower)}, ${n(s.before.upper)}], after ${n(s.after.slope)} [${n(s.after.lower)}, ${n(s.after.upper)}] ${s.unit}, δ ${s.floor}`;
    const result: JunitCase['result'] =
      s.outcome === 'regressed' || s.outcome === 'still-leaking'
        ? { kind: 'failure', message: line, detail: s.reason }
        : s.outcome === 'fixed' || s.outcome === 'clean'
          ? { kind: 'pass' }
          : { kind: 'skipped', message: `${s.signal} ${s.outcome}: ${s.reason}` };
    cases.push({ classname: 'compare.memory', name: s.signal, timeSec: 0, result, systemOut: result.kind === 'pass' ? line : undefined });
  }
  for (const h of c.handles) {
    const failed = h.after.status === 'LEAK';
    cases.push({
      classname: 'compare.handles',
      name: h.type,
      timeSec: 0,
      result: failed ? { kind: 'failure', message: `${h.type}: after ${h.after.status} Δ ${h.after.delta} (before ${h.before.status} Δ ${h.before.delta})` } : { kind: 'pass' },
    });
  }
  for (const v of c.vitals ?? []) {
    const failed = v.outcome === 'regressed' || v.outcome === 'still-leaking';
    cases.push({
      classname: 'compare.vitals',
      name: v.key,
      timeSec: 0,
      result: failed ? { kind: 'failure', message: vitalLine(v) } : v.outcome === 'inconclusive' ? { kind: 'skipped', message: vitalLine(v) } : { kind: 'pass' },
      systemOut: failed ? undefined : vitalLine(v),
    });
  }
  const overall: JunitCase['result'] =
    c.outcome === 'fix-holds'
      ? { kind: 'pass' }
      : c.outcome === 'inconclusive'
        ? { kind: 'skipped', message: `inconclusive: ${c.reasons[0] ?? ''}` }
        : { kind: 'failure', message: `${c.outcome}: ${c.reasons[0] ?? ''}`, detail: c.reasons.join('\n') };
  cases.unshift({ classname: 'compare', name: 'fix holds', timeSec: wallMs / 1000, result: overall, systemOut: reportFile ? `report: ${reportFile}` : undefined });
  return { name: 'compare', timestamp: startedAt, timeSec: wallMs / 1000, cases };
}
