// The run's client-API options (--header, --auth, --client-keys-file, --api,
// --model) resolved against its target before anything starts: what the
// load sends (harness/load/client-options.ts) and what the target kind can
// take. Usage errors (exit 2) name the flag.

import { flagUsageError, usageError } from '../errors.ts';
import { resolveClientOptions, type ResolvedClient } from '../load/index.ts';
import type { SoakOptions, TargetSpec } from './options.ts';

/** The route of each profile, for the refusal below (the load's own table is harness/load/client-api.ts). */
const PROFILE_ROUTE = { chat: '/v1/chat/completions', responses: '/v1/responses', messages: '/v1/messages' } as const;

export function resolveRunClient(options: SoakOptions, target: TargetSpec, env: NodeJS.ProcessEnv = process.env): ResolvedClient {
  const client = resolveClientOptions(options.client ?? {}, env, flagUsageError);
  // The reference relay has /v1/chat/completions only: a Responses or
  // Messages load against it would be 100 % 404, refused here instead of
  // after a run judged INCONCLUSIVE.
  if (client.api !== 'chat' && target.kind === 'relay') {
    throw usageError(
      `--api ${client.api}: the reference relay serves the chat API only (/v1/chat/completions); --api ${client.api} (${PROFILE_ROUTE[client.api]}) needs a target that serves it: --target-cmd '…' or --target-pid N --target-url URL`,
    );
  }
  if (client.needsUpstream && target.kind === 'pid') {
    throw usageError('--header: {upstream} is the fake upstream the harness starts, and a --target-pid run starts none; write the URL your process uses instead');
  }
  return client;
}

/** Every key the load sends (the keys file, else the run's one client key). */
export function loadKeys(client: ResolvedClient, runKey: string): string[] {
  return client.keys ?? [runKey];
}
