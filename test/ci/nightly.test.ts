// `npm run nightly` (scripts/nightly.ts) end to end, against a stand-in `npm`
// first on PATH: the stand-in records each call, makes the --out folder, and
// exits as told, so the exit codes, the budget's skips, the merge/index step and
// Ctrl-C are checked in seconds without driving any load (the real run is in
// the README's figures, under the bench lock).

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrationCap, indexFileOf, nightlyExit, nightlyPlan, NIGHTLY_FLAGS, statusOf, wallText, type JobResult } from '../../scripts/nightly.ts';
import { parseFlags } from '../../shared/cli/flags.ts';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'nightly-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FAKE_NPM = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_LOG"
trap 'echo got-SIGINT >> "$FAKE_LOG"; kill $hang 2>/dev/null; exit 130' INT
prev=""; for a in "$@"; do [ "$prev" = "--out" ] && mkdir -p "$a"; prev="$a"; done
case "$*" in
  *" merge "*) echo "index: /fake/index.html (2 runs)"; exit "\${FAKE_MERGE_EXIT:-0}" ;;
  *" prove "*) echo "| prove | $* |" >> "$GITHUB_STEP_SUMMARY"; if [ -n "$FAKE_HANG" ]; then sleep 20 >/dev/null 2>&1 & hang=$!; wait $hang; fi; exit "\${FAKE_PROVE_EXIT:-0}" ;;
  *) exit "\${FAKE_OTHER_EXIT:-0}" ;;
esac
`;
const bin = join(tmp, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'npm'), FAKE_NPM);
chmodSync(join(bin, 'npm'), 0o755);

interface Night {
  code: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
  out: string;
}

let n = 0;
function night(args: string[], env: Record<string, string> = {}, onStart?: (pid: number, log: string) => void): Promise<Night> {
  const out = join(tmp, `night-${++n}`);
  const log = join(tmp, `calls-${n}.txt`);
  writeFileSync(log, '');
  const child = spawn(process.execPath, [join(root, 'scripts', 'nightly.ts'), '--out', out, ...args], {
    cwd: root,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_LOG: log, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  onStart?.(child.pid!, log);
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve({ code, stdout, stderr, calls: readFileSync(log, 'utf8').split('\n').filter((l) => l !== ''), out }));
  });
}

describe('npm run nightly (a stand-in npm)', () => {
  it('two proofs that hold, then the merge: exit 0, each proof with its --junit, the index printed', async () => {
    const r = await night(['--only', 'error-body,inflight-map', '--budget', '20m']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.calls[0]).toBe(`run --silent soak -- prove error-body --junit ${r.out}/junit/error-body.xml --out ${r.out}/prove-error-body`);
    expect(r.calls[1]).toMatch(/^run --silent soak -- prove inflight-map --junit \S+\/junit\/inflight-map\.xml --out \S+\/prove-inflight-map$/);
    expect(r.calls.slice(2)).toEqual([`run --silent soak -- merge ${r.out}/prove-error-body ${r.out}/prove-inflight-map --out ${r.out}/merged --junit ${r.out}/junit/merge.xml`]);
    expect(r.stdout).toMatch(/nightly: index: \/fake\/index\.html\n/);
    // Each job's --junit appends its Markdown table to $GITHUB_STEP_SUMMARY: the night's summary.md here.
    expect(readFileSync(join(r.out, 'summary.md'), 'utf8').split('\n').filter((l) => l.startsWith('| prove |'))).toHaveLength(2);
    expect(r.stdout).toContain(`nightly: summary: ${r.out}/summary.md\n`);
    const summary = JSON.parse(readFileSync(join(r.out, 'nightly.json'), 'utf8')) as { exit: number; jobs: JobResult[] };
    expect(summary.exit).toBe(0);
    expect(summary.jobs.map((j) => [j.name, j.status, j.exit])).toEqual([['prove-error-body', 'held', 0], ['prove-inflight-map', 'held', 0], ['merge', 'held', 0]]);
  }, 30_000);

  it('--baseline goes to the merge; a regression there fails the night (exit 1), the index still printed', async () => {
    const r = await night(['--only', 'error-body', '--budget', '20m', '--baseline', '/tmp/last-night'], { FAKE_MERGE_EXIT: '1' });
    expect(r.code).toBe(1);
    expect(r.calls.at(-1)).toBe(`run --silent soak -- merge ${r.out}/prove-error-body --out ${r.out}/merged --junit ${r.out}/junit/merge.xml --baseline /tmp/last-night`);
    expect(r.stdout).toMatch(/regressed against its baseline[\s\S]*nightly: index: \/fake\/index\.html/);
  }, 30_000);

  it('a merge that cannot be written: exit 1, no index', async () => {
    const r = await night(['--only', 'error-body', '--budget', '20m'], { FAKE_MERGE_EXIT: '2' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/nightly: no index written/);
  }, 30_000);

  it('a proof that fails: exit 1', async () => {
    const r = await night(['--only', 'error-body', '--budget', '20m'], { FAKE_PROVE_EXIT: '1' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ failed +prove-error-body \(exit 1,/);
  }, 30_000);

  it('a budget nothing fits in: every job skipped and said, nothing run, exit 3', async () => {
    const r = await night(['--only', 'error-body,inflight-map', '--budget', '3m']);
    expect(r.code).toBe(3);
    expect(r.calls).toEqual([]);
    expect(r.stdout).toMatch(/skipped prove-error-body: needs ≈ 5 min 00 s, the budget leaves 2 min 00 s/);
  }, 30_000);

  it('an unknown variant: exit 2 naming it and the valid ones, nothing started', async () => {
    const r = await night(['--only', 'error-body,nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nightly: --only: unknown variant "nope"; valid: all, account-clone, error-body/);
    expect(r.calls).toEqual([]);
    expect(existsSync(r.out)).toBe(false);
  }, 30_000);

  it('SIGINT stops the running job (the job itself gets SIGINT) and exits 130', async () => {
    let sent = false;
    const r = await night(['--only', 'error-body,inflight-map', '--budget', '20m'], { FAKE_HANG: '1' }, (pid, log) => {
      const poll = setInterval(() => {
        if (!sent && readFileSync(log, 'utf8').includes(' prove ')) {
          sent = true;
          clearInterval(poll);
          setTimeout(() => process.kill(pid, 'SIGINT'), 300);
        }
      }, 50);
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.calls).toEqual([expect.stringContaining(' prove error-body '), 'got-SIGINT']);
    expect(r.stderr).toMatch(/nightly: interrupted by SIGINT/);
    // What ran is recorded; the second proof never started.
    const summary = JSON.parse(readFileSync(join(r.out, 'nightly.json'), 'utf8')) as { exit: number; jobs: JobResult[] };
    expect(summary.exit).toBe(130);
    expect(summary.jobs.map((j) => [j.name, j.exit])).toEqual([['prove-error-body', 130]]);
  }, 30_000);
});

describe('scripts/nightly.ts pieces', () => {
  const job = (status: JobResult['status']): JobResult => ({ name: 'x', status, exit: status === 'skipped' ? null : 0, wallMs: 0, note: '' });

  it('exit codes: 0 all held, 1 one did not or the merge regressed or failed, 3 nothing judged', () => {
    expect(nightlyExit([job('held'), job('skipped')], 'clean')).toBe(0);
    expect(nightlyExit([job('held'), job('failed')], 'clean')).toBe(1);
    expect(nightlyExit([job('held'), job('not-judged')], 'clean')).toBe(1);
    expect(nightlyExit([job('held')], 'regressed')).toBe(1);
    expect(nightlyExit([job('held')], 'failed')).toBe(1);
    expect(nightlyExit([job('skipped'), job('skipped')], 'none')).toBe(3);
    expect(nightlyExit([job('not-judged')], 'clean')).toBe(3);
    expect(nightlyExit([], 'none')).toBe(3);
  });

  it("a job's exit code → what it says", () => {
    expect(statusOf('prove', 0)).toBe('held');
    expect(statusOf('prove', 1)).toBe('failed');
    expect(statusOf('prove', 2)).toBe('not-judged');
    expect(statusOf('soak', 1)).toBe('failed');
    expect(statusOf('soak', 4)).toBe('failed');
    expect(statusOf('calibrate', 3)).toBe('failed');
    expect(statusOf('merge', 1)).toBe('failed');
    expect(statusOf('merge', 2)).toBe('not-judged');
  });

  it('the plan: variants from the catalog, SOAK_NIGHTLY_STATE as the default parent, a bad SOAK_CALIBRATION_BUDGET named', () => {
    const values = parseFlags(NIGHTLY_FLAGS, ['--only', 'inflight-map,error-body,inflight-map']).values;
    expect(nightlyPlan(values, new Date('2026-12-03T02:17:05Z'))).toMatchObject({ variants: ['inflight-map', 'error-body'], out: join(root, 'reports/nightly/20261203-021705') });
    expect(() => nightlyPlan(parseFlags(NIGHTLY_FLAGS, ['--only', 'nope']).values)).toThrow(/--only: unknown variant "nope"/);
    expect(calibrationCap(undefined)).toBe(Infinity);
    expect(calibrationCap('4h')).toBe(4 * 3_600_000);
    expect(() => calibrationCap('4 hours')).toThrow(/SOAK_CALIBRATION_BUDGET: expected a duration/);
  });

  it('index lines and wall times', () => {
    expect(indexFileOf('junit: x\nindex: /a/b/index.html (3 runs)\n')).toBe('/a/b/index.html');
    expect(indexFileOf('index: /a/index.html\n')).toBe('/a/index.html');
    expect(indexFileOf('nothing')).toBeNull();
    expect(wallText(4 * 60_000 + 33_000)).toBe('4 min 33 s');
    expect(wallText(48_000)).toBe('48 s');
    expect(wallText(3_900_000)).toBe('1 h 05 min');
  });
});
