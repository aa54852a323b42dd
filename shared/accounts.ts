// The deterministic account set shared by the relay (which owns the pool) and
// the fake upstream (which recognises each account by its bearer token).
// Shape follows CLIProxyAPI's codex auth records: an opaque id, an
// `auth_index` (16 hex chars of sha256 of a stable seed string), ~2 KB of
// token metadata and a few attributes. Runtime state (cooldowns, quota) is
// the relay's business and is not generated here.
//
// mocks/ and relay/ both import this file; neither imports the other.

import { createRng, randInt, sha256Hex, type Rng } from './prng.ts';

export const MODELS = ['gpt-5', 'gpt-5-codex', 'gpt-5-mini', 'gpt-4.1'] as const;
export type ModelId = (typeof MODELS)[number];

export interface AccountRecord {
  /** Position in the generated set, 0-based. */
  readonly index: number;
  readonly id: string;
  /** 16 hex chars of sha256(`${seed}:codex:${index}`): the management lookup key. */
  readonly authIndex: string;
  readonly provider: 'codex';
  readonly email: string;
  /** Bearer token sent upstream. Secret: never logged or reported. */
  readonly accessToken: string;
  /** ~2 KB of token metadata (id/refresh tokens, account ids), as real relays keep. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly attributes: Readonly<Record<string, string>>;
  /** Models this account may serve. Every account serves MODELS[0]. */
  readonly models: readonly ModelId[];
}

const TOKEN_PREFIX = 'cxat';

/** The stable seed string an account's auth_index and token derive from. */
function accountSeed(seed: number, index: number): string {
  return `${seed}:codex:${index}`;
}

export function authIndexOf(seed: number, index: number): string {
  return sha256Hex(accountSeed(seed, index)).slice(0, 16);
}

/**
 * The bearer token of account `index`. It embeds the index so the upstream can
 * find the account in O(1) without materialising the set; the digest part makes
 * it unguessable from the index alone (without the seed).
 */
export function accessTokenOf(seed: number, index: number): string {
  return `${TOKEN_PREFIX}.${index}.${sha256Hex(`token:${accountSeed(seed, index)}`).slice(0, 40)}`;
}

/** Inverse of accessTokenOf: the account index, or -1 when the token is not one of this set. */
export function accountIndexOfToken(seed: number, accounts: number, token: string): number {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return -1;
  const index = Number(parts[1]);
  if (!Number.isInteger(index) || index < 0 || index >= accounts) return -1;
  return accessTokenOf(seed, index) === token ? index : -1;
}

const B64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');

/** A flat (non-rope) base64url-alphabet string of `length` chars. */
function randomB64(rng: Rng, length: number): string {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = B64[Math.floor(rng() * 64)]!;
  return bytes.toString('latin1');
}

const PLANS = ['plus', 'pro', 'team', 'business'] as const;
const REGIONS = ['us', 'eu', 'ap'] as const;

export function generateAccount(seed: number, index: number): AccountRecord {
  const rng = createRng(`${seed}:account:${index}`);
  const accountId = `${sha256Hex(`acct:${seed}:${index}`).slice(0, 8)}-${randomB64(rng, 4)}`;
  const email = `codex-${String(index).padStart(6, '0')}@accounts.example.test`;
  const models = MODELS.filter((m, i) => i === 0 || rng() < 0.75);
  return {
    index,
    id: `codex-${accountId}`,
    authIndex: authIndexOf(seed, index),
    provider: 'codex',
    email,
    accessToken: accessTokenOf(seed, index),
    metadata: {
      // JWT-looking blobs of realistic size: this is what makes a deep clone of
      // every account expensive (seed 000).
      id_token: `eyJhbGciOiJSUzI1NiJ9.${randomB64(rng, 900)}.${randomB64(rng, 342)}`,
      refresh_token: `rt_${randomB64(rng, 420)}`,
      account_id: accountId,
      chatgpt_user_id: `user-${randomB64(rng, 24)}`,
      organization_id: `org-${randomB64(rng, 24)}`,
      last_refresh: new Date(Date.UTC(2026, 0, 1) + randInt(rng, 0, 300) * 86_400_000).toISOString(),
      expires_at: new Date(Date.UTC(2027, 0, 1) + randInt(rng, 0, 300) * 86_400_000).toISOString(),
      type: 'codex',
    },
    attributes: {
      plan_type: PLANS[randInt(rng, 0, PLANS.length - 1)]!,
      region: REGIONS[randInt(rng, 0, REGIONS.length - 1)]!,
      priority: String(randInt(rng, 0, 9)),
      label: `pool-${index % 16}`,
    },
    models,
  };
}

/** The whole set, in index order. 5 000 accounts take ≈ 10 MB and ≈ 100 ms. */
export function generateAccounts(seed: number, count: number): AccountRecord[] {
  const out = new Array<AccountRecord>(count);
  for (let i = 0; i < count; i++) out[i] = generateAccount(seed, i);
  return out;
}
