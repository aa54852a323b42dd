// A Go pprof profile (profile.proto, gzipped, as net/http/pprof serves
// /debug/pprof/heap) decoded here, so the harness never shells out to a Go
// toolchain at soak time. Only what the heap view needs is read: sample types,
// samples (location ids and values), locations (their line entries), functions
// and the string table. Everything else (mappings, labels, comments) is skipped
// field by field, so a profile from a newer Go with extra fields still decodes.
//
// The wire format, in brief: a message is a sequence of (key, value) pairs,
// key = field number << 3 | wire type; wire type 0 is a varint, 1 a fixed 64-bit,
// 2 length-delimited (bytes, strings, sub-messages, packed repeated varints),
// 5 a fixed 32-bit. Repeated scalar fields may come packed (one length-delimited
// run) or one by one: both are read.

import type { PprofHeapSite } from '../records.ts';
import { gunzipSync } from 'node:zlib';

export class ProfileDecodeError extends Error {
  override readonly name = 'ProfileDecodeError';
}

export interface ProfileFrame {
  function: string;
  file: string;
  line: number;
}

export interface Profile {
  /** Sample value names and units, e.g. [{ type: 'inuse_space', unit: 'bytes' }, …]. */
  sampleTypes: { type: string; unit: string }[];
  /** Each sample: its values (one per sample type) and its stack, leaf first (inlined frames expanded). */
  samples: { values: number[]; stack: ProfileFrame[] }[];
  /** period_type and period, when present (the heap profile's sampling rate in bytes). */
  period: number;
}

/** A reader over one message's bytes. */
class Reader {
  pos: number;
  readonly end: number;
  readonly buf: Uint8Array;
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /**
   * A varint as a JS number. Values in a profile (counts, bytes, ids,
   * addresses) fit 2^53 except addresses, which are not used; beyond 2^53 the
   * value is approximate, never wrong in sign for the fields read here.
   */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProfileDecodeError(`truncated varint at byte ${this.pos}`);
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ProfileDecodeError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A signed int64 written as a plain varint (two's complement, 10 bytes when negative). */
  int64(): number {
    const v = this.varint();
    return v >= 2 ** 63 ? v - 2 ** 64 : v;
  }

  /** The bounds of a length-delimited field's payload, and the reader moved past it. */
  delimited(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw new ProfileDecodeError(`field of ${length} bytes at byte ${start} runs past its message (ends at ${this.end})`);
    this.pos = end;
    return [start, end];
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.delimited();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new ProfileDecodeError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
    if (this.pos > this.end) throw new ProfileDecodeError('truncated fixed-width field');
  }
}

/** A repeated varint field, packed (wire type 2) or not (wire type 0): appended to `into`. */
function repeatedVarints(r: Reader, wireType: number, into: number[], signed: boolean): void {
  if (wireType === 2) {
    const [start, end] = r.delimited();
    const inner = new Reader(r.buf, start, end);
    while (!inner.done()) into.push(signed ? inner.int64() : inner.varint());
  } else if (wireType === 0) {
    into.push(signed ? r.int64() : r.varint());
  } else {
    throw new ProfileDecodeError(`expected a varint field, got wire type ${wireType}`);
  }
}

/** Calls `field(number, wireType)` for each field of the message; the callback reads or returns false to skip. */
function eachField(r: Reader, field: (number: number, wireType: number) => boolean): void {
  while (!r.done()) {
    const key = r.varint();
    const number = Math.floor(key / 8);
    const wireType = key & 7;
    if (!field(number, wireType)) r.skip(wireType);
  }
}

const text = new TextDecoder('utf-8');

interface RawLocation {
  lines: { functionId: number; line: number }[];
}

interface RawFunction {
  name: number;
  file: number;
}

/** Decode an uncompressed profile.proto message. */
export function decodeProfile(bytes: Uint8Array): Profile {
  const r = new Reader(bytes);
  const strings: string[] = [];
  const sampleTypes: { type: number; unit: number }[] = [];
  const rawSamples: { locations: number[]; values: number[] }[] = [];
  const locations = new Map<number, RawLocation>();
  const functions = new Map<number, RawFunction>();
  let period = 0;
  eachField(r, (number, wireType) => {
    if (wireType !== 2 && number !== 12) return false;
    switch (number) {
      case 1: {
        // ValueType { int64 type = 1; int64 unit = 2; } (string table indices)
        const [s, e] = r.delimited();
        const vt = { type: 0, unit: 0 };
        const m = new Reader(bytes, s, e);
        eachField(m, (n, w) => {
          if (w !== 0) return false;
          if (n === 1) vt.type = m.varint();
          else if (n === 2) vt.unit = m.varint();
          else return false;
          return true;
        });
        sampleTypes.push(vt);
        return true;
      }
      case 2: {
        // Sample { repeated uint64 location_id = 1; repeated int64 value = 2; repeated Label label = 3; }
        const [s, e] = r.delimited();
        const sample = { locations: [] as number[], values: [] as number[] };
        const m = new Reader(bytes, s, e);
        eachField(m, (n, w) => {
          if (n === 1) repeatedVarints(m, w, sample.locations, false);
          else if (n === 2) repeatedVarints(m, w, sample.values, true);
          else return false;
          return true;
        });
        rawSamples.push(sample);
        return true;
      }
      case 4: {
        // Location { uint64 id = 1; uint64 mapping_id = 2; uint64 address = 3; repeated Line line = 4; bool is_folded = 5; }
        const [s, e] = r.delimited();
        let id = 0;
        const loc: RawLocation = { lines: [] };
        const m = new Reader(bytes, s, e);
        eachField(m, (n, w) => {
          if (n === 1 && w === 0) id = m.varint();
          else if (n === 4 && w === 2) {
            // Line { uint64 function_id = 1; int64 line = 2; int64 column = 3; }
            const [ls, le] = m.delimited();
            const line = { functionId: 0, line: 0 };
            const lr = new Reader(bytes, ls, le);
            eachField(lr, (ln, lw) => {
              if (lw !== 0) return false;
              if (ln === 1) line.functionId = lr.varint();
              else if (ln === 2) line.line = lr.int64();
              else return false;
              return true;
            });
            loc.lines.push(line);
          } else return false;
          return true;
        });
        locations.set(id, loc);
        return true;
      }
      case 5: {
        // Function { uint64 id = 1; int64 name = 2; int64 system_name = 3; int64 filename = 4; int64 start_line = 5; }
        const [s, e] = r.delimited();
        let id = 0;
        const fn: RawFunction = { name: 0, file: 0 };
        const m = new Reader(bytes, s, e);
        eachField(m, (n, w) => {
          if (w !== 0) return false;
          if (n === 1) id = m.varint();
          else if (n === 2) fn.name = m.varint();
          else if (n === 4) fn.file = m.varint();
          else return false;
          return true;
        });
        functions.set(id, fn);
        return true;
      }
      case 6: {
        const [s, e] = r.delimited();
        strings.push(text.decode(bytes.subarray(s, e)));
        return true;
      }
      case 12:
        // int64 period = 12;
        if (wireType !== 0) return false;
        period = r.int64();
        return true;
      default:
        return false;
    }
  });
  const str = (i: number): string => strings[i] ?? '';
  const frameCache = new Map<number, ProfileFrame[]>();
  const framesOf = (locationId: number): ProfileFrame[] => {
    let frames = frameCache.get(locationId);
    if (frames === undefined) {
      const loc = locations.get(locationId);
      // Multiple lines: inlined calls, the last one is the caller the others were inlined into (leaf first already).
      frames = (loc?.lines ?? []).map((l) => {
        const fn = functions.get(l.functionId);
        return { function: fn ? str(fn.name) : `?fn${l.functionId}`, file: fn ? str(fn.file) : '', line: l.line };
      });
      if (frames.length === 0) frames = [{ function: `?loc${locationId}`, file: '', line: 0 }];
      frameCache.set(locationId, frames);
    }
    return frames;
  };
  if (strings.length === 0 || strings[0] !== '') throw new ProfileDecodeError('no string table (string_table[0] must be ""): not a profile.proto message');
  return {
    sampleTypes: sampleTypes.map((t) => ({ type: str(t.type), unit: str(t.unit) })),
    samples: rawSamples.map((s) => ({ values: s.values, stack: s.locations.flatMap(framesOf) })),
    period,
  };
}

/** Gunzip (when gzipped: net/http/pprof always is) and decode. */
export function decodeProfileBytes(bytes: Uint8Array): Profile {
  let raw = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes);
    } catch (err) {
      throw new ProfileDecodeError(`not a gzipped profile: ${(err as Error).message}`);
    }
  }
  return decodeProfile(raw);
}

/**
 * One allocation site (the record's shape, harness/records.ts): the allocating
 * frame `function (file:line)`, and the callers below the leaf (at most 4) of
 * the stack that holds the most of the site's bytes: one leaf
 * (bufio.NewReaderSize) is reached from several places (the HTTP server's
 * and the Transport's buffers).
 */
export type HeapSite = PprofHeapSite;

export interface HeapSummary {
  inuseBytes: number;
  inuseObjects: number;
  /** Sites by in-use bytes, largest first, at most `top`. */
  sites: HeapSite[];
  /** How many distinct sites the profile had. */
  siteCount: number;
}

const frameText = (f: ProfileFrame): string => `${f.function} (${f.file.split('/').slice(-2).join('/')}:${f.line})`;

/**
 * In-use heap per allocation site (the leaf frame, pprof's "flat" view):
 * sample types inuse_space / inuse_objects, summed over samples with the same
 * leaf. Go writes heap values already scaled by its sampling rate.
 */
export function heapSummary(profile: Profile, top = 10): HeapSummary {
  const space = profile.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  const objects = profile.sampleTypes.findIndex((t) => t.type === 'inuse_objects');
  if (space === -1) throw new ProfileDecodeError(`no inuse_space sample type (has ${profile.sampleTypes.map((t) => t.type).join(', ') || 'none'}): not a heap profile`);
  const bySite = new Map<string, HeapSite>();
  // Per site, bytes by caller chain, to name the chain that holds most of them.
  const chains = new Map<string, Map<string, { callers: string[]; bytes: number }>>();
  let inuseBytes = 0;
  let inuseObjects = 0;
  for (const s of profile.samples) {
    const bytes = s.values[space] ?? 0;
    const count = objects === -1 ? 0 : (s.values[objects] ?? 0);
    if (bytes === 0 && count === 0) continue;
    inuseBytes += bytes;
    inuseObjects += count;
    const leaf = s.stack[0] ?? { function: '?', file: '', line: 0 };
    const key = frameText(leaf);
    let site = bySite.get(key);
    if (site === undefined) {
      site = { site: key, function: leaf.function, file: leaf.file, line: leaf.line, inuseBytes: 0, inuseObjects: 0, callers: [] };
      bySite.set(key, site);
      chains.set(key, new Map());
    }
    site.inuseBytes += bytes;
    site.inuseObjects += count;
    const callers = s.stack.slice(1, 5).map(frameText);
    const byChain = chains.get(key)!;
    const chainKey = callers.join('\n');
    const chain = byChain.get(chainKey) ?? { callers, bytes: 0 };
    chain.bytes += bytes;
    byChain.set(chainKey, chain);
  }
  for (const [key, site] of bySite) {
    let best: { callers: string[]; bytes: number } | null = null;
    for (const c of chains.get(key)!.values()) if (best === null || c.bytes > best.bytes) best = c;
    site.callers = best?.callers ?? [];
  }
  const sites = [...bySite.values()].sort((a, b) => b.inuseBytes - a.inuseBytes || a.site.localeCompare(b.site));
  return { inuseBytes, inuseObjects, sites: sites.slice(0, top), siteCount: sites.length };
}

/** `goroutine profile: total N` from /debug/pprof/goroutine?debug=1, or null when the text is not one. */
export function goroutineTotal(text: string): number | null {
  const m = /^goroutine profile: total (\d+)\s*$/m.exec(text.slice(0, 200));
  return m ? Number(m[1]) : null;
}
