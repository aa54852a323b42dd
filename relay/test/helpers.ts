// Test helpers: a real fake upstream (mocks/) and a real relay on 127.0.0.1,
// plus small clients. Each test file builds its own pair and closes it.

import { request, Agent, Client, type Dispatcher } from 'undici';
import { startUpstream, type FaultPlan, type Upstream, type UpstreamOptions } from '../../mocks/index.ts';
import { startRelay, type RelayHandle, type RelayOptions } from '../index.ts';

export const SEED = 7;
export const CLIENT_KEY = 'sk-test-client-0001';
export const OTHER_CLIENT_KEY = 'sk-test-client-0002';
export const MANAGEMENT_KEY = 'mk-test-management-0001';

export interface Pair {
  upstream: Upstream;
  relay: RelayHandle;
  close(): Promise<void>;
}

export async function startPair(
  accounts: number,
  relayOptions: Partial<RelayOptions> = {},
  upstreamOptions: Partial<UpstreamOptions> & { plan?: FaultPlan } = {},
): Promise<Pair> {
  const upstream = await startUpstream({ seed: SEED, accounts, ...upstreamOptions });
  let relay: RelayHandle;
  try {
    relay = await startRelay({
      upstream: upstream.url,
      accounts,
      seed: SEED,
      clientKeys: [CLIENT_KEY, OTHER_CLIENT_KEY],
      managementKey: MANAGEMENT_KEY,
      ...relayOptions,
    });
  } catch (err) {
    await upstream.close();
    throw err;
  }
  return {
    upstream,
    relay,
    async close() {
      await relay.close();
      await upstream.close();
    },
  };
}

/** One agent for the test client side; closed by closeClients(). */
let agent = new Agent({ keepAliveTimeout: 1_000 });

export async function closeClients(): Promise<void> {
  const old = agent;
  agent = new Agent({ keepAliveTimeout: 1_000 });
  await old.close();
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

export async function call(
  url: string,
  options: { method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: string | Buffer; key?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== null) headers.authorization ??= `Bearer ${options.key ?? CLIENT_KEY}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await request(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body ?? null,
    dispatcher: agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

export function chatBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hello' }], ...extra });
}

export function chat(relay: RelayHandle, extra: Record<string, unknown> = {}, headers?: Record<string, string>): Promise<Reply> {
  return call(`${relay.url}/v1/chat/completions`, { body: chatBody(extra), ...(headers ? { headers } : {}) });
}

export function management(
  relay: RelayHandle,
  path: string,
  body?: unknown,
  key: string | null = MANAGEMENT_KEY,
): Promise<Reply> {
  return call(`${relay.url}/v0/management/${path}`, {
    key,
    ...(body === undefined ? { method: 'GET' as const } : { method: 'POST' as const, body: JSON.stringify(body) }),
  });
}

/** The relay's /metrics flattened to `name{labels}` → value. */
export async function metrics(relay: RelayHandle): Promise<Record<string, number>> {
  const reply = await call(`${relay.url}/metrics`, { key: null });
  const out: Record<string, number> = {};
  for (const line of reply.text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns the elapsed ms, or -1. */
export async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 10): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return (await probe()) ? performance.now() - started : -1;
}

/** The account that served a request, from the relay's completed-usage record. */
export async function servedBy(relay: RelayHandle, reply: Reply): Promise<string> {
  const id = reply.headers['x-request-id'];
  if (typeof id !== 'string') throw new Error('no x-request-id on the reply');
  const done = await management(relay, `requests/${id}/usage`);
  return (done.json() as { authIndex: string }).authIndex;
}

/** Starts a stream through the relay, reads its first bytes, hangs up (client socket destroyed). */
export async function abandonStream(relay: RelayHandle): Promise<void> {
  const client = new Client(relay.url);
  try {
    const res = await client.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: chatBody({ stream: true }),
    });
    if (res.statusCode !== 200) throw new Error(`stream request answered ${res.statusCode}`);
    await new Promise((resolve) => res.body.once('data', resolve));
    res.body.destroy();
  } finally {
    await client.destroy();
  }
}
