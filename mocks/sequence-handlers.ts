// The msw side of scripted sequences: one handler per sequence of the plan in
// effect, whose resolver is an msw generator resolver. The engine decides
// each request's step at admission (sequences.ts says why); a sequence's
// handler takes the requests claimed for it and its generator yields their
// responses, rendered by the same code as every other fault (handlers.ts
// serveAdmission), so a sequenced truncation, RST or stall is on the wire
// exactly what a forced or drawn one is.
//
// msw 3 generator semantics this relies on (node_modules/msw/src/core/
// handlers/request-handler.ts, 3.0.5):
// - the resolver is called once; msw keeps the iterator on the handler and
//   calls `next()` with no argument for each later request it matched;
// - a generator cannot decline a request: by the time it runs, msw has
//   matched the request and a step would be spent. Matching therefore happens
//   in the handler's custom predicate, which sees the request;
// - once a generator returns, msw replays a clone of the last response for
//   every later request (same bytes, same completion id, a consumed stream):
//   so this generator never returns;
// - msw clones every yielded response (`resolverIteratorResult`): it keeps
//   one teed copy of the latest body per handler until the next step.

import { http, type HttpHandler } from 'msw';
import { RelaySoakError } from '../shared/errors.ts';
import type { ChatAdmission, UpstreamEngine } from './engine.ts';
import { admissionOf, ROUTE_PATHS, serveAdmission } from './handlers.ts';
import type { ActiveSequence } from './sequences.ts';

/** A claimed request reached the generator out of step with its claim: a bug, never a fault. */
export class SequenceError extends RelaySoakError<'MOCK_ERR_SEQUENCE'> {
  constructor(message: string) {
    super('MOCK_ERR_SEQUENCE', message);
  }
}

interface PendingRequest {
  readonly request: Request;
  readonly admission: ChatAdmission;
}

/**
 * The msw handler of one sequence. Its predicate admits the request (once,
 * cached, see handlers.ts admissionOf) and matches only the requests the
 * engine claimed for this sequence; any other request falls through to the
 * next handler without touching the generator.
 */
export function createSequenceHandler(engine: UpstreamEngine, sequence: ActiveSequence): HttpHandler {
  const route = sequence.spec.route;
  const { method, path } = ROUTE_PATHS[route];
  // Matched requests waiting for their response. The generator cannot see the
  // request it answers, so the predicate queues it and the generator takes
  // the oldest: msw runs the same chain of awaits from a predicate to its
  // `next()` for every request, so they resume in the order they matched
  // (sequence-handlers.test.ts checks it with concurrent requests).
  const pending: PendingRequest[] = [];

  const claimedForThisSequence = async ({ request }: { request: Request }): Promise<boolean> => {
    if (request.method !== method || new URL(request.url).pathname !== path) return false;
    const admission = await admissionOf(engine, route, request);
    const { decision } = admission;
    if (decision.type !== 'serve' || decision.sequence?.sequence !== sequence) return false;
    pending.push({ request, admission });
    return true;
  };

  function* responsesInClaimOrder(): Generator<Promise<Response> | Response, never, unknown> {
    for (;;) {
      const next = pending.shift();
      if (next) yield serveAdmission(engine, route, next.admission, next.request);
      else yield Promise.reject(new SequenceError(`sequences[${sequence.index}]: msw resumed the generator with no request waiting`));
    }
  }

  return method === 'POST' ? http.post(claimedForThisSequence, responsesInClaimOrder) : http.get(claimedForThisSequence, responsesInClaimOrder);
}

/** The handlers of the plan's sequences, in plan order (empty when it has none). */
export function createSequenceHandlers(engine: UpstreamEngine): HttpHandler[] {
  return engine.sequences?.sequences.map((sequence) => createSequenceHandler(engine, sequence)) ?? [];
}
