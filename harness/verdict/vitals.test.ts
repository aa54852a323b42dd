import { describe, expect, it } from 'vitest';
import { syntheticCheckpoints, gaussian } from '../../test/fixtures/verdict/synthetic.ts';
import { syntheticMeta } from '../../test/fixtures/verdict/synthetic-meta.ts';
import type { Checkpoint, PprofHeapSite } from '../records.ts';
import { createRng } from '../../shared/prng.ts';
import { formatVerdict } from './format.ts';
import { verdictMetaOf } from './from-run.ts';
import { judgeRun } from './run.ts';
import { DEFAULT_VITALS, judgeVitals, PPROF_GOROUTINES } from './vitals.ts';

/** 16 checkpoints, 5 000 requests and 20 s apart, with the target's own series in `relay`. */
function withSeries(series: (requests: number, i: number) => Record<string, number>, extra: (c: Checkpoint, i: number) => Partial<Checkpoint> = () => ({})): Checkpoint[] {
  return syntheticCheckpoints({ checkpoints: 16, requestsPerCheckpoint: 5_000, seed: 'vitals' }).map((c, i) => ({ ...c, relay: series(c.requestsCompleted, i), ...extra(c, i) }));
}

const noise = createRng('vitals-noise');
const jitter = (sd: number) => Math.round(sd * gaussian(noise));

describe('judgeVitals', () => {
  it('a goroutine count growing 12 per 1 000 requests is LEAK, named with its slope per 1k requests', () => {
    const cps = withSeries((r) => ({ go_goroutines: 40 + (12 * r) / 1000 + jitter(3), process_open_fds: 30 + jitter(1) })).slice(3);
    const v = judgeVitals(cps);
    const g = v.signals.find((s) => s.key === 'go_goroutines')!;
    expect(g).toMatchObject({ status: 'LEAK', kind: 'slope', unit: '/1k requests', floor: 2, chosen: false, source: 'metrics' });
    expect(g.slope!).toBeCloseTo(12, 0);
    expect(g.reason).toMatch(/\/1k requests, 95 % CI \[.*\] above δ 2/);
    expect(g.reason).not.toMatch(/B\/request/);
    expect(v.signals.find((s) => s.key === 'process_open_fds')!.status).toBe('NO-LEAK');
    expect(v.status).toBe('LEAK');
  });

  it('a flat count is NO-LEAK; a series the run does not have is left out unless chosen', () => {
    const cps = withSeries(() => ({ python_asyncio_tasks: 3 + jitter(0.5) })).slice(3);
    const v = judgeVitals(cps, { judge: [{ key: 'relay_queue_depth', kind: 'slope' }] });
    expect(v.signals.map((s) => [s.key, s.status])).toEqual([
      ['relay_queue_depth', 'INCONCLUSIVE'],
      ['python_asyncio_tasks', 'NO-LEAK'],
    ]);
    expect(v.signals[0]!.reason).toMatch(/not in the target's \/metrics/);
    expect(v.signals.some((s) => s.key === 'go_goroutines')).toBe(false);
  });

  it('a count growing for 12 s only is INCONCLUSIVE: a LEAK needs 20 s and 5 000 requests of judged counts', () => {
    const cps = withSeries((r) => ({ go_goroutines: 40 + (50 * r) / 1000 })).slice(3).map((c, i) => ({ ...c, t: 1000 * i }));
    const g = judgeVitals(cps).signals[0]!;
    expect(g.status).toBe('INCONCLUSIVE');
    expect(g.reason).toMatch(/^judged window 12 s < 20 s/);
    expect(judgeVitals(cps, { minJudgedSeconds: 10 }).signals[0]!.status).toBe('LEAK');
  });

  it('byte series are judged per request with the rss floor', () => {
    const cps = withSeries((r) => ({ process_resident_memory_bytes: 50e6 + 2048 * r + jitter(20_000) })).slice(3).map((c, i) => ({ ...c, t: 10_000 * i }));
    const m = judgeVitals(cps, { bytesFloor: 1024 }).signals[0]!;
    expect(m).toMatchObject({ key: 'process_resident_memory_bytes', unit: 'B/request', floor: 1024, status: 'LEAK' });
    expect(m.slope!).toBeCloseTo(2048, -1);
  });

  it('level: Δ above the allowance at the last 3 checkpoints and still growing (the handle rule)', () => {
    const growing = withSeries((_r, i) => ({ relay_task_map_entries: i < 8 ? 10 : 10 + (i - 7) * 100 })).slice(3);
    const held = withSeries((_r, i) => ({ relay_task_map_entries: i < 5 ? 10 : 60 })).slice(3);
    const judge = [{ key: 'relay_task_map_entries', kind: 'level' as const }];
    expect(judgeVitals(growing, { judge }).signals[0]).toMatchObject({ status: 'LEAK', kind: 'level', chosen: true, delta: 800 });
    expect(judgeVitals(held, { judge }).signals[0]).toMatchObject({ status: 'NO-LEAK', delta: 50 });
    expect(judgeVitals(growing, { judge, allowance: { relay_task_map_entries: 1000 } }).signals[0]!.status).toBe('NO-LEAK');
  });

  it('pprof: the goroutine count is a signal, the heap\'s top site gets its slope per 1k requests', () => {
    const site = (name: string, bytes: number): PprofHeapSite => ({ site: `${name} (x.go:1)`, function: name, file: 'x.go', line: 1, inuseBytes: bytes, inuseObjects: 1, callers: ['main.f (main.go:2)'] });
    const cps = withSeries(() => ({}), (c) => ({
      pprof: { goroutines: 8 + Math.round((4 * c.requestsCompleted) / 1000), heap: { inuseBytes: 9e6, inuseObjects: 100, siteCount: 2, sites: [site('bufio.NewReaderSize', 1000 + (4096 * c.requestsCompleted) / 1000), site('main.cache', 2000)] } },
    })).slice(3);
    const v = judgeVitals(cps);
    expect(v.signals.map((s) => s.key)).toEqual([PPROF_GOROUTINES]);
    expect(v.signals[0]).toMatchObject({ status: 'LEAK', source: 'pprof' });
    expect(v.heapTop).toMatchObject({ site: 'bufio.NewReaderSize (x.go:1)', n: 13, unit: 'B/1k requests', heapInuseBytes: 9e6 });
    expect(v.heapTop!.slope!).toBeCloseTo(4096, 3);
  });

  it('go_goroutines and pprof\'s goroutine total are one count: only /metrics\' is judged, unless pprof\'s is chosen', () => {
    const both = withSeries((r) => ({ go_goroutines: 8 + Math.round((4 * r) / 1000) }), (c) => ({ pprof: { goroutines: 8 + Math.round((4 * c.requestsCompleted) / 1000), heap: null } })).slice(3);
    expect(judgeVitals(both).signals.map((s) => s.key)).toEqual(['go_goroutines']);
    expect(judgeVitals(both, { judge: [{ key: PPROF_GOROUTINES, kind: 'slope' }] }).signals.map((s) => s.key)).toEqual([PPROF_GOROUTINES, 'go_goroutines']);
  });

  it('knows the well-known series', () => {
    expect(DEFAULT_VITALS.map((d) => d.key)).toEqual(['go_goroutines', 'pprof:goroutines', 'python_asyncio_tasks', 'process_open_fds', 'process_resident_memory_bytes']);
  });
});

describe('judgeRun with target vitals', () => {
  it('a leaking vital makes the run LEAK and names itself in the reason and the text', () => {
    const cps = withSeries((r) => ({ go_goroutines: 40 + (12 * r) / 1000 + jitter(3) }));
    const v = judgeRun(verdictMetaOf(syntheticMeta()), cps, [], { served: false });
    expect(v.status).toBe('LEAK');
    expect(v.reasons[0]).toMatch(/^leaking: go_goroutines \+1[12]\.\d\/1k requests/);
    const text = formatVerdict(v);
    expect(text).toMatch(/target vitals: LEAK\n {2}go_goroutines +LEAK +\+1[12]\.\d\/1k requests \[/);
  });

  it('a series chosen in run.json (vitals.judge, through verdictMetaOf) is judged; a run without vitals has none in its verdict', () => {
    const cps = withSeries(() => ({ queue_depth: 5 }));
    const v = judgeRun(verdictMetaOf({ ...syntheticMeta(), vitals: { metricsUrl: null, pprofUrl: null, judge: [{ key: 'queue_depth', kind: 'level' }] } }), cps, [], { served: false });
    expect(v.vitals?.signals).toEqual([expect.objectContaining({ key: 'queue_depth', kind: 'level', status: 'NO-LEAK', chosen: true })]);
    const none = judgeRun(verdictMetaOf(syntheticMeta()), syntheticCheckpoints({ checkpoints: 12 }), [], { served: false });
    expect(none.vitals).toBeUndefined();
    expect(formatVerdict(none)).not.toMatch(/target vitals/);
  });
});
