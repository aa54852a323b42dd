import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP_FIRST, KEEP_LAST, PprofSource } from './pprof.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const heap = readFileSync(join(FIXTURES, 'go-relay-heap.pb.gz'));
const goroutine = readFileSync(join(FIXTURES, 'go-relay-goroutine.txt'));

let server: Server;
let base = '';
const seen: string[] = [];
let openConnections = 0;

beforeAll(async () => {
  // A stand-in for net/http/pprof serving what the Go test relay served.
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/debug/pprof/goroutine?debug=1') res.end(goroutine);
    else if (req.url === '/debug/pprof/heap?gc=1') res.end(heap);
    else if (req.url === '/broken/goroutine?debug=1') res.end('goroutine profile: total 7\n');
    else if (req.url === '/broken/heap?gc=1') res.end(Buffer.from('not a profile'));
    else {
      res.statusCode = 404;
      res.end('404 page not found\n');
    }
  });
  server.on('connection', (s) => {
    openConnections++;
    s.on('close', () => openConnections--);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('PprofSource', () => {
  it('reads the goroutine total and the post-GC heap by site (?gc=1), and leaves no connection open', async () => {
    const p = new PprofSource(`${base}/debug/pprof/`, { topSites: 3 });
    expect(await p.available()).toBe(true);
    const cp = await p.checkpoint();
    expect(cp.error).toBeUndefined();
    expect(cp.goroutines).toBe(643);
    expect(cp.heap?.sites.map((s) => s.function)).toEqual(['bufio.NewWriterSize', 'bufio.NewReaderSize', 'runtime.malg']);
    expect(cp.heap?.inuseBytes).toBe(3_352_315);
    expect(seen).toContain('/debug/pprof/heap?gc=1');
    await new Promise((r) => setTimeout(r, 50));
    expect(openConnections).toBe(0);
  });

  it('keeps the raw profiles as Go wrote them: the first and the latest checkpoints\' only', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pprof-raw-')), 'pprof');
    try {
      const p = new PprofSource(`${base}/debug/pprof`, { saveDir: dir });
      for (let seq = 1; seq <= 12; seq++) expect((await p.checkpoint(seq)).error).toBeUndefined();
      const kept = [1, 2, 3, 4, 9, 10, 11, 12];
      expect(KEEP_FIRST + KEEP_LAST).toBe(kept.length);
      expect(readdirSync(dir).sort()).toEqual([...kept.map((s) => `goroutine-${s}.txt`), ...kept.map((s) => `heap-${s}.pb.gz`)].sort());
      expect(readFileSync(join(dir, 'heap-12.pb.gz')).equals(heap)).toBe(true);
      expect(readFileSync(join(dir, 'goroutine-1.txt')).equals(goroutine)).toBe(true);
      // No seq, or no saveDir: nothing written.
      await p.checkpoint();
      expect(readdirSync(dir)).toHaveLength(16);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which part failed and why, without throwing', async () => {
    const missing = new PprofSource(`${base}/nothing`);
    expect(await missing.available()).toBe(false);
    const cp = await missing.checkpoint();
    expect(cp).toMatchObject({ goroutines: null, heap: null });
    expect(cp.error).toMatch(/goroutine: HTTP 404; heap: HTTP 404/);
    const broken = await new PprofSource(`${base}/broken`).checkpoint();
    expect(broken.goroutines).toBe(7);
    expect(broken.heap).toBeNull();
    expect(broken.error).toMatch(/heap: unsupported wire type/);
    const refused = await new PprofSource('http://127.0.0.1:9/debug/pprof', { timeoutMs: 2_000 }).checkpoint();
    expect(refused.error).toMatch(/ECONNREFUSED/);
  });
});
