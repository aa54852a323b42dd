// The upstream's decisions, independent of any transport: who is asking (the
// account behind the bearer token), what fault this request gets (forced,
// per-account, or drawn from the plan), and the counting of both. The msw
// handlers and the bridge's fast path both call `admitChat`/`admit` exactly
// once per request, so a request is never counted or drawn twice.

import { accountIndexOfToken } from '../shared/accounts.ts';
import { CompletionBodies, CONTENT_DEFAULTS, promptTokensOf, type ContentOptions } from './bodies.ts';
import { isFaultKind, type FaultKind } from './faults.ts';
import { checkPlanAccounts, NO_FAULTS, resolvePlan, validatePlan, type FaultPlan, type ResolvedPlan, type RouteName } from './plan.ts';
import { FaultSelector, unitAt } from './selector.ts';
import { SequenceBook, type SequenceClaim } from './sequences.ts';
import { StatsCollector } from './stats.ts';

export const FAULT_HEADER = 'x-mock-fault';
export const FAULT_BODY_FIELD = 'mock_fault';

/** `byRoute` keys of the API routes. */
export const ROUTE_KEYS: Readonly<Record<RouteName, string>> = {
  chat: 'POST /v1/chat/completions',
  models: 'GET /v1/models',
  usage: 'GET /backend-api/wham/usage',
  state: 'POST /backend-api/request-state',
};

export interface EngineOptions {
  seed: number;
  /** Size of the account set (tokens of indexes ≥ accounts are unknown). */
  accounts: number;
  plan?: FaultPlan;
  content?: Partial<ContentOptions>;
}

/** What a chat request asked for (the fields the upstream looks at). */
export interface ChatRequest {
  /** The model, already JSON-encoded for splicing into bodies. */
  modelJson: string;
  stream: boolean;
  includeUsage: boolean;
  promptTokens: number;
  /** The top-level `mock_fault` field, unchecked (undefined when absent). */
  mockFault: unknown;
}

export type Decision =
  | { readonly type: 'unauthorized' }
  /** The request is malformed; `param` names the field. */
  | { readonly type: 'bad-request'; readonly message: string; readonly param: string | null }
  | {
      readonly type: 'serve';
      readonly account: number;
      readonly fault: FaultKind | null;
      /** Uniform [0, 1) for the fault's own randomness (latency jitter). */
      readonly jitter: number;
      /**
       * Set when a scripted sequence decided this request (`fault` is then the
       * step's); msw's sequence handler serves it, never the fast path.
       */
      readonly sequence: SequenceClaim | null;
    };

export interface ChatAdmission {
  readonly decision: Decision;
  /** Null when the body was not a valid chat request (decision is then `bad-request`). */
  readonly chat: ChatRequest | null;
}

const BEARER = 'Bearer ';

function parseChatBody(text: string, bodyBytes: number): ChatRequest | { message: string; param: string | null } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: 'Request body is not valid JSON.', param: null };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { message: 'Request body must be a JSON object.', param: null };
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model.length === 0) {
    return { message: 'you must provide a model parameter', param: 'model' };
  }
  const streamOptions = b.stream_options as { include_usage?: unknown } | null | undefined;
  return {
    modelJson: JSON.stringify(b.model),
    stream: b.stream === true,
    includeUsage: typeof streamOptions === 'object' && streamOptions !== null && streamOptions.include_usage === true,
    promptTokens: promptTokensOf(bodyBytes),
    mockFault: b[FAULT_BODY_FIELD],
  };
}

export class UpstreamEngine {
  readonly seed: number;
  readonly accounts: number;
  readonly stats = new StatsCollector();
  readonly bodies: CompletionBodies;
  private selector: FaultSelector;
  /** Null when the plan has no sequences: admission then skips them with one check. */
  private book: SequenceBook | null;
  private currentPlan: FaultPlan;
  private readonly planListeners = new Set<() => void>();
  private completionCounter = 0;
  /**
   * Tokens already verified, by token. Verifying costs a sha256 per request;
   * only valid tokens are cached, so the map is bounded by the account count.
   */
  private readonly knownTokens = new Map<string, number>();

  constructor(options: EngineOptions) {
    if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 2 ** 32 - 1) {
      throw new RangeError(`seed: expected an integer in [0, 4294967295], got ${options.seed}`);
    }
    if (!Number.isInteger(options.accounts) || options.accounts < 1) {
      throw new RangeError(`accounts: expected a positive integer, got ${options.accounts}`);
    }
    this.seed = options.seed;
    this.accounts = options.accounts;
    const content = { ...CONTENT_DEFAULTS, ...options.content };
    if (!Number.isInteger(content.completionTokens) || content.completionTokens < 1) {
      throw new RangeError(`completionTokens: expected a positive integer, got ${content.completionTokens}`);
    }
    if (!(content.tokenIntervalMs >= 0)) {
      throw new RangeError(`tokenIntervalMs: expected a number ≥ 0, got ${content.tokenIntervalMs}`);
    }
    this.bodies = new CompletionBodies(content, Date.now());
    this.currentPlan = validatePlan(options.plan ?? NO_FAULTS);
    checkPlanAccounts(this.currentPlan, this.accounts);
    this.selector = new FaultSelector(resolvePlan(this.currentPlan, this.seed), performance.now());
    this.book = bookOf(this.selector.plan);
  }

  get plan(): FaultPlan {
    return this.currentPlan;
  }

  get resolvedPlan(): ResolvedPlan {
    return this.selector.plan;
  }

  /**
   * Replaces the plan (validated: throws PlanError). Windows and per-route
   * sequences restart from now, so replaying a plan replays its faults.
   */
  setPlan(plan: unknown): void {
    const valid = validatePlan(plan);
    checkPlanAccounts(valid, this.accounts);
    this.selector = new FaultSelector(resolvePlan(valid, this.seed), performance.now());
    this.book = bookOf(this.selector.plan);
    this.currentPlan = valid;
    for (const listener of this.planListeners) listener();
  }

  /** The sequences of the plan in effect (null when it has none); replaced by setPlan. */
  get sequences(): SequenceBook | null {
    return this.book;
  }

  /**
   * Calls `listener` after every successful setPlan (the handler list is
   * rebuilt from the new plan's sequences). Returns the unsubscribe function.
   */
  onPlanChange(listener: () => void): () => void {
    this.planListeners.add(listener);
    return () => this.planListeners.delete(listener);
  }

  /** Account index behind an `Authorization` header value, or -1. */
  accountOf(authorization: string | null | undefined): number {
    if (!authorization || !authorization.startsWith(BEARER)) return -1;
    const token = authorization.slice(BEARER.length);
    const known = this.knownTokens.get(token);
    if (known !== undefined) return known;
    const index = accountIndexOfToken(this.seed, this.accounts, token);
    if (index >= 0) this.knownTokens.set(token, index);
    return index;
  }

  /** Per-account fixed behaviour under the current plan. */
  accountFault(account: number) {
    return this.selector.accountFault(account);
  }

  /** A stable per-account figure in [0, 90) for the usage endpoint. */
  usedPercentOf(account: number): number {
    return Math.floor(unitAt(this.seed, account, 77) * 90);
  }

  nextCompletionId(): string {
    return `chatcmpl-mock${(this.completionCounter++).toString(36)}`;
  }

  /** Admits a chat completion request: parses the body, decides, counts. */
  admitChat(authorization: string | null | undefined, forcedHeader: string | null | undefined, bodyText: string, bodyBytes: number): ChatAdmission {
    const parsed = parseChatBody(bodyText, bodyBytes);
    if (!('modelJson' in parsed)) {
      this.count('chat');
      // Draw anyway: a malformed request still takes its place in the sequence.
      this.selector.next('chat', performance.now());
      return { decision: { type: 'bad-request', message: parsed.message, param: parsed.param }, chat: null };
    }
    const forced = forcedHeader ?? parsed.mockFault;
    return { decision: this.decide('chat', authorization, forced, forcedHeader != null ? FAULT_HEADER : FAULT_BODY_FIELD), chat: parsed };
  }

  /** Admits a request on a body-less route (models, usage). */
  admit(route: RouteName, authorization: string | null | undefined, forcedHeader: string | null | undefined): Decision {
    this.count(route);
    return this.decideCounted(route, authorization, forcedHeader, FAULT_HEADER);
  }

  private count(route: RouteName): void {
    this.stats.requests++;
    this.stats.route(ROUTE_KEYS[route]);
  }

  private decide(route: RouteName, authorization: string | null | undefined, forced: unknown, forcedField: string): Decision {
    this.count(route);
    return this.decideCounted(route, authorization, forced, forcedField);
  }

  private decideCounted(route: RouteName, authorization: string | null | undefined, forced: unknown, forcedField: string): Decision {
    // The draw happens before any early return so the sequence counts every request.
    const selection = this.selector.next(route, performance.now());
    const account = this.accountOf(authorization);
    if (account < 0) {
      this.stats.unauthorized++;
      return { type: 'unauthorized' };
    }
    let fault: FaultKind | null = null;
    let sequence: SequenceClaim | null = null;
    // Precedence: forced > sequence > per-account > rules. A forced fault does
    // not advance a sequence: the script stays what the plan says.
    if (forced !== undefined && forced !== null) {
      if (!isFaultKind(forced)) {
        return { type: 'bad-request', message: `${forcedField}: unknown fault kind ${JSON.stringify(forced)}`, param: forcedField };
      }
      fault = forced;
    } else if (this.book !== null && (sequence = this.book.claim(route, account)) !== null) {
      fault = sequence.fault;
    } else {
      const accountFault = this.selector.accountFault(account);
      // Quota exhaustion shows on the usage route as a body, not as a fault.
      if (accountFault === 'expired-token' || (accountFault === 'quota-exhausted' && route === 'chat')) fault = accountFault;
      else fault = selection.fault;
    }
    if (fault !== null) this.stats.fault(fault, account);
    return { type: 'serve', account, fault, jitter: selection.jitter, sequence };
  }
}

function bookOf(plan: ResolvedPlan): SequenceBook | null {
  return plan.sequences.length > 0 ? new SequenceBook(plan.sequences) : null;
}
