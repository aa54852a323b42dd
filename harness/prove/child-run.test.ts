// runInChild starts run-one.ts for real: a spec it refuses comes back as a
// failed run naming why, and an abort reaches the child as the signal that
// caused it (the run is interrupted, its folder kept, nothing left running).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interruptReason } from '../errors.ts';
import { runInChild } from './child-run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'child-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function collect(): NodeJS.WritableStream & { text: () => string } {
  let text = '';
  return { write: (s: string) => ((text += s), true), text: () => text } as unknown as NodeJS.WritableStream & { text: () => string };
}

describe('runInChild', () => {
  it('a spec the child refuses: a failed run naming the field, nothing started', async () => {
    const progress = collect();
    const outcome = await runInChild({ variant: 'no-such', side: 'leaky', dir: join(tmp, 'x'), settings: {} }, { prefix: '[x] ', progress });
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatch(/ended without a result \(exit code 2.*variant: expected a catalog variant, got "no-such"/);
    expect(progress.text()).toMatch(/^\[x\] soak prove-run: --spec: variant/m);
    expect(existsSync(join(tmp, 'x'))).toBe(false);
  });

  it('settings runSoak refuses come back the same way, naming the flag', async () => {
    const outcome = await runInChild({ variant: 'lazy-lru', side: 'fixed', dir: join(tmp, 'y'), settings: { durationMs: 5 } }, { prefix: '' });
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatch(/duration/);
  });

  it('an abort interrupts the child with the same signal: its run reads interrupted, its folder stays, its relay and mock are gone', async () => {
    const controller = new AbortController();
    const progress = collect();
    const dir = join(tmp, 'run');
    const done = runInChild({ variant: 'lazy-lru', side: 'fixed', dir, settings: { durationMs: 30_000, attribute: false } }, { prefix: '[run] ', progress, signal: controller.signal });
    // Wait until the run has started its load (the folder's samples are being written).
    const t0 = Date.now();
    while (!existsSync(join(dir, 'samples.ndjson')) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    controller.abort(interruptReason('SIGTERM'));
    const outcome = await done;
    expect(outcome).toEqual({ status: 'interrupted', signal: 'SIGTERM' });
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).outcome.status).toBe('interrupted');
    // Nothing the run started is still running: every pid its records name (relay, mock) is gone.
    const pids = [...`${readFileSync(join(dir, 'run.json'), 'utf8')}${readFileSync(join(dir, 'events.ndjson'), 'utf8')}`.matchAll(/"pid":\s*(\d+)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  }, 60_000);
});
