// What --target-metrics, --target-pprof and --judge-metric say, checked before
// anything starts (a bad value is a usage error naming the flag, exit 2) and
// resolved once the target's port is known: a non-Node target is judged on its
// own vitals (a Prometheus endpoint's series, a Go target's net/http/pprof),
// which the continuous samples and the drained checkpoints record with the
// rest (`relay` holds the scraped series, `pprof` the checkpoint's profiles).

import { usageError } from '../errors.ts';

export type VitalKind = 'slope' | 'level';

/** One series to judge: a /metrics key as printed (`name` or `name{label="v"}`), or `pprof:goroutines`. */
export interface VitalChoice {
  key: string;
  kind: VitalKind;
}

/** What run.json records of the target's vitals (RunMeta.vitals): the verdict reads `judge` from it. */
export interface VitalsMeta {
  /** The Prometheus URL scraped instead of `<target>/metrics`, credentials and query left out; null: the default. */
  metricsUrl: string | null;
  /** The net/http/pprof base (`…/debug/pprof`) read at checkpoints, or null. */
  pprofUrl: string | null;
  /** Series chosen with --judge-metric (judged with the well-known ones found). */
  judge: VitalChoice[];
}

/** http://127.0.0.1|localhost|[::1]:PORT/path, PORT a number or `{port}` (the port the harness gives a --target-cmd). */
const LOOPBACK = /^http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):(\d{1,5}|\{port\})(\/[^\s?#]*)?$/;

/**
 * A --target-metrics / --target-pprof URL: loopback only (the harness never
 * reaches off the machine), http, no query, no credentials. `{port}` stands
 * for the port the harness picks for a --target-cmd target.
 */
export function checkVitalsUrl(flag: '--target-metrics' | '--target-pprof', url: string, portPlaceholder: boolean): void {
  const m = LOOPBACK.exec(url);
  if (!m) throw usageError(`${flag}: expected http://127.0.0.1:PORT/path (loopback only, no query or credentials), got ${JSON.stringify(url)}`);
  if (m[2] === '{port}') {
    if (!portPlaceholder) throw usageError(`${flag}: {port} is the port the harness gives a target it starts; with --target-pid give the port itself`);
  } else if (Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw usageError(`${flag}: port ${m[2]} is not in [1, 65535]`);
  }
}

/** `name` or `name{labels}`, then an optional `:slope` / `:level`. */
const CHOICE = /^([a-zA-Z_][a-zA-Z0-9_]*(?:\{[^{}]*\})?|pprof:goroutines)(?::(slope|level))?$/;

/**
 * --judge-metric values: each `NAME[:slope|level]`, the flag repeatable and
 * each value also a comma list. Default kind: slope (growth per request).
 */
export function parseJudgeMetrics(values: readonly string[]): VitalChoice[] {
  const out: VitalChoice[] = [];
  for (const value of values) {
    for (const raw of value.split(',')) {
      const text = raw.trim();
      if (text === '') continue;
      const m = CHOICE.exec(text);
      if (!m) throw usageError(`--judge-metric: expected NAME[:slope|level] (a Prometheus series name, optionally with its {labels}, or pprof:goroutines), got ${JSON.stringify(text)}`);
      const key = m[1]!;
      const kind = (m[2] ?? 'slope') as VitalKind;
      const seen = out.find((c) => c.key === key);
      if (seen && seen.kind !== kind) throw usageError(`--judge-metric: ${key} given as both ${seen.kind} and ${kind}`);
      if (!seen) out.push({ key, kind });
    }
  }
  return out;
}

/** The URL without credentials or query, for run.json and messages. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

export interface ResolvedVitals {
  /** Scraped instead of `<target>/metrics`, or null for the default. */
  metricsUrl: string | null;
  /** net/http/pprof base, no trailing slash; `derived` when taken from --target-metrics' host. */
  pprofUrl: string | null;
  pprofDerived: boolean;
}

/**
 * The URLs with `{port}` filled in from the target's URL. Without
 * --target-pprof, a --target-metrics host is tried for net/http/pprof at
 * `/debug/pprof` (the caller keeps it only if it answers).
 */
export function resolveVitals(options: { targetMetrics?: string; targetPprof?: string }, targetUrl: string): ResolvedVitals {
  const port = targetUrl ? new URL(targetUrl).port : '';
  const fill = (u: string): string => u.replaceAll('{port}', port);
  const metricsUrl = options.targetMetrics ? fill(options.targetMetrics) : null;
  if (options.targetPprof) return { metricsUrl, pprofUrl: fill(options.targetPprof).replace(/\/+$/, ''), pprofDerived: false };
  if (metricsUrl) return { metricsUrl, pprofUrl: `${new URL(metricsUrl).origin}/debug/pprof`, pprofDerived: true };
  return { metricsUrl, pprofUrl: null, pprofDerived: false };
}
