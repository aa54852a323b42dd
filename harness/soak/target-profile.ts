// What the target can answer: a target profile declares which routes exist,
// so the load sends a target only traffic it has a route for. The reference
// relay has management routes (account api-call scans, account sync, its own
// health scan) that a third-party gateway does not: sent to one, every call
// 404s, fills the served-load figures with failures that are not the
// target's, and (worse) counts `api-call` / `sync-event` events the target
// never saw (issue #19, measured against an npm LLM gateway).
//
// `--target-profile reference | openai-compatible | FILE`. The default is
// `reference` for the built-in relay, `openai-compatible` (client API only)
// for --target-cmd and --target-pid. FILE is JSON:
//
//   { "name": "my-gateway", "routes": ["chat", "models"] }
//
// `routes` lists TARGET_ROUTES entries; `name` (optional) is how run events
// and progress lines call the profile. Any other field, an unknown route, a
// duplicate or a file that does not parse is a usage error naming the file
// and the field (exit 2), before anything starts.
//
// Per phase (applyProfile), traffic kinds and scenario settings whose route
// the profile lacks are dropped; what remains keeps its own rate (the phase's
// client traffic is the same as against the reference relay, not scaled up
// to fill the gap). A phase left with no traffic at all is skipped.

import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { SoakError, usageError } from '../errors.ts';
import type { ResolvedPhase, ResolvedScenario, TrafficKind } from '../../scenarios/index.ts';
import { API_CALL_PATH } from '../load/api-call-scan.ts';
import { EVENTS_PATH, SNAPSHOT_PATH } from '../load/account-sync.ts';
import { HEALTH_SCAN_PATH } from '../load/relay-scan.ts';

/** Routes a target may have. `chat`: the client API's completion route (JSON and streaming); `models`: GET /v1/models. */
export const TARGET_ROUTES = ['chat', 'models', 'api-call', 'account-sync', 'health-scan'] as const;
export type TargetRoute = (typeof TARGET_ROUTES)[number];

/** What each route is, for skip lines and the guide. */
export const ROUTE_REQUESTS: Readonly<Record<TargetRoute, string>> = {
  chat: 'the client API (chat completions, JSON and streaming)',
  models: 'GET /v1/models',
  'api-call': `POST ${API_CALL_PATH}`,
  'account-sync': `POST ${SNAPSHOT_PATH}, ${EVENTS_PATH}`,
  'health-scan': `POST/GET ${HEALTH_SCAN_PATH}`,
};

/** The route each traffic kind needs. stream-abort and retry clients are chat clients. */
export const ROUTE_OF_KIND: Readonly<Record<TrafficKind, TargetRoute>> = {
  chat: 'chat',
  'chat-stream': 'chat',
  'chat-idempotent': 'chat',
  'stream-abort': 'chat',
  retry: 'chat',
  models: 'models',
  'api-call': 'api-call',
  'sync-event': 'account-sync',
};

export interface TargetProfile {
  name: string;
  /** 'built-in', or the profile file's absolute path. */
  source: string;
  routes: readonly TargetRoute[];
}

export const BUILT_IN_PROFILES = {
  reference: { name: 'reference', source: 'built-in', routes: TARGET_ROUTES },
  'openai-compatible': { name: 'openai-compatible', source: 'built-in', routes: ['chat', 'models'] },
} as const satisfies Record<string, TargetProfile>;

export type BuiltInProfileName = keyof typeof BUILT_IN_PROFILES;

/** The profile a target kind gets when --target-profile is not given. */
export function defaultProfileName(kind: 'relay' | 'cmd' | 'pid'): BuiltInProfileName {
  return kind === 'relay' ? 'reference' : 'openai-compatible';
}

/** `--target-profile` → a profile: a built-in name, or a JSON file (usage error naming the file and field). */
export function resolveTargetProfile(value: string | undefined, kind: 'relay' | 'cmd' | 'pid'): TargetProfile {
  const name = value ?? defaultProfileName(kind);
  if (Object.hasOwn(BUILT_IN_PROFILES, name)) return BUILT_IN_PROFILES[name as BuiltInProfileName];
  return readProfileFile(name);
}

const PROFILE_FIELDS = new Set(['name', 'routes', 'description']);

function readProfileFile(path: string): TargetProfile {
  const file = resolve(path);
  const where = `--target-profile ${path}`;
  const builtIns = Object.keys(BUILT_IN_PROFILES).join(', ');
  let text: string;
  try {
    if (!statSync(file).isFile()) throw usageError(`${where}: not a file (built-in profiles: ${builtIns})`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw usageError(`${where}: no such profile or file (built-in profiles: ${builtIns}; a FILE is JSON {"routes": [...]})`);
    if (err instanceof SoakError) throw err;
    throw usageError(`${where}: cannot read: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw usageError(`${where}: not JSON: ${(err as Error).message}`);
  }
  return validateProfile(doc, file, where);
}

/** The profile file's schema, checked field by field; errors name the file and the field. */
export function validateProfile(doc: unknown, source: string, where: string): TargetProfile {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw usageError(`${where}: expected a JSON object {"routes": [...]}, got ${Array.isArray(doc) ? 'an array' : JSON.stringify(doc)}`);
  const o = doc as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!PROFILE_FIELDS.has(key)) throw usageError(`${where}: field ${JSON.stringify(key)}: unknown (fields: ${[...PROFILE_FIELDS].join(', ')})`);
  }
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.trim() === '' || o.name.length > 64)) {
    throw usageError(`${where}: field "name": expected a non-empty string of at most 64 characters`);
  }
  if (o.description !== undefined && typeof o.description !== 'string') throw usageError(`${where}: field "description": expected a string`);
  if (!Array.isArray(o.routes)) throw usageError(`${where}: field "routes": expected an array of ${TARGET_ROUTES.join(' | ')}, got ${JSON.stringify(o.routes)}`);
  if (o.routes.length === 0) throw usageError(`${where}: field "routes": empty: a target with no route cannot be loaded`);
  const routes: TargetRoute[] = [];
  o.routes.forEach((r, i) => {
    if (typeof r !== 'string' || !(TARGET_ROUTES as readonly string[]).includes(r)) {
      throw usageError(`${where}: field "routes[${i}]": unknown route ${JSON.stringify(r)}; valid: ${TARGET_ROUTES.join(', ')}`);
    }
    if (routes.includes(r as TargetRoute)) throw usageError(`${where}: field "routes[${i}]": ${JSON.stringify(r)} listed twice`);
    routes.push(r as TargetRoute);
  });
  return { name: typeof o.name === 'string' ? o.name : source, source, routes };
}

export interface ProfiledPhase {
  /** The phase as the load driver gets it: unsupported kinds weigh 0, unsupported settings are off. */
  phase: ResolvedPhase;
  /** What was dropped, by route (empty: nothing). */
  skipped: TargetRoute[];
  /** Nothing left to send: the phase is skipped. */
  empty: boolean;
}

/** The phase with only the traffic the profile has routes for. The phase object is not changed. */
export function applyProfile(phase: ResolvedPhase, profile: TargetProfile): ProfiledPhase {
  const has = (r: TargetRoute) => profile.routes.includes(r);
  const skipped = new Set<TargetRoute>();
  const mix = { ...phase.mix } as Record<TrafficKind, number>;
  for (const kind of Object.keys(mix) as TrafficKind[]) {
    if (mix[kind] > 0 && !has(ROUTE_OF_KIND[kind])) {
      skipped.add(ROUTE_OF_KIND[kind]);
      mix[kind] = 0;
    }
  }
  let settings = phase.settings;
  if (settings.sync.snapshotAtStart && !has('account-sync')) {
    skipped.add('account-sync');
    settings = { ...settings, sync: { ...settings.sync, snapshotAtStart: false } };
  }
  if (settings.relayScan !== null && !has('health-scan')) {
    skipped.add('health-scan');
    settings = { ...settings, relayScan: null };
  }
  const empty = Object.values(mix).every((w) => w <= 0) && !settings.sync.snapshotAtStart && settings.relayScan === null;
  return { phase: skipped.size === 0 ? phase : { ...phase, mix, settings }, skipped: [...skipped], empty };
}

/** A scenario none of whose phases the profile can load is refused before anything starts. */
export function checkProfileFits(scenario: ResolvedScenario, profile: TargetProfile): void {
  if (scenario.phases.every((p) => applyProfile(p, profile).empty)) {
    throw usageError(`--target-profile ${profile.name}: scenario ${scenario.name} has no traffic on its routes (${profile.routes.join(', ')}): every phase would be skipped`);
  }
}

/** One line: what a phase drops and why. */
export function skipLine(phaseName: string, p: ProfiledPhase, profile: TargetProfile): string {
  const what = p.skipped.map((r) => `${r} (${ROUTE_REQUESTS[r]})`).join(', ');
  return p.empty
    ? `phase ${phaseName}: skipped: its only traffic is ${what}, routes target profile ${profile.name} does not have`
    : `phase ${phaseName}: not sending ${what}: target profile ${profile.name} does not have ${p.skipped.length === 1 ? 'that route' : 'those routes'}`;
}
