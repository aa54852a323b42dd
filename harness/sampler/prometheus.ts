// The relay's /metrics, flattened for the run records: Prometheus text
// exposition format → { 'name{label="v",...}': value }, each key exactly as
// the relay printed it (so a key in a record can be grepped in the relay's
// output). Histogram and summary series (_bucket, _sum, _count, quantiles)
// are ordinary lines here and are kept as-is.

import { request, type Dispatcher } from 'undici';
import { SamplerError } from './errors.ts';

/**
 * Parses the text format. Comments (# HELP, # TYPE) and blank lines are
 * skipped, an optional timestamp after the value is ignored, `+Inf`, `-Inf`
 * and `NaN` are understood. A malformed line is skipped rather than failing
 * the whole scrape: one odd gauge must not blank a soak run's relay figures.
 * A series printed twice keeps its last value.
 */
export function parsePrometheusText(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    parseLine(text, start, end, out);
    start = end + 1;
  }
  return out;
}

function parseLine(text: string, start: number, end: number, out: Record<string, number>): void {
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  if (start >= end || text.charCodeAt(start) === 35 /* # */) return;
  // The series key: the name, then a label set whose quoted values may hold
  // spaces, '}' and escaped quotes.
  let i = start;
  while (i < end && !isBlank(text.charCodeAt(i)) && text.charCodeAt(i) !== 123 /* { */) i++;
  if (i === start) return;
  if (i < end && text.charCodeAt(i) === 123) {
    const close = endOfLabels(text, i + 1, end);
    if (close === -1) return;
    i = close + 1;
  }
  const key = text.slice(start, i);
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  let valueEnd = i;
  while (valueEnd < end && !isBlank(text.charCodeAt(valueEnd))) valueEnd++;
  const value = parseValue(text.slice(i, valueEnd));
  if (value !== undefined) out[key] = value;
}

/** Index of the `}` closing a label set that opened just before `from`, or -1. */
function endOfLabels(text: string, from: number, end: number): number {
  let inQuotes = false;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inQuotes = false;
    } else if (c === 34) {
      inQuotes = true;
    } else if (c === 125 /* } */) {
      return i;
    }
  }
  return -1;
}

function parseValue(token: string): number | undefined {
  if (token === '') return undefined;
  switch (token) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  const value = Number(token);
  return Number.isNaN(value) ? undefined : value;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

export interface ScrapeOptions {
  /** Whole-scrape timeout (connect, headers and body), ms. */
  timeoutMs: number;
  /** undici dispatcher; default: undici's global one (a keep-alive Agent, so one persistent connection). */
  dispatcher?: Dispatcher;
}

/** The URL without credentials or query, for error messages. */
function displayUrl(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

/**
 * GETs a /metrics URL and parses it. Fails with SOAK_ERR_METRICS_TIMEOUT or
 * SOAK_ERR_METRICS_UNAVAILABLE (unreachable, or a non-200 status). The response
 * body is always consumed or destroyed, so a failed scrape never pins a
 * pooled connection.
 */
export async function scrapeMetrics(url: string | URL, options: ScrapeOptions): Promise<Record<string, number>> {
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new TypeError(`timeoutMs: expected a positive number of ms, got ${String(options.timeoutMs)}`);
  }
  const signal = AbortSignal.timeout(options.timeoutMs);
  const where = displayUrl(url);
  try {
    const response = await request(url, {
      method: 'GET',
      signal,
      headers: { accept: 'text/plain' },
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
    if (response.statusCode !== 200) {
      await response.body.dump().catch(() => response.body.destroy());
      throw new SamplerError('SOAK_ERR_METRICS_UNAVAILABLE', `${where} answered HTTP ${response.statusCode}`);
    }
    return parsePrometheusText(await response.body.text());
  } catch (error) {
    if (error instanceof SamplerError) throw error;
    if (signal.aborted) throw new SamplerError('SOAK_ERR_METRICS_TIMEOUT', `${where} did not answer within ${options.timeoutMs} ms`, { cause: error });
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SamplerError('SOAK_ERR_METRICS_UNAVAILABLE', `cannot scrape ${where}: ${code}`, { cause: error });
  }
}
