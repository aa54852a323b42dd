// GET /v1/models, answered by the relay itself (as one-api / CLIProxyAPI do)
// from the models its accounts serve. The body is built once per relay: the
// account set does not change which models exist.

import type { ServerResponse } from 'node:http';
import type { AccountPool } from '../accounts/pool.ts';
import { MODELS } from '../../shared/accounts.ts';

export function buildModelsBody(accounts: AccountPool, created: number): Buffer {
  const data = MODELS.map((id, m) => ({ id, m }))
    .filter(({ m }) => accounts.hasAnyFor(m))
    .map(({ id }) => ({ id, object: 'model', created, owned_by: 'relay' }));
  return Buffer.from(JSON.stringify({ object: 'list', data }));
}

export function sendModels(res: ServerResponse, body: Buffer): number {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
  return 200;
}
