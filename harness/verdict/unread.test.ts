// The unread-socket handle signal (unread.ts): judged like fds, named in the
// verdict with its growth per 1 000 requests, and absent for runs recorded
// before it existed.
import { describe, expect, it } from 'vitest';
import { syntheticCheckpoints } from '../../test/fixtures/verdict/synthetic.ts';
import type { Checkpoint } from '../records.ts';
import { formatVerdict, judgeRun, type VerdictRunMeta } from './index.ts';
import { handleCounts } from './series.ts';
import { perThousandText, UNREAD_SOCKETS_KEY } from './unread.ts';

const META: VerdictRunMeta = { scenario: 'error-storm', seed: 1, nodeVersion: 'v24.21.0', heapSizeLimit: 2 * 2 ** 30 };

/** 30 checkpoints 20 000 requests apart; `unread(i)` sockets with unread data at checkpoint i (64 KiB each). */
function run(unread: ((i: number) => number) | null): Checkpoint[] {
  return syntheticCheckpoints({ checkpoints: 30, seed: 'unread' }).map((c, i) =>
    unread === null ? c : { ...c, unread: { sockets: unread(i), bytes: unread(i) * 65_536 } },
  );
}

describe('sockets with unread data', () => {
  it('pinned sockets growing with the load → LEAK, named with its growth per 1k requests and the bytes left unread', () => {
    // 16 pinned per checkpoint of 20 000 requests = 0.8 per 1 000 requests.
    const v = judgeRun(META, run((i) => 16 * i), []);
    const t = v.handles.types.find((h) => h.type === UNREAD_SOCKETS_KEY)!;
    expect(t.status).toBe('LEAK');
    expect(t.label).toBe('sockets with unread data');
    expect(t.perThousandRequests).toBeCloseTo(0.8, 6);
    expect(v.status).toBe('LEAK');
    expect(v.reasons[0]).toContain('sockets with unread data +0.8/1k requests');
    const text = formatVerdict(v);
    expect(text).toMatch(/^ {2}sockets with unread data LEAK +\+0\.8\/1k requests, 96 → 464 \(Δ 368\): .*29\.0 MiB unread at the last checkpoint$/m);
    // fds and tcp:ESTABLISHED of the synthetic run are flat: the signal stands on its own.
    expect(v.handles.types.find((h) => h.type === 'fds')!.status).toBe('NO-LEAK');
  });

  it('none left unread at any checkpoint → NO-LEAK, and the line is left out like any unchanged handle type', () => {
    const v = judgeRun(META, run(() => 0), []);
    const t = v.handles.types.find((h) => h.type === UNREAD_SOCKETS_KEY)!;
    expect(t).toMatchObject({ status: 'NO-LEAK', delta: 0, perThousandRequests: 0 });
    expect(v.status).toBe('NO-LEAK');
    expect(formatVerdict(v)).not.toContain('sockets with unread data');
  });

  it('a few sockets caught mid-read that do not grow → NO-LEAK', () => {
    const v = judgeRun(META, run((i) => (i % 3 === 0 ? 1 : 0)), []);
    expect(v.handles.types.find((h) => h.type === UNREAD_SOCKETS_KEY)!.status).toBe('NO-LEAK');
  });

  it('checkpoints written before the signal existed have no such key (nothing judged, nothing invented)', () => {
    const cps = run(null);
    expect(handleCounts(cps[0]!).has(UNREAD_SOCKETS_KEY)).toBe(false);
    expect(judgeRun(META, cps, []).handles.types.some((h) => h.type === UNREAD_SOCKETS_KEY)).toBe(false);
  });

  it('formats growth per 1k requests with its sign', () => {
    expect(perThousandText(0.8)).toBe('+0.8/1k requests');
    expect(perThousandText(-2)).toBe('-2.0/1k requests');
    expect(perThousandText(0.04)).toBe('+0.04/1k requests');
    expect(perThousandText(null)).toBe('n/a/1k requests');
  });
});
