import { describe, expect, it } from 'vitest';
import type { ProofResult } from '../judge/proof.ts';
import type { RunVerdict } from '../verdict/index.ts';
import { junitXml, proofSuite, runSuite, xmlEscape, type JunitSuite } from './junit.ts';
import { stepSummary } from './step-summary.ts';

/**
 * A small strict reader for the XML we write: well-formed nesting, quoted
 * attributes, only the JUnit elements and attributes CI readers know, and
 * counts that add up. Returns the elements with their attributes.
 */
interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}
const ALLOWED: Record<string, readonly string[]> = {
  testsuites: ['name', 'tests', 'failures', 'errors', 'skipped', 'time'],
  testsuite: ['name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp'],
  testcase: ['classname', 'name', 'time'],
  failure: ['message'],
  skipped: ['message'],
  error: ['message'],
  'system-out': [],
};
function parse(xml: string): El {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const body = xml.slice(xml.indexOf('\n') + 1);
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const tag = /<(\/?)([a-z-]+)((?:\s+[a-z]+="[^"<>]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = tag.exec(body)) !== null) {
    consumed = tag.lastIndex;
    if (m[5] !== undefined) {
      expect(m[5]).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/); // only the escapes we emit
      stack.at(-1)!.text += m[5];
      continue;
    }
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      expect(stack.pop()!.name).toBe(name);
      continue;
    }
    expect(Object.keys(ALLOWED)).toContain(name);
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([a-z]+)="([^"]*)"/g)) {
      expect(ALLOWED[name!]).toContain(a[1]);
      attrs[a[1]!] = a[2]!;
    }
    const el: El = { name: name!, attrs, children: [], text: '' };
    stack.at(-1)!.children.push(el);
    if (!selfClose) stack.push(el);
  }
  expect(consumed).toBe(body.length);
  expect(stack).toHaveLength(1);
  expect(root.children.map((c) => c.name)).toEqual(['testsuites']);
  return root.children[0]!;
}
function checkCounts(suites: El): void {
  let tests = 0;
  for (const s of suites.children) {
    expect(s.name).toBe('testsuite');
    const cases = s.children;
    const kind = (k: string) => cases.filter((c) => c.children.some((x) => x.name === k)).length;
    expect(Number(s.attrs.tests)).toBe(cases.length);
    expect(Number(s.attrs.failures)).toBe(kind('failure'));
    expect(Number(s.attrs.errors)).toBe(kind('error'));
    expect(Number(s.attrs.skipped)).toBe(kind('skipped'));
    expect(s.attrs.time).toMatch(/^\d+\.\d{3}$/);
    for (const c of cases) expect(c.attrs.time).toMatch(/^\d+\.\d{3}$/);
    tests += cases.length;
  }
  expect(Number(suites.attrs.tests)).toBe(tests);
}

const memory = (signal: string, status: string, slope: number, extra: object = {}) => ({
  signal,
  status,
  reasons: [`${signal} reason`],
  n: 10,
  unit: 'B/request',
  floor: 32,
  slope,
  lower: slope - 5,
  upper: slope + 5,
  minimalDetectableSlope: 40,
  ...extra,
});
const verdict = {
  status: 'LEAK',
  run: { scenario: 'mixed' },
  served: { status: 'served', reason: '' },
  memory: [memory('heapUsed', 'LEAK', 451.2), memory('rss', 'NO-LEAK', 2), memory('external', 'INCONCLUSIVE', 10)],
  handles: { status: 'LEAK', types: [{ type: 'TCPSocketWrap', status: 'LEAK', delta: 40, reason: 'grew <&> "every" checkpoint' }, { type: 'fds', status: 'NO-LEAK', delta: 0, reason: '' }] },
} as unknown as RunVerdict;

describe('JUnit XML', () => {
  it('a LEAK run: one case per signal and handle type, LEAK as <failure> with slope [CI] vs δ, INCONCLUSIVE as <skipped>', () => {
    const xml = junitXml([runSuite({ scenario: 'mixed', outcome: { status: 'completed' }, verdict, wallMs: 65_432, startedAt: '2026-12-03T06:00:00.000Z', runDir: '/runs/a', reportFile: '/runs/a/report.html' })]);
    const root = parse(xml);
    checkCounts(root);
    const cases = root.children[0]!.children;
    expect(cases.map((c) => `${c.attrs.classname} ${c.attrs.name}`)).toEqual([
      'soak.mixed run completed',
      'soak.mixed target served the load',
      'soak.mixed.memory heapUsed',
      'soak.mixed.memory rss',
      'soak.mixed.memory external',
      'soak.mixed.handles TCPSocketWrap',
      'soak.mixed.handles fds',
    ]);
    const heap = cases[2]!.children.find((c) => c.name === 'failure')!;
    expect(heap.attrs.message).toBe('heapUsed LEAK: slope 451 B/request [446, 456] vs δ 32');
    expect(cases[4]!.children[0]!.name).toBe('skipped');
    expect(cases[5]!.children[0]!.attrs.message).toContain('&lt;&amp;&gt; &quot;every&quot;');
    expect(cases[0]!.children.find((c) => c.name === 'system-out')!.text).toContain('report: /runs/a/report.html');
    expect(root.attrs.time).toBe('65.432');
  });

  it("a Go target's vitals are cases of their own: a leaking goroutine count fails with its slope and interval", () => {
    const vital = (key: string, status: string, slope: number) => ({ key, kind: 'slope', source: 'metrics', chosen: false, status, reason: `${key} reason`, unit: '/1k requests', floor: 2, slope, lower: slope - 1, upper: slope + 1, n: 10, first: 1, last: 2, delta: 1 });
    const v = { ...verdict, vitals: { status: 'LEAK', heapTop: null, signals: [vital('go_goroutines', 'LEAK', 325.9), vital('process_open_fds', 'NO-LEAK', 0.4)] } } as unknown as RunVerdict;
    const root = parse(junitXml([runSuite({ scenario: 'error-storm', outcome: { status: 'completed' }, verdict: v, wallMs: 1000, startedAt: '2026-12-03T06:00:00.000Z', runDir: '/r', reportFile: null })]));
    checkCounts(root);
    const cases = root.children[0]!.children.filter((c) => c.attrs.classname === 'soak.error-storm.vitals');
    expect(cases.map((c) => c.attrs.name)).toEqual(['go_goroutines', 'process_open_fds']);
    expect(cases[0]!.children.find((c) => c.name === 'failure')!.attrs.message).toBe('go_goroutines LEAK: +325.9/1k requests [325, 327] vs δ 2');
    expect(cases[1]!.children.some((c) => c.name === 'failure')).toBe(false);
  });

  it('a crashed run is an <error> with the target stderr; an unserved one fails its "served" case', () => {
    const unserved = { ...verdict, memory: [], handles: { types: [] }, served: { status: 'not-served', reason: '0 % of 100 correct' } } as unknown as RunVerdict;
    const root = parse(
      junitXml([
        runSuite({ scenario: 'mixed', outcome: { status: 'target-crashed', exitCode: 1, signal: null, stderrTail: ['boom'] }, verdict: unserved, wallMs: 1000, startedAt: 'x', runDir: '/r', reportFile: null }),
      ]),
    );
    checkCounts(root);
    const [run, served] = root.children[0]!.children;
    expect(run!.children[0]!.name).toBe('error');
    expect(run!.children[0]!.text).toBe('boom');
    expect(served!.children[0]!.attrs.message).toBe('target did not serve the load: 0 % of 100 correct');
  });

  it('proofs: holds passes, failed fails with the leaky and fixed lines, inconclusive is skipped, incomplete is an error', () => {
    const p = (variant: string, status: ProofResult['status']): ProofResult =>
      ({ variant, scenario: 'mixed', status, failures: status === 'holds' ? [] : [`${variant} why`], leakyDir: `/p/${variant}-leaky`, fixedDir: `/p/${variant}-fixed`, leakyLine: 'LEAK 450', fixedLine: 'NO-LEAK 2', signatureLine: '', wallMs: 240_000 }) as unknown as ProofResult;
    const suite = proofSuite([p('a', 'holds'), p('b', 'failed'), p('c', 'inconclusive'), p('d', 'incomplete')], 'now', new Map([['a', '/p/a.html']]));
    const root = parse(junitXml([suite]));
    checkCounts(root);
    const kinds = root.children[0]!.children.map((c) => c.children.find((x) => x.name !== 'system-out')?.name ?? 'pass');
    expect(kinds).toEqual(['pass', 'failure', 'skipped', 'error']);
    expect(root.children[0]!.children[1]!.children[0]!.text).toContain('leaky: LEAK 450');
    expect(root.children[0]!.children[0]!.children.at(-1)!.text).toContain('proof report: /p/a.html');
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    expect(xmlEscape('a<b>&"c"\u0001')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
  });
});

describe('job summary', () => {
  it('is a Markdown table per suite, and stays under the byte cap with a line saying rows were cut', () => {
    const many: JunitSuite = { name: 'prove', timestamp: 'x', timeSec: 60, cases: Array.from({ length: 2000 }, (_, i) => ({ classname: 'prove.mixed', name: `v${i}`, timeSec: 1, result: { kind: 'failure' as const, message: `v${i} | failed `.padEnd(300, 'x') } })) };
    const md = stepSummary([many], 64 * 1024);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(64 * 1024);
    expect(md).toMatch(/^### prove: ❌ failed \(1\.0 min\)/);
    expect(md).toContain('| prove.mixed › v0 | ❌ fail | v0 \\| failed');
    expect(md).toMatch(/_\d+ rows cut to stay under GitHub's 1 MiB step-summary limit/);
  });
});
