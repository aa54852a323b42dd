// Runs diff-main.ts in a child process and reads its result: the harness
// never parses a snapshot in its own heap.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoakError } from '../errors.ts';
import type { SnapshotDiffResult } from './types.ts';

const DIFF_MAIN = join(import.meta.dirname, 'diff-main.ts');
/** Three 185 MiB snapshots (a 169 MB heap) would parse in ~25 s; 2 min leaves room on a loaded box. */
const DEFAULT_TIMEOUT_MS = 120_000;

export async function runDiffProcess(files: readonly string[], opts: { requests: number | null; projectRoot: string; timeoutMs?: number }): Promise<SnapshotDiffResult> {
  const dir = mkdtempSync(join(tmpdir(), 'soak-diff-'));
  const out = join(dir, 'diff.json');
  try {
    const args = ['--max-old-space-size=4096', DIFF_MAIN, '--out', out, '--project-root', opts.projectRoot, ...(opts.requests !== null ? ['--requests', String(opts.requests)] : []), ...files];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4_000);
    });
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new SoakError('SOAK_ERR_ATTRIBUTION', `the snapshot diff did not finish within ${Math.round(timeoutMs / 1000)} s (killed)`));
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new SoakError('SOAK_ERR_ATTRIBUTION', `the snapshot diff could not start: ${err.message}`));
      });
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0) throw new SoakError('SOAK_ERR_ATTRIBUTION', `the snapshot diff exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(readFileSync(out, 'utf8')) as SnapshotDiffResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
