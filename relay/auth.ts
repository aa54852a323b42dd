// Client and management authentication.
//
// Client keys: a Map from key to its position (the position, not the key, is
// what usage accounting and logs see). Management key: compared in constant
// time on sha256 digests, so neither the content nor the length of the
// expected key leaks through timing. Failures never say which part was wrong.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const BEARER = 'Bearer ';

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined || header.length <= BEARER.length) return undefined;
  // Case-insensitive scheme without allocating a lowered copy of the header.
  if (header.charCodeAt(6) !== 32 || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  return header.slice(BEARER.length).trim();
}

export class ClientKeys {
  readonly #byKey: ReadonlyMap<string, number>;

  constructor(keys: readonly string[]) {
    this.#byKey = new Map(keys.map((k, i) => [k, i]));
  }

  get count(): number {
    return this.#byKey.size;
  }

  /** Position of the request's client key, or -1 (missing or unknown). */
  identify(req: IncomingMessage): number {
    const token = bearerOf(req);
    return token === undefined ? -1 : (this.#byKey.get(token) ?? -1);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class ManagementKey {
  readonly #digest: Buffer;

  constructor(key: string) {
    this.#digest = digest(key);
  }

  /** Accepts `Authorization: Bearer <key>` or `X-Management-Key: <key>` (CLIProxyAPI's two forms). */
  verify(req: IncomingMessage): boolean {
    const header = req.headers['x-management-key'];
    const given = typeof header === 'string' ? header : bearerOf(req);
    if (given === undefined) return false;
    return timingSafeEqual(digest(given), this.#digest);
  }
}
