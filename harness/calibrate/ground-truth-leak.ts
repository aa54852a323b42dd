// The calibration bench's ground-truth leak: a preload (`--import`) that makes
// a Node HTTP server retain a KNOWN number of bytes per request and, optionally,
// open one extra handle (a file descriptor) every K requests.
//
// It exists only for calibration (`npm run soak -- calibrate`), which loads it into the relay
// through NODE_OPTIONS in the relay's own environment (harness/soak/options.ts
// TargetSpec.env). Neither is recorded in run.json (process.execArgv does not
// include NODE_OPTIONS, and the environment is never written), and no verdict
// code reads these variables: the verdict sees the leak only through what it
// measures. The relay's own build knows nothing about it.
//
//   SOAK_CALIBRATION_RETAIN_BYTES=B   retain B bytes of JS heap per HTTP request (integer ≥ 0)
//   SOAK_CALIBRATION_HANDLE_EVERY=K   open /dev/null once every K requests, never closed (integer ≥ 1)
//
// Why chunks rather than one object per request: a per-request object costs
// its header and a slot in the list that holds it (≥ 24 B on 64-bit V8), so
// 16 B/request could not be expressed and every size would carry a different
// overhead. Instead the bytes owed accumulate and are paid in fixed 4 KiB
// on-heap chunks (a JS array of 512 tagged slots, 8 B each: Node's builds have
// no pointer compression), so the heap grows by B·N ± one chunk after N requests,
// at every B. The chunk header and list slot (≈ 56 B per 4 KiB) are ≈ 1.4 %.

import http from 'node:http';
import { openSync } from 'node:fs';

const RETAIN_ENV = 'SOAK_CALIBRATION_RETAIN_BYTES';
const HANDLE_ENV = 'SOAK_CALIBRATION_HANDLE_EVERY';

/** Slots per chunk; 512 × 8 B = 4 KiB of elements. */
const CHUNK_SLOTS = 512;
export const CHUNK_BYTES = CHUNK_SLOTS * 8;

function intFromEnv(name: string, min: number): number | null {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    // A preload cannot exit 2 politely before the server starts; a clear line
    // and exit code 2 is what the bench (and the contract) expects of bad config.
    process.stderr.write(`${name}: expected an integer ≥ ${min}, got "${raw}"\n`);
    process.exit(2);
  }
  return Number(raw);
}

const retainBytes = intFromEnv(RETAIN_ENV, 0) ?? 0;
const handleEvery = intFromEnv(HANDLE_ENV, 1);

/** Everything retained, reachable from this module for the life of the process. */
const retained: unknown[][] = [];
const openedFds: number[] = [];
let owed = 0;
let requests = 0;

function onRequest(): void {
  requests++;
  if (retainBytes > 0) {
    owed += retainBytes;
    while (owed >= CHUNK_BYTES) {
      // fill(0) makes the array own all 512 slots now (new Array(n) alone may stay sparse).
      retained.push(new Array<number>(CHUNK_SLOTS).fill(0));
      owed -= CHUNK_BYTES;
    }
  }
  if (handleEvery !== null && requests % handleEvery === 0) openedFds.push(openSync('/dev/null', 'r'));
}

if (retainBytes > 0 || handleEvery !== null) {
  // Every node:http server in the process, whatever way it was created: the
  // relay imports `createServer` by name, which a patched export would miss.
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function patchedEmit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') onRequest();
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}
