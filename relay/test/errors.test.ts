// The relay's errors share the project's base (shared/errors.ts) with a
// RELAY_ERR_* code, while the management API keeps sending its own wire codes
// (`invalid_request`, `not_found`, `sync_unknown`...) in JSON bodies.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccount } from '../../shared/accounts.ts';
import { isRelaySoakError, RelaySoakError } from '../../shared/errors.ts';
import { ConfigError, RelayError } from '../errors.ts';
import { SyncRequestError } from '../management/account-sync.ts';
import { closeClients, management, SEED, startPair, type Pair } from './helpers.ts';

describe('relay error classes', () => {
  it('extend RelaySoakError with their RELAY_ERR_* code and own name', () => {
    const relay = new RelayError('RELAY_ERR_UPSTREAM_BROKEN', 'upstream connection failed', { cause: new Error('reset') });
    expect(relay).toBeInstanceOf(RelaySoakError);
    expect(relay).toMatchObject({ name: 'RelayError', code: 'RELAY_ERR_UPSTREAM_BROKEN', message: 'upstream connection failed' });
    expect((relay.cause as Error).message).toBe('reset');
    const config = new ConfigError('--port', 'expected an integer in [0, 65535], got "x"');
    expect(config).toBeInstanceOf(RelayError);
    expect(config).toMatchObject({ name: 'ConfigError', code: 'RELAY_ERR_CONFIG_INVALID', option: '--port', message: '--port: expected an integer in [0, 65535], got "x"' });
    expect(isRelaySoakError(config, 'RELAY_ERR_')).toBe(true);
  });

  it('SyncRequestError keeps the wire code apart from its RELAY_ERR_* code', () => {
    const err = new SyncRequestError(409, 'sync_unknown', 'sync_id: no snapshot in progress with this id (start with chunk 0)');
    expect(err).toBeInstanceOf(RelayError);
    expect(err).toMatchObject({ name: 'SyncRequestError', code: 'RELAY_ERR_SYNC_REQUEST', apiCode: 'sync_unknown', status: 409 });
  });
});

describe('management API error bodies', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair(10);
  });
  afterAll(async () => {
    await closeClients();
    await pair?.close();
  });

  it('send the unchanged wire codes, never a RELAY_ERR_* code', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      ['accounts?limit=0', undefined, 400, 'invalid_request'],
      ['accounts/ffffffffffffffff', undefined, 404, 'not_found'],
      ['sync/snapshot', { sync_id: 'never-started', chunk: 1, last: true, accounts: [] }, 409, 'sync_unknown'],
      ['sync/events', { events: [{ auth_index: generateAccount(SEED, 0).authIndex, op: 'explode' }] }, 400, 'invalid_request'],
    ];
    for (const [path, body, status, code] of cases) {
      const reply = await management(pair.relay, path, body);
      expect(reply.status, path).toBe(status);
      expect(reply.json().error, path).toMatchObject({ type: 'invalid_request_error', code });
    }
  });
});
