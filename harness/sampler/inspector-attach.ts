// `--target-pid` on a Node process: the probe's signals (heap, GC, resources,
// forced GC at checkpoints) instead of /proc only, with nothing installed in
// the target beforehand. SIGUSR1 makes any Node process open its inspector
// (on 127.0.0.1, port 9229 unless it was started with another
// --inspect-port); over it the harness loads the probe (harness/probe/
// bundle.ts), which then answers on its Unix socket exactly like a preloaded
// one. At the end the probe is unloaded and the inspector closed again,
// unless it was already open before we came.
//
// What we touch in a process we did not start is kept to the minimum and
// checked first: SIGUSR1 kills a process that is not Node (its default
// action), so it is sent only when /proc says the executable is node; the
// inspector found is checked to be the target's own (`process.pid`) before
// anything is loaded into it (another Node process may already hold 9229).

import { readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { request } from 'undici';
import { probeBundle, UNLOAD_PROBE } from '../probe/bundle.ts';
import { SamplerError } from './errors.ts';
import { InspectorSession } from './inspector-session.ts';
import { listeningPorts } from './proc.ts';

/** How long Node takes to open its inspector after SIGUSR1 (measured: ~10 ms idle; a busy loop delays it). */
const OPEN_TIMEOUT_MS = 5_000;

/** The process runs a Node binary (`node`, `nodejs`, `node24`…), by its executable and argv[0]. */
export function isNodeProcess(pid: number): boolean {
  const looksLikeNode = (p: string) => /^node(js)?[\d.]*$/.test(basename(p));
  try {
    if (looksLikeNode(readlinkSync(`/proc/${pid}/exe`))) return true;
  } catch {
    // exe unreadable (another user's process): fall back to argv[0]
  }
  try {
    return looksLikeNode(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '');
  } catch {
    return false;
  }
}

/** The inspector's WebSocket URL on `port`, or null when `port` is not an inspector. */
async function inspectorUrl(port: number): Promise<string | null> {
  try {
    const res = await request(`http://127.0.0.1:${port}/json/list`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
    const text = await res.body.text();
    if (res.statusCode !== 200) return null;
    const list = JSON.parse(text) as { webSocketDebuggerUrl?: string }[];
    return Array.isArray(list) ? (list.find((t) => typeof t.webSocketDebuggerUrl === 'string')?.webSocketDebuggerUrl ?? null) : null;
  } catch {
    return null;
  }
}

export interface AttachedInspector {
  port: number;
  /** The inspector was open before the harness came: left open at the end. */
  wasOpen: boolean;
  session: InspectorSession;
}

/** Open (SIGUSR1) and connect to the inspector of Node process `pid`; throws SOAK_ERR_INSPECTOR saying why not. */
export async function openInspector(pid: number, timeoutMs = OPEN_TIMEOUT_MS): Promise<AttachedInspector> {
  if (!isNodeProcess(pid)) throw new SamplerError('SOAK_ERR_INSPECTOR', `process ${pid} is not a Node process (by /proc/${pid}/exe): no inspector to open`);
  const before = listeningPorts(pid);
  process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Ports that appeared since SIGUSR1 first; the others (the relay's own, or an
    // inspector open before we came) are asked only when no new one answers.
    const now = [...listeningPorts(pid)];
    for (const port of [...now.filter((p) => !before.has(p)), ...now.filter((p) => before.has(p))]) {
      const url = await inspectorUrl(port);
      if (!url) continue;
      const session = await InspectorSession.connect(url, 2_000);
      const theirs = await session.evaluate<number>('process.pid').catch(() => null);
      if (theirs === pid) return { port, wasOpen: before.has(port), session };
      session.close();
    }
    if (Date.now() > deadline) {
      throw new SamplerError(
        'SOAK_ERR_INSPECTOR',
        `process ${pid} opened no inspector within ${timeoutMs} ms of SIGUSR1 (its port may be taken by another process: see its stderr for "Starting inspector … failed")`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Load the probe into the attached process, listening on `socketPath`. */
export async function loadProbe(inspector: AttachedInspector, socketPath: string): Promise<void> {
  await inspector.session.evaluate(probeBundle(socketPath), 10_000);
}

/**
 * Unload the probe and close the inspector (unless it was open before). The
 * target's `inspector.close()` waits for open sessions to end, so it is
 * scheduled in the target and our session closed right after.
 */
export async function detachInspector(inspector: AttachedInspector): Promise<void> {
  const s = inspector.session;
  await s.evaluate(UNLOAD_PROBE, 5_000).catch(() => {});
  if (!inspector.wasOpen) {
    await s.evaluate("(() => { const t = setTimeout(() => (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:inspector') : require('node:inspector')).close(), 50); t.unref?.(); return true; })()", 5_000).catch(() => {});
  }
  s.close();
}
