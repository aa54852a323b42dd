// scheduler-stats (seed 001 P0-1's priority_stats): the scheduler's admission
// stats, leaky and fixed. Through the real HTTP path: K chat requests leave K
// records in the leaky list and one counter per model in the fixed map (exact,
// from /metrics), so the leaky assertion fails if the bug is switched off.
// Directly on the Scheduler: both builds answer the same stats.

import { afterEach, describe, expect, it } from 'vitest';
import { leakFlags } from '../leaks/flags.ts';
import { Scheduler } from '../scheduler.ts';
import { chat, closeClients, metrics, startPair, type Pair } from './helpers.ts';

const K = 7;
let pair: Pair | undefined;

afterEach(async () => {
  await closeClients();
  await pair?.close();
  pair = undefined;
});

const STATS = 'relay_structure_entries{structure="scheduler_stats"}';

describe('scheduler-stats (seed 001 P0-1, priority_stats)', () => {
  for (const leaky of [true, false]) {
    it(`${leaky ? 'leaky' : 'fixed'}: ${K} chat requests over 2 models → ${leaky ? `${K} records` : '2 counters'}`, async () => {
      pair = await startPair(20, { leaks: new Set(leaky ? ['scheduler-stats'] : []) });
      expect((await metrics(pair.relay))[STATS]).toBe(0);
      for (let i = 0; i < K; i++) expect((await chat(pair.relay, { model: i % 2 === 0 ? 'gpt-5' : 'gpt-5-mini' })).status).toBe(200);
      expect((await metrics(pair.relay))[STATS]).toBe(leaky ? K : 2);
    });
  }

  it('both builds count the same admissions per model', () => {
    for (const leaky of [true, false]) {
      const s = new Scheduler(leakFlags(new Set(leaky ? ['scheduler-stats'] : [])));
      for (let i = 0; i < 5; i++) s.end(s.begin(i < 3 ? 'gpt-5' : 'gpt-4.1', 0, i));
      expect([s.admitted('gpt-5'), s.admitted('gpt-4.1'), s.admitted('gpt-5-mini')]).toEqual([3, 2, 0]);
      expect(s.statsEntries).toBe(leaky ? 5 : 2);
      s.dispose();
    }
  });
});
