// The user's description of a target's client API (--header, --auth,
// --client-keys-file, --api, --model) checked and resolved before anything
// starts: a malformed header, an unknown ${ENV} variable, an unreadable or
// empty keys file are usage errors naming the flag (exit 2). What needs the
// run (the fake upstream's URL for `{upstream}`) is filled in by
// `withUpstream` once the upstream listens; `{key}` is filled per request
// (client-api.ts).
//
// Header values and keys are secrets: errors never quote them, and
// `secrets` lists what the run folder must redact (run.json records the
// harness's argv, which holds every --header as typed).

import { readFileSync } from 'node:fs';
import { API_PROFILES, AUTH_SCHEMES, type ApiProfileName, type AuthScheme, type ClientApiConfig, type HeaderTemplate } from './client-api.ts';

/** What a caller (the CLI, or code through SoakOptions.client) may give. */
export interface ClientOptions {
  /** `Name: value` each; values may hold `{upstream}`, `{key}` and `${ENV}`. */
  headers?: readonly string[];
  auth?: AuthScheme;
  /** One key per line; blank lines and `#` comments are ignored. */
  clientKeysFile?: string;
  api?: ApiProfileName;
  model?: string;
}

export interface ResolvedClient {
  api: ApiProfileName;
  auth: AuthScheme;
  /** Still holding `{upstream}` where the user wrote it (withUpstream fills it). */
  headers: HeaderTemplate[];
  /** From --client-keys-file, else null (the run's own client key is used). */
  keys: string[] | null;
  model: string | null;
  /** Every value the run folder must not hold verbatim. */
  secrets: string[];
  /** Some header says `{upstream}`: only a run with a fake upstream can fill it. */
  needsUpstream: boolean;
}

type ErrorFactory = (flag: string, problem: string) => Error;

/** Names the harness sets itself: a user value would corrupt the framing. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection']);
/** RFC 9110 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const PLACEHOLDER = /\{([a-z]+)\}/g;
const KNOWN_PLACEHOLDERS = new Set(['upstream', 'key']);
/** A keys file is a list of credentials, not a data set: bounded so a wrong file (a log) is refused, not loaded. */
export const MAX_CLIENT_KEYS = 100_000;

/** Checks and resolves every client option; throws through `error` naming the flag. Reads the keys file. */
export function resolveClientOptions(o: ClientOptions, env: NodeJS.ProcessEnv, error: ErrorFactory): ResolvedClient {
  const api = o.api ?? 'chat';
  if (!(API_PROFILES as readonly string[]).includes(api)) throw error('--api', `expected one of ${API_PROFILES.join(', ')}, got ${JSON.stringify(api)}`);
  const auth = o.auth ?? 'bearer';
  if (!(AUTH_SCHEMES as readonly string[]).includes(auth)) throw error('--auth', `expected one of ${AUTH_SCHEMES.join(', ')}, got ${JSON.stringify(auth)}`);
  const secrets: string[] = [];
  const headers: HeaderTemplate[] = [];
  const seen = new Set<string>();
  (o.headers ?? []).forEach((text, i) => {
    const h = parseHeader(text, i, env, secrets, error);
    if (seen.has(h.name)) throw error('--header', `#${i + 1} (${h.name}): given twice; give each header once`);
    seen.add(h.name);
    headers.push(h);
  });
  const model = o.model ?? null;
  if (model !== null && (model.trim() === '' || /[\u0000-\u001f\u007f]/.test(model))) throw error('--model', 'expected a model name (non-empty, no control characters)');
  const keys = o.clientKeysFile === undefined ? null : readKeys(o.clientKeysFile, error);
  if (keys !== null) secrets.push(...keys);
  return { api, auth, headers, keys, model, secrets, needsUpstream: headers.some((h) => h.value.includes('{upstream}')) };
}

function parseHeader(text: string, index: number, env: NodeJS.ProcessEnv, secrets: string[], error: ErrorFactory): HeaderTemplate {
  const which = `#${index + 1}`;
  const colon = text.indexOf(':');
  // The text is never quoted: it may be a credential typed in the wrong form.
  if (colon <= 0) throw error('--header', `${which}: expected 'Name: value' (e.g. --header 'x-provider: mock'), got no name before a ':'`);
  const name = text.slice(0, colon).trim().toLowerCase();
  if (!TOKEN.test(name)) throw error('--header', `${which}: the name before ':' is not a valid HTTP header name`);
  if (RESERVED.has(name)) throw error('--header', `${which} (${name}): set by the harness itself; it cannot be given`);
  const raw = text.slice(colon + 1).trim();
  if (/[\r\n\u0000]/.test(raw)) throw error('--header', `${which} (${name}): the value holds a line break or NUL`);
  for (const m of raw.matchAll(PLACEHOLDER)) {
    if (!KNOWN_PLACEHOLDERS.has(m[1]!)) throw error('--header', `${which} (${name}): unknown placeholder {${m[1]}} (known: {upstream}, {key}, \${ENV})`);
  }
  const value = raw.replace(ENV_REF, (_, variable: string) => {
    const v = env[variable];
    if (v === undefined) throw error('--header', `${which} (${name}): environment variable ${variable} is not set (\${${variable}})`);
    if (/[\r\n\u0000]/.test(v)) throw error('--header', `${which} (${name}): environment variable ${variable} holds a line break or NUL`);
    if (v !== '') secrets.push(v);
    return v;
  });
  // The literal parts are secrets too (a token typed inline); the placeholders' values are the run's own.
  for (const piece of value.split(/\{upstream\}|\{key\}/)) if (piece.trim() !== '') secrets.push(piece.trim());
  return { name, value };
}

function readKeys(file: string, error: ErrorFactory): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw error('--client-keys-file', `cannot read ${file} (${code})`);
  }
  const keys: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/[\s\u0000-\u001f\u007f]/.test(line)) throw error('--client-keys-file', `${file}:${i + 1}: a key holds a space or a control character (one key per line)`);
    keys.push(line);
    if (keys.length > MAX_CLIENT_KEYS) throw error('--client-keys-file', `${file}: more than ${MAX_CLIENT_KEYS} keys; is it the right file?`);
  }
  if (keys.length === 0) throw error('--client-keys-file', `${file} holds no key (one key per line; blank lines and # comments are ignored)`);
  return keys;
}

/** The load's client configuration once the fake upstream's URL is known (null: no upstream, `{upstream}` was refused earlier). */
export function withUpstream(client: ResolvedClient, upstreamUrl: string | null): ClientApiConfig {
  return {
    api: client.api,
    auth: client.auth,
    ...(client.keys === null ? {} : { keys: client.keys }),
    headers: client.headers.map((h) => ({ name: h.name, value: upstreamUrl === null ? h.value : h.value.replaceAll('{upstream}', upstreamUrl) })),
    model: client.model,
  };
}
