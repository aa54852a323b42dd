// Target restarts, seen from the samples: the harness records no restart
// event (a third-party target in Docker or under a supervisor can restart
// without the harness knowing), but the probe's cumulative GC count can only
// grow inside one process. When it goes back, a new process answered: every
// figure after that point starts from zero, and a slope across it means
// nothing. The report marks it on every chart and lists it with the events.
// (Not allocatedBytes: it is an estimate that can dip between GCs.)

import type { ContinuousSample } from '../harness/records.ts';

export interface RestartMark {
  t: number;
  message: string;
}

export function restartDetector(): { add(s: ContinuousSample): void; readonly marks: RestartMark[] } {
  const marks: RestartMark[] = [];
  let last: number | null = null;
  return {
    marks,
    add(s) {
      const count = s.probe?.gc?.count;
      if (typeof count !== 'number' || !Number.isFinite(count)) return;
      if (last !== null && count < last) {
        marks.push({ t: s.t, message: `target restarted? the probe's cumulative GC count went back (${last} → ${count}): figures after this point come from a new process` });
      }
      last = count;
    },
  };
}
