// Typed errors that cross module boundaries, and the OpenAI-style error body
// every client-facing failure is rendered as. Messages never carry secrets
// (client keys, the management key, account tokens): callers pass only
// option names, route names and counts.

import type { ServerResponse } from 'node:http';
import { RelaySoakError } from '../shared/errors.ts';

/** Stable codes: tests and the harness match on these, never on messages. */
export type RelayErrorCode =
  | 'RELAY_ERR_CONFIG_INVALID'
  | 'RELAY_ERR_LEAK_UNKNOWN'
  | 'RELAY_ERR_UPSTREAM_TIMEOUT'
  | 'RELAY_ERR_UPSTREAM_BROKEN'
  | 'RELAY_ERR_UPSTREAM_CONNECT'
  | 'RELAY_ERR_UPSTREAM_TOO_LARGE'
  | 'RELAY_ERR_CLIENT_ABORTED'
  | 'RELAY_ERR_REQUEST_CANCELLED'
  | 'RELAY_ERR_ACCOUNT_DISABLED'
  | 'RELAY_ERR_SHUTTING_DOWN'
  /** A management request the relay refused (400/404/409/413); the client sees `apiCode`. */
  | 'RELAY_ERR_BAD_REQUEST'
  /** An account sync request the relay refused; the client sees `apiCode`. */
  | 'RELAY_ERR_SYNC_REQUEST';

export class RelayError extends RelaySoakError<RelayErrorCode> {}

/** A bad configuration value. `option` is the flag name (`--port`), shown to the user. */
export class ConfigError extends RelayError {
  readonly option: string;
  constructor(option: string, message: string) {
    super('RELAY_ERR_CONFIG_INVALID', `${option}: ${message}`);
    this.option = option;
  }
}

/** The three fields OpenAI clients read from `{"error":{...}}`. */
export interface ApiErrorBody {
  message: string;
  type: string;
  code: string;
}

/**
 * Writes `{"error":{message,type,code}}` unless the response is already
 * committed (then there is nothing sane left to say: the caller destroys it).
 */
export function sendApiError(
  res: ServerResponse,
  status: number,
  error: ApiErrorBody,
  extraHeaders?: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(JSON.stringify({ error: error }));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body.length,
    ...extraHeaders,
  });
  res.end(body);
}

// The fixed client-facing errors, allocated once.
export const ERR = {
  unauthorized: { message: 'missing or invalid API key', type: 'authentication_error', code: 'invalid_api_key' },
  managementUnauthorized: { message: 'management key required', type: 'authentication_error', code: 'unauthorized' },
  notFound: { message: 'unknown route', type: 'invalid_request_error', code: 'not_found' },
  methodNotAllowed: { message: 'method not allowed', type: 'invalid_request_error', code: 'method_not_allowed' },
  malformedJson: { message: 'request body is not valid JSON', type: 'invalid_request_error', code: 'invalid_json' },
  tooLarge: { message: 'request body exceeds the size limit', type: 'invalid_request_error', code: 'request_too_large' },
  shuttingDown: { message: 'relay is shutting down', type: 'server_error', code: 'shutting_down' },
  cancelled: { message: 'request cancelled', type: 'request_cancelled', code: 'request_cancelled' },
  upstreamTimeout: { message: 'upstream timed out', type: 'upstream_error', code: 'upstream_timeout' },
  upstreamBroken: { message: 'upstream connection failed', type: 'upstream_error', code: 'upstream_error' },
  upstreamTooLarge: { message: 'upstream response too large', type: 'upstream_error', code: 'upstream_response_too_large' },
  noAccounts: { message: 'no account available for this model', type: 'server_error', code: 'no_available_account' },
  allCooling: { message: 'all accounts are cooling down; retry later', type: 'rate_limit_error', code: 'rate_limited' },
  overloaded: { message: 'relay is at its concurrency limit; retry later', type: 'server_error', code: 'overloaded' },
} as const satisfies Record<string, ApiErrorBody>;
