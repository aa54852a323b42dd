// The full msw handler list of the plan in effect: the sequence handlers of
// the plan (each a generator resolver, sequence-handlers.ts) in front of the
// route handlers (handlers.ts). Sequence handlers belong to one plan, so the
// list is rebuilt whenever the plan changes.

import type { HttpHandler } from 'msw';
import type { UpstreamEngine } from './engine.ts';
import { createRouteHandlers } from './handlers.ts';
import { createSequenceHandlers } from './sequence-handlers.ts';

/**
 * Every handler of the fake upstream for the plan in effect now. After
 * `engine.setPlan`, build the list again to serve the new plan's sequences
 * from their own generators; a stale list still serves them correctly (the
 * step is decided at admission), through the route handlers.
 */
export function createHandlers(engine: UpstreamEngine): HttpHandler[] {
  return [...createSequenceHandlers(engine), ...createRouteHandlers(engine)];
}

/** A handler list that follows the engine's plan; the bridge asks for `current()` on every request. */
export interface LiveHandlers {
  current(): HttpHandler[];
  /** Stops following the plan. */
  dispose(): void;
}

export function liveHandlers(engine: UpstreamEngine): LiveHandlers {
  const routes = createRouteHandlers(engine);
  const build = () => [...createSequenceHandlers(engine), ...routes];
  let list = build();
  // In-flight requests keep the list they started with (getResponse holds it),
  // so a request claimed under the old plan is answered by the old handler.
  const unsubscribe = engine.onPlanChange(() => {
    list = build();
  });
  return { current: () => list, dispose: unsubscribe };
}
