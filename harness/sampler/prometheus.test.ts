import { createServer, type Server } from 'node:http';
import { Agent } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusText, scrapeMetrics } from './prometheus.ts';

const FIXTURE = `# HELP relay_pool_connections Connections by state.
# TYPE relay_pool_connections gauge
relay_pool_connections{state="busy",origin="http://127.0.0.1:4000"} 3
relay_pool_connections{state="idle",origin="http://127.0.0.1:4000"} 7
relay_inflight 0
process_start_time_seconds 1.7954991e+09
relay_weird{path="/a b}\\"c",le="x"} 1.5 1795499151495
# TYPE relay_latency_seconds histogram
relay_latency_seconds_bucket{le="0.1"} 10
relay_latency_seconds_bucket{le="+Inf"} 12
relay_latency_seconds_sum 3.25
relay_latency_seconds_count 12
relay_limit +Inf
relay_floor -Inf
relay_ratio NaN
  relay_indented   42  

relay_broken{state="open" 5
relay_no_value
relay_bad_value abc
relay_inflight 2
`;

describe('parsePrometheusText', () => {
  const parsed = parsePrometheusText(FIXTURE);

  it('keys each series exactly as printed, labels included', () => {
    expect(parsed['relay_pool_connections{state="busy",origin="http://127.0.0.1:4000"}']).toBe(3);
    expect(parsed['relay_pool_connections{state="idle",origin="http://127.0.0.1:4000"}']).toBe(7);
    expect(parsed['process_start_time_seconds']).toBe(1.7954991e9);
  });

  it('handles quoted label values with spaces, braces and escapes, and ignores timestamps', () => {
    expect(parsed['relay_weird{path="/a b}\\"c",le="x"}']).toBe(1.5);
  });

  it('keeps histogram series as-is and understands +Inf, -Inf and NaN', () => {
    expect(parsed['relay_latency_seconds_bucket{le="+Inf"}']).toBe(12);
    expect(parsed['relay_latency_seconds_count']).toBe(12);
    expect(parsed['relay_limit']).toBe(Number.POSITIVE_INFINITY);
    expect(parsed['relay_floor']).toBe(Number.NEGATIVE_INFINITY);
    expect(parsed['relay_ratio']).toBeNaN();
  });

  it('skips comments, blank and malformed lines; a repeated series keeps its last value', () => {
    expect(parsed['relay_indented']).toBe(42);
    expect(parsed['relay_inflight']).toBe(2);
    expect(Object.keys(parsed).some((key) => key.startsWith('#') || key.startsWith('relay_broken'))).toBe(false);
    expect('relay_no_value' in parsed).toBe(false);
    expect('relay_bad_value' in parsed).toBe(false);
    expect(Object.keys(parsed)).toHaveLength(13);
  });

  it('parses 5 000 series in linear time (a few ms; the bound is loose for a loaded box)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 5_000; i++) lines.push(`relay_account_requests_total{auth_index="${i.toString(16).padStart(16, '0')}",status="200"} ${i}`);
    const text = lines.join('\n');
    const started = performance.now();
    const big = parsePrometheusText(text);
    const elapsed = performance.now() - started;
    expect(Object.keys(big)).toHaveLength(5_000);
    expect(elapsed).toBeLessThan(500);
  });
});

describe('scrapeMetrics', () => {
  let server: Server | null = null;
  const agent = new Agent({ keepAliveTimeout: 1_000 });

  afterAll(() => agent.close());

  afterEach(async () => {
    const current = server;
    server = null;
    if (current !== null) {
      current.closeAllConnections();
      await new Promise<void>((resolve) => current.close(() => resolve()));
    }
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const current = createServer(handler);
    server = current;
    await new Promise<void>((resolve) => current.listen(0, '127.0.0.1', () => resolve()));
    const address = current.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    return `http://127.0.0.1:${address.port}/metrics`;
  }

  it('fetches and parses /metrics', async () => {
    const url = await serve((req, res) => res.end(FIXTURE));
    const metrics = await scrapeMetrics(url, { timeoutMs: 2_000, dispatcher: agent });
    expect(metrics['relay_inflight']).toBe(2);
  });

  it('fails with SOAK_ERR_METRICS_UNAVAILABLE on a non-200 status and frees the connection for the next scrape', async () => {
    let calls = 0;
    const url = await serve((req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(503);
        res.end('x'.repeat(512 * 1024)); // large enough to pin the socket if left unread
      } else {
        res.end('relay_inflight 1\n');
      }
    });
    // One connection only: if the 503 body were left unread, the second scrape would wait for it and time out.
    const single = new Agent({ connections: 1 });
    await expect(scrapeMetrics(url, { timeoutMs: 2_000, dispatcher: single })).rejects.toMatchObject({
      code: 'SOAK_ERR_METRICS_UNAVAILABLE',
      message: expect.stringContaining('503'),
    });
    await expect(scrapeMetrics(url, { timeoutMs: 2_000, dispatcher: single })).resolves.toEqual({ relay_inflight: 1 });
    await single.close();
  });

  it('fails with SOAK_ERR_METRICS_TIMEOUT when the relay does not answer in time', async () => {
    const url = await serve(() => {
      // never answers
    });
    const started = performance.now();
    await expect(scrapeMetrics(url, { timeoutMs: 200, dispatcher: agent })).rejects.toMatchObject({ code: 'SOAK_ERR_METRICS_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('fails with SOAK_ERR_METRICS_UNAVAILABLE when nothing listens, without leaking credentials in the message', async () => {
    const url = await serve((req, res) => res.end());
    const closed = server!;
    server = null;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const withCredentials = url.replace('http://', 'http://admin:s3cret@') + '?key=topsecret';
    const error = await scrapeMetrics(withCredentials, { timeoutMs: 2_000, dispatcher: agent }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'SOAK_ERR_METRICS_UNAVAILABLE' });
    expect((error as Error).message).not.toMatch(/s3cret|topsecret|admin/);
  });

  it('rejects a bad timeout naming the option', async () => {
    await expect(scrapeMetrics('http://127.0.0.1:1/metrics', { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });
});
