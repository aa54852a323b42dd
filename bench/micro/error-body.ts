// error-body (seed 002): what a client does with a large upstream error body
// (a 429 with 256 KiB, the fake upstream's 429-large), through a real undici
// Pool to a loopback server in a worker thread (error-body-server.ts: its
// heap is not the one measured). One op = one request + the body handling:
//
//   fixed   readCapped(body, 64 KiB)           the relay's fix: read to the cap, destroy
//   leaky   readErrorBodyPreFix(body, 64 KiB)  the relay's pre-fix: read to the cap, pause, return
//   alt     body.dump()                        undici's default: drains ≤ 128 KiB, destroys a longer body
//   alt     body.dump({ limit: 1 MiB })        a real drain: reads to the end, the socket is reused
//   alt     body.destroy()                     destroy without reading
//   alt     (body untouched)                   the bare bug: nobody reads or destroys it
//
// The cost of the leaky ways is a socket per op (the note column: sockets the
// pool still holds after the memory batches), so their counts are small and
// capped; every subject's pool is destroyed when its case ends.

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Pool, type Dispatcher } from 'undici';
import { readCapped, readErrorBodyPreFix } from '../../relay/upstream/read-body.ts';
import type { MicroCase, Role, Subject } from './case.ts';

const BODY_BYTES = 256 * 1024;
const CAP = 64 * 1024; // the relay's default --error-body-cap
const REQUEST_BODY = JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] });

let server: Promise<{ worker: Worker; url: string }> | null = null;

function startServer(): Promise<{ worker: Worker; url: string }> {
  server ??= (async () => {
    const worker = new Worker(new URL('./error-body-server.ts', import.meta.url), { workerData: { bodyBytes: BODY_BYTES } });
    const [port] = (await once(worker, 'message')) as [number];
    if (port === 0) throw new Error('error-body server did not listen');
    return { worker, url: `http://127.0.0.1:${port}` };
  })();
  return server;
}

async function stopServer(): Promise<void> {
  const s = server;
  server = null;
  if (s === null) return;
  const { worker } = await s;
  const exited = once(worker, 'exit');
  worker.postMessage('close');
  const timer = setTimeout(() => void worker.terminate(), 2_000);
  await exited;
  clearTimeout(timer);
}

type Handle = (body: Dispatcher.ResponseData['body']) => Promise<unknown> | unknown;

async function subject(handle: Handle): Promise<Subject> {
  const { url } = await startServer();
  // No socket cap: a pinned socket makes the next request open a new one, as seed 002's pool did up to its limit.
  const pool = new Pool(url, { connections: null, pipelining: 1 });
  const op = async (): Promise<void> => {
    const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: REQUEST_BODY });
    if (res.statusCode !== 429) throw new Error(`error-body server answered ${res.statusCode}`);
    await handle(res.body);
  };
  return {
    op,
    note: () => `sockets held ${pool.stats.connected}`,
    close: () => pool.destroy(),
  };
}

const swallow = (): void => {};

const WAYS: readonly { variant: string; role: Role; pins: boolean; handle: Handle }[] = [
  { variant: 'readCapped (destroy)', role: 'fixed', pins: false, handle: (body) => readCapped(body, CAP) },
  { variant: 'readErrorBodyPreFix', role: 'leaky', pins: true, handle: (body) => readErrorBodyPreFix(body, CAP) },
  { variant: 'body.dump()', role: 'alt', pins: false, handle: (body) => body.dump().catch(swallow) },
  { variant: 'dump({limit:1MiB})', role: 'alt', pins: false, handle: (body) => body.dump({ limit: 1 << 20 }) },
  { variant: 'body.destroy()', role: 'alt', pins: false, handle: (body) => void body.on('error', swallow).destroy() },
  { variant: 'body untouched', role: 'alt', pins: true, handle: (body) => void body.on('error', swallow) },
];

export function errorBodyCases(): MicroCase[] {
  return WAYS.map((w, i): MicroCase => ({
    mechanism: 'error-body',
    variant: w.variant,
    role: w.role,
    size: '256 KiB body',
    async: true,
    // A pinned socket per op: a few hundred at most (fds), released when the case ends.
    maxIterations: w.pins ? 200 : 3_000,
    memoryOps: w.pins ? 100 : 300,
    make: () => subject(w.handle),
    ...(i === WAYS.length - 1 ? { release: stopServer } : {}),
  }));
}
