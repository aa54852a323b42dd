import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeProfile, decodeProfileBytes, goroutineTotal, heapSummary, ProfileDecodeError } from './pprof-profile.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

// A minimal protobuf writer, to build profiles whose every figure is known.
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = n < 0 ? 2 ** 64 + n : n;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
};
const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
const vField = (field: number, n: number): number[] => [...key(field, 0), ...varint(n)];
const lField = (field: number, bytes: number[]): number[] => [...key(field, 2), ...varint(bytes.length), ...bytes];
const sField = (field: number, s: string): number[] => lField(field, [...Buffer.from(s, 'utf8')]);
const packed = (field: number, values: number[]): number[] => lField(field, values.flatMap(varint));

/**
 * Strings: 0 '', 1 inuse_objects, 2 count, 3 inuse_space, 4 bytes, 5 main.leak, 6 main.go, 7 main.ok, 8 bufio.New, 9 bufio.go.
 * Locations: 1 → main.leak:10, 2 → bufio.New:57 inlined into main.ok:20 (two lines), 3 → main.ok:30.
 */
function tinyProfile(options: { packedSamples: boolean }): Uint8Array {
  const strings = ['', 'inuse_objects', 'count', 'inuse_space', 'bytes', 'main.leak', 'main.go', 'main.ok', 'bufio.New', 'bufio.go'];
  const sample = (locs: number[], values: number[]): number[] =>
    lField(2, options.packedSamples ? [...packed(1, locs), ...packed(2, values)] : [...locs.flatMap((l) => vField(1, l)), ...values.flatMap((v) => vField(2, v))]);
  const line = (fn: number, ln: number): number[] => lField(4, [...vField(1, fn), ...vField(2, ln)]);
  const bytes = [
    ...lField(1, [...vField(1, 1), ...vField(2, 2)]),
    ...lField(1, [...vField(1, 3), ...vField(2, 4)]),
    ...sample([1, 3], [2, 4096]),
    ...sample([1, 3], [1, 1024]),
    ...sample([2, 3], [8, 32768]),
    ...sample([3], [0, 0]),
    ...lField(4, [...vField(1, 1), ...line(1, 10)]),
    ...lField(4, [...vField(1, 2), ...line(3, 57), ...line(2, 20)]),
    ...lField(4, [...vField(1, 3), ...vField(3, 0x401000), ...line(2, 30)]),
    ...lField(5, [...vField(1, 1), ...vField(2, 5), ...vField(4, 6)]),
    ...lField(5, [...vField(1, 2), ...vField(2, 7), ...vField(4, 6)]),
    ...lField(5, [...vField(1, 3), ...vField(2, 8), ...vField(4, 9)]),
    ...strings.flatMap((s) => sField(6, s)),
    // A field this decoder does not know (comment, 13), a fixed64 (wire type 1) and the period.
    ...vField(13, 3),
    ...key(99, 1), 1, 2, 3, 4, 5, 6, 7, 8,
    ...vField(12, 524288),
  ];
  return Uint8Array.from(bytes);
}

describe('decodeProfile', () => {
  for (const packedSamples of [true, false]) {
    it(`reads sample types, samples, inlined frames and the string table (${packedSamples ? 'packed' : 'unpacked'} repeated fields)`, () => {
      const p = decodeProfile(tinyProfile({ packedSamples }));
      expect(p.sampleTypes).toEqual([{ type: 'inuse_objects', unit: 'count' }, { type: 'inuse_space', unit: 'bytes' }]);
      expect(p.period).toBe(524288);
      expect(p.samples).toHaveLength(4);
      expect(p.samples[0]).toEqual({ values: [2, 4096], stack: [{ function: 'main.leak', file: 'main.go', line: 10 }, { function: 'main.ok', file: 'main.go', line: 30 }] });
      // Location 2: bufio.New inlined into main.ok, leaf first.
      expect(p.samples[2]!.stack.map((f) => `${f.function}:${f.line}`)).toEqual(['bufio.New:57', 'main.ok:20', 'main.ok:30']);
    });
  }

  it('sums in-use bytes per leaf site, largest first, skipping empty samples', () => {
    const h = heapSummary(decodeProfile(tinyProfile({ packedSamples: true })));
    expect(h).toMatchObject({ inuseBytes: 4096 + 1024 + 32768, inuseObjects: 11, siteCount: 2 });
    expect(h.sites.map((s) => [s.site, s.inuseBytes, s.inuseObjects])).toEqual([
      ['bufio.New (bufio.go:57)', 32768, 8],
      ['main.leak (main.go:10)', 5120, 3],
    ]);
    expect(h.sites[0]!.callers).toEqual(['main.ok (main.go:20)', 'main.ok (main.go:30)']);
    expect(heapSummary(decodeProfile(tinyProfile({ packedSamples: true })), 1).sites).toHaveLength(1);
  });

  it('names, for a site reached from several places, the callers holding most of its bytes', () => {
    const f = (fn: string, line: number) => ({ function: fn, file: 'x.go', line });
    const h = heapSummary({
      sampleTypes: [{ type: 'inuse_space', unit: 'bytes' }],
      period: 0,
      samples: [
        { values: [4096], stack: [f('bufio.NewReaderSize', 57), f('net/http.newBufioReader', 831)] },
        { values: [8192], stack: [f('bufio.NewReaderSize', 57), f('net/http.(*Transport).dialConn', 1748)] },
        { values: [4096], stack: [f('bufio.NewReaderSize', 57), f('net/http.newBufioReader', 831)] },
        { values: [1024], stack: [f('bufio.NewReaderSize', 57), f('net/http.(*Transport).dialConn', 1748)] },
      ],
    });
    expect(h.sites).toHaveLength(1);
    expect(h.sites[0]).toMatchObject({ inuseBytes: 17408, callers: ['net/http.(*Transport).dialConn (x.go:1748)'] });
  });

  it('refuses what is not a profile, naming why', () => {
    expect(() => decodeProfile(Uint8Array.from([0x0a, 0x05, 1]))).toThrow(/runs past its message/);
    expect(() => decodeProfile(Uint8Array.from([0x08, 0x80]))).toThrow(/truncated varint/);
    expect(() => decodeProfile(Uint8Array.from([...vField(9, 1)]))).toThrow(/no string table/);
    expect(() => decodeProfileBytes(Uint8Array.from([0x1f, 0x8b, 0, 1, 2]))).toThrow(ProfileDecodeError);
    const cpu = Uint8Array.from([...lField(1, [...vField(1, 1), ...vField(2, 2)]), ...sField(6, ''), ...sField(6, 'samples'), ...sField(6, 'count')]);
    expect(() => heapSummary(decodeProfile(cpu))).toThrow(/no inuse_space sample type \(has samples\)/);
  });
});

describe('a heap profile captured from test/targets/go-relay (-leak, after 300 unread 429-large bodies; Go 1.19)', () => {
  const profile = decodeProfileBytes(readFileSync(join(FIXTURES, 'go-relay-heap.pb.gz')));

  it('has Go\'s four heap sample types and its sampling period (the relay sets MemProfileRate = 64 KiB)', () => {
    expect(profile.sampleTypes.map((t) => t.type)).toEqual(['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);
    expect(profile.period).toBe(65536);
    expect(profile.samples.length).toBeGreaterThan(10);
  });

  it('names the pinned connections\' buffers as the top in-use sites, called from the Transport', () => {
    const h = heapSummary(profile, 5);
    expect(h.sites[0]!.site).toBe('bufio.NewWriterSize (bufio/bufio.go:593)');
    expect(h.sites[1]!.site).toBe('bufio.NewReaderSize (bufio/bufio.go:57)');
    expect(h.sites[0]!.callers[0]).toMatch(/^net\/http\.\(\*Transport\)\.dialConn /);
    // About 320 pinned connections × a 4 KiB buffer each.
    expect(h.sites[0]!.inuseBytes).toBeGreaterThan(1_000_000);
    expect(h.sites[0]!.inuseBytes).toBeLessThan(2_000_000);
    const sum = h.sites.reduce((n, s) => n + s.inuseBytes, 0);
    expect(sum).toBeLessThanOrEqual(h.inuseBytes);
    expect(h.inuseBytes).toBe(3_352_315);
  });

  it('decodes the same bytes gzipped or not', () => {
    const raw = decodeProfileBytes(gunzipSync(readFileSync(join(FIXTURES, 'go-relay-heap.pb.gz'))));
    expect(heapSummary(raw).inuseBytes).toBe(heapSummary(profile).inuseBytes);
  });
});

describe('goroutineTotal', () => {
  it('reads the debug=1 header of the captured goroutine profile', () => {
    expect(goroutineTotal(readFileSync(join(FIXTURES, 'go-relay-goroutine.txt'), 'utf8'))).toBe(643);
  });
  it('is null for anything else', () => {
    expect(goroutineTotal('404 page not found\n')).toBeNull();
    expect(goroutineTotal('goroutine profile: total many\n')).toBeNull();
  });
});
