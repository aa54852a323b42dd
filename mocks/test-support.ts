// Helpers shared by the mocks/ tests: an undici client call that reports what
// the client observed (status, headers, body, or the error and where it hit).

import { Client, type Dispatcher } from 'undici';
import { accessTokenOf } from '../shared/accounts.ts';

export const SEED = 42;
export const ACCOUNTS = 50;

export function authHeader(account: number, seed = SEED): string {
  return `Bearer ${accessTokenOf(seed, account)}`;
}

export const CHAT_BODY = JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hello' }] });
export const STREAM_BODY = JSON.stringify({
  model: 'gpt-5',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'hello' }],
});

export type Observed =
  | { phase: 'response'; status: number; headers: Record<string, string | string[] | undefined>; text: string; ms: number }
  | { phase: 'body'; status: number; headers: Record<string, string | string[] | undefined>; error: NodeJS.ErrnoException; ms: number }
  | { phase: 'request'; error: NodeJS.ErrnoException; ms: number };

export interface CallOptions {
  path?: string;
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string;
  account?: number;
  headersTimeout?: number;
  bodyTimeout?: number;
}

/** One request on a fresh undici Client (so no test sees another's socket), destroyed afterwards. */
export async function observe(origin: string, options: CallOptions = {}): Promise<Observed> {
  const client = new Client(origin, {
    headersTimeout: options.headersTimeout ?? 10_000,
    bodyTimeout: options.bodyTimeout ?? 10_000,
  });
  const started = performance.now();
  const method = options.method ?? 'POST';
  try {
    let res: Dispatcher.ResponseData;
    try {
      res = await client.request({
        path: options.path ?? '/v1/chat/completions',
        method,
        headers: {
          'content-type': 'application/json',
          authorization: authHeader(options.account ?? 0),
          ...options.headers,
        },
        body: method === 'GET' ? null : (options.body ?? CHAT_BODY),
      });
    } catch (error) {
      return { phase: 'request', error: error as NodeJS.ErrnoException, ms: performance.now() - started };
    }
    try {
      const text = await res.body.text();
      return { phase: 'response', status: res.statusCode, headers: res.headers, text, ms: performance.now() - started };
    } catch (error) {
      return { phase: 'body', status: res.statusCode, headers: res.headers, error: error as NodeJS.ErrnoException, ms: performance.now() - started };
    }
  } finally {
    await client.destroy();
  }
}

/** Polls `check` every 10 ms until it returns true or `timeoutMs` passes; returns the elapsed ms or -1. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check() ? performance.now() - started : -1;
}
