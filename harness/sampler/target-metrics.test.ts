import { describe, expect, it } from 'vitest';
import { checkVitalsUrl, parseJudgeMetrics, resolveVitals, shownUrl } from './target-metrics.ts';

describe('checkVitalsUrl', () => {
  it('accepts loopback http URLs with a path, and {port} for a target the harness starts', () => {
    for (const url of ['http://127.0.0.1:9090/metrics', 'http://localhost:1/', 'http://[::1]:65535/debug/pprof', 'http://127.0.0.1:{port}/metrics']) {
      expect(() => checkVitalsUrl('--target-metrics', url, true)).not.toThrow();
    }
  });
  it('refuses anything else, naming the flag (exit 2)', () => {
    const refused = (url: string, placeholder = true) => {
      try {
        checkVitalsUrl('--target-pprof', url, placeholder);
      } catch (err) {
        return err as { message: string; code: string };
      }
      throw new Error(`accepted ${url}`);
    };
    expect(refused('http://10.0.0.1:80/metrics').message).toMatch(/^--target-pprof: expected http:\/\/127\.0\.0\.1:PORT\/path \(loopback only/);
    expect(refused('https://127.0.0.1:80/metrics').code).toBe('SOAK_ERR_USAGE');
    expect(refused('http://127.0.0.1/metrics').message).toMatch(/loopback only/);
    expect(refused('http://user:pw@127.0.0.1:80/metrics').message).toMatch(/no query or credentials/);
    expect(refused('http://127.0.0.1:80/metrics?debug=1').message).toMatch(/no query/);
    expect(refused('http://127.0.0.1:0/metrics').message).toMatch(/port 0 is not in \[1, 65535\]/);
    expect(refused('http://127.0.0.1:{port}/metrics', false).message).toMatch(/\{port\}.*--target-pid/);
  });
});

describe('parseJudgeMetrics', () => {
  it('reads NAME[:slope|level], repeated or comma-separated, slope by default, duplicates once', () => {
    expect(parseJudgeMetrics(['relay_task_map_entries:level, go_threads', 'queue_depth{queue="retry"}:slope', 'go_threads', 'pprof:goroutines:level'])).toEqual([
      { key: 'relay_task_map_entries', kind: 'level' },
      { key: 'go_threads', kind: 'slope' },
      { key: 'queue_depth{queue="retry"}', kind: 'slope' },
      { key: 'pprof:goroutines', kind: 'level' },
    ]);
    expect(parseJudgeMetrics([])).toEqual([]);
  });
  it('refuses a bad name or kind, and one series with two kinds', () => {
    expect(() => parseJudgeMetrics(['go_goroutines:p99'])).toThrow(/--judge-metric: expected NAME\[:slope\|level\].*"go_goroutines:p99"/);
    expect(() => parseJudgeMetrics(['1abc'])).toThrow(/"1abc"/);
    expect(() => parseJudgeMetrics(['a:slope,a:level'])).toThrow(/a given as both slope and level/);
  });
});

describe('resolveVitals', () => {
  it('fills in {port} from the target URL, derives pprof from the metrics host unless given', () => {
    expect(resolveVitals({ targetMetrics: 'http://127.0.0.1:{port}/metrics' }, 'http://127.0.0.1:4123')).toEqual({
      metricsUrl: 'http://127.0.0.1:4123/metrics',
      pprofUrl: 'http://127.0.0.1:4123/debug/pprof',
      pprofDerived: true,
    });
    expect(resolveVitals({ targetMetrics: 'http://127.0.0.1:9090/m', targetPprof: 'http://127.0.0.1:{port}/pp/' }, 'http://127.0.0.1:4123')).toEqual({
      metricsUrl: 'http://127.0.0.1:9090/m',
      pprofUrl: 'http://127.0.0.1:4123/pp',
      pprofDerived: false,
    });
    expect(resolveVitals({}, 'http://127.0.0.1:4123')).toEqual({ metricsUrl: null, pprofUrl: null, pprofDerived: false });
  });
  it('shows URLs without credentials or query', () => {
    expect(shownUrl('http://u:secret@127.0.0.1:1/metrics?token=abc')).toBe('http://127.0.0.1:1/metrics');
  });
});
