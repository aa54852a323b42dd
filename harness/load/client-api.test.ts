// How the load talks to other relays: --auth schemes, --header (with
// {key}, {upstream} and ${ENV}), key rotation over --client-keys-file, a
// path prefix, and the API profiles; every client-API generator (autocannon
// chat traffic, stream aborts, retries) sends the same headers. The last
// test drives real load at a node:http recorder on 127.0.0.1.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineScenario, resolveScenario, type Mix } from '../../scenarios/index.ts';
import { ClientApi } from './client-api.ts';
import { resolveClientOptions, withUpstream } from './client-options.ts';
import { createLoad } from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'client-api-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const err = (flag: string, problem: string) => new Error(`${flag}: ${problem}`);
const refuses = (o: Parameters<typeof resolveClientOptions>[0], env: NodeJS.ProcessEnv = {}) => {
  try {
    resolveClientOptions(o, env, err);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('ClientApi: headers of each auth scheme, profile and user header', () => {
  it('sends the key as the scheme says, and the profile’s required headers', () => {
    expect(new ClientApi({}, 'k1').headers('json', 'k1')).toEqual({ authorization: 'Bearer k1', 'content-type': 'application/json' });
    expect(new ClientApi({ auth: 'x-api-key' }, 'k1').headers('get', 'k1')).toEqual({ 'x-api-key': 'k1' });
    expect(new ClientApi({ auth: 'api-key' }, 'k1').headers('sse', 'k1')).toEqual({ 'api-key': 'k1', 'content-type': 'application/json', accept: 'text/event-stream' });
    expect(new ClientApi({ auth: 'none' }, 'k1').headers('get', 'k1')).toEqual({});
    expect(new ClientApi({ api: 'messages', auth: 'x-api-key' }, 'k1').headers('json', 'k1')).toMatchObject({ 'x-api-key': 'k1', 'anthropic-version': '2023-06-01' });
  });

  it('user headers are added last (they may override ours) and {key} is the request’s key', () => {
    const c = new ClientApi({ auth: 'none', headers: [{ name: 'authorization', value: 'Token {key}' }, { name: 'anthropic-version', value: '2024-01-01' }], api: 'messages' }, 'k1');
    expect(c.headers('json', 'abc')).toMatchObject({ authorization: 'Token abc', 'anthropic-version': '2024-01-01' });
  });

  it('gives each request its own headers object: what autocannon writes into one never reaches the next request', () => {
    const api = new ClientApi({}, 'k1');
    const first = api.headers('json', 'k1') as Record<string, string>;
    first['Content-Length'] = '1234'; // what autocannon does to the object it is given
    expect(api.headers('json', 'k1')).toEqual({ authorization: 'Bearer k1', 'content-type': 'application/json' });
  });

  it('rotates round-robin over the keys; without keys it uses the run’s key', () => {
    const c = new ClientApi({ keys: ['a', 'b', 'c'] }, 'run');
    expect(Array.from({ length: 7 }, () => c.nextKey())).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
    const one = new ClientApi({}, 'run');
    expect([one.nextKey(), one.nextKey()]).toEqual(['run', 'run']);
  });

  it('uses the --model when given, else draws from the default set', () => {
    expect(new ClientApi({ model: 'claude-x' }, 'k').model(() => 0.9)).toBe('claude-x');
    expect(new ClientApi({}, 'k').model(() => 0)).toBe('gpt-5');
  });
});

describe('resolveClientOptions: what --header, --auth, --client-keys-file, --api and --model accept', () => {
  it('parses headers, fills ${ENV}, keeps {upstream} and {key} for later, and lists the secrets', () => {
    const r = resolveClientOptions({ headers: ['X-Provider: mock', 'x-token: Bearer ${TOK}', 'x-up: {upstream}/v1', 'x-k: {key}'] }, { TOK: 'tok-secret-123' }, err);
    expect(r.headers).toEqual([
      { name: 'x-provider', value: 'mock' },
      { name: 'x-token', value: 'Bearer tok-secret-123' },
      { name: 'x-up', value: '{upstream}/v1' },
      { name: 'x-k', value: '{key}' },
    ]);
    expect(r.secrets).toEqual(expect.arrayContaining(['tok-secret-123', 'Bearer tok-secret-123', 'mock', '/v1']));
    expect(r.needsUpstream).toBe(true);
    expect(withUpstream(r, 'http://127.0.0.1:9').headers![2]).toEqual({ name: 'x-up', value: 'http://127.0.0.1:9/v1' });
    expect(r).toMatchObject({ api: 'chat', auth: 'bearer', keys: null, model: null });
  });

  it('refuses malformed headers naming the flag, never quoting the value', () => {
    expect(refuses({ headers: ['no colon here sk-secret-value'] })).toMatch(/^--header: #1: expected 'Name: value'/);
    expect(refuses({ headers: ['no colon here sk-secret-value'] })).not.toContain('sk-secret');
    expect(refuses({ headers: ['bad name: x'] })).toContain('not a valid HTTP header name');
    expect(refuses({ headers: ['a: 1', 'Host: x'] })).toMatch(/^--header: #2 \(host\): set by the harness/);
    expect(refuses({ headers: ['x-a: {port}'] })).toContain('unknown placeholder {port}');
    expect(refuses({ headers: ['x-a: 1', 'X-A: 2'] })).toContain('given twice');
    expect(refuses({ headers: ['x-a: ${NOPE_NOT_SET}'] })).toBe('--header: #1 (x-a): environment variable NOPE_NOT_SET is not set (${NOPE_NOT_SET})');
  });

  it('reads keys files: blank lines and # comments skipped; empty, unreadable or malformed refused', () => {
    expect(resolveClientOptions({ clientKeysFile: file('k.txt', '# keys\n\nkey-one-1\r\n  key-two-2  \n#x\nkey-3\n') }, {}, err).keys).toEqual(['key-one-1', 'key-two-2', 'key-3']);
    expect(refuses({ clientKeysFile: file('empty.txt', '# only a comment\n\n') })).toMatch(/^--client-keys-file: .*holds no key/);
    expect(refuses({ clientKeysFile: join(tmp, 'missing.txt') })).toMatch(/^--client-keys-file: cannot read .*missing\.txt \(ENOENT\)/);
    expect(refuses({ clientKeysFile: tmp })).toContain('EISDIR');
    const spaced = refuses({ clientKeysFile: file('spaced.txt', 'ok-key\nkey with-space-secret\n') });
    expect(spaced).toContain(':2: a key holds a space');
    expect(spaced).not.toContain('with-space-secret');
    const r = resolveClientOptions({ clientKeysFile: file('k2.txt', 'k-aaaaaa\n') }, {}, err);
    expect(r.secrets).toContain('k-aaaaaa');
  });

  it('checks --api, --auth and --model', () => {
    expect(refuses({ api: 'grpc' as never })).toMatch(/^--api: expected one of chat, responses, messages/);
    expect(refuses({ auth: 'basic' as never })).toMatch(/^--auth: expected one of bearer, x-api-key, api-key, none/);
    expect(refuses({ model: ' ' })).toMatch(/^--model:/);
  });
});

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

async function recorder(): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers });
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"recorded"}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

function phase(mix: Mix) {
  const spec = defineScenario({
    name: 'client-api-test',
    description: 'client api test',
    defaults: { duration: '60s', accounts: 20, seed: 1, rate: 120 },
    phases: [{ name: 'p', kind: 'steady', share: 1, mix }],
    checkpoints: {},
    thresholds: {},
    variants: [],
  });
  return resolveScenario(spec).phases[0]!;
}

describe('the load under a path prefix, with user headers and rotating keys', () => {
  it('every client-API generator sends the same headers, under the prefix, rotating the keys', async () => {
    const rec = await recorder();
    try {
      const client = withUpstream(
        resolveClientOptions({ headers: ['x-provider: mock', 'x-key-echo: {key}'], auth: 'x-api-key', clientKeysFile: file('rot.txt', 'rk-aaaaaa\nrk-bbbbbb\nrk-cccccc\n'), api: 'responses' }, {}, err),
        null,
      );
      const load = createLoad({ url: `${rec.url}/gateway/`, clientKey: 'unused', managementKey: 'mk', accounts: 20, seed: 1, client });
      await load.runSegment(phase({ chat: 3, 'chat-stream': 2, models: 1, 'stream-abort': 2, retry: 2 }), 1_000, new AbortController().signal);
      await load.close();
      const seen = rec.seen;
      expect(seen.length).toBeGreaterThan(60);
      const paths = new Set(seen.map((s) => `${s.method} ${s.path}`));
      expect([...paths].sort()).toEqual(['GET /gateway/v1/models', 'POST /gateway/v1/responses']);
      for (const s of seen) {
        expect(s.headers['x-provider']).toBe('mock');
        expect(s.headers.authorization).toBeUndefined();
        expect(s.headers['x-key-echo']).toBe(s.headers['x-api-key']);
      }
      // Round-robin: each key within a few requests of a third (the generators share one rotation).
      const per = new Map<string, number>();
      for (const s of seen) per.set(String(s.headers['x-api-key']), (per.get(String(s.headers['x-api-key'])) ?? 0) + 1);
      expect([...per.keys()].sort()).toEqual(['rk-aaaaaa', 'rk-bbbbbb', 'rk-cccccc']);
      for (const n of per.values()) expect(Math.abs(n - seen.length / 3)).toBeLessThanOrEqual(seen.length * 0.1 + 3);
      // Streams asked for SSE; the Responses body shape.
      expect(seen.some((s) => s.headers.accept === 'text/event-stream')).toBe(true);
    } finally {
      rec.server.closeAllConnections();
      rec.server.close();
    }
  });
});
