// Seeded, reproducible randomness shared by the relay, the fake upstream and
// the harness. Same seed → same sequence, on every machine and Node version
// (no Math.random, no platform-dependent float formatting).

import { createHash } from 'node:crypto';

/** A uniform [0, 1) generator. */
export type Rng = () => number;

/** 32-bit hash of a string seed (FNV-1a), used to derive independent streams. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast, good enough for fault plans and synthetic data. */
export function createRng(seed: number | string): Rng {
  let a = typeof seed === 'string' ? hashSeed(seed) : seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max] inclusive. */
export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
