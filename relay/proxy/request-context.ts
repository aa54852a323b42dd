// The execution context of one chat request: what the request was asked
// (variables and where each came from), what it did (an execution path with
// one step per upstream attempt), what each step produced (its "block output":
// the upstream status, response headers and parsed usage) and what it
// answered (outputs). It lives in a process-wide registry while the request
// runs, so GET /v0/management/requests/:id/context can show why a request is
// slow (which accounts it tried, what each said) without a debugger.
//
// task-contexts variant (seed 001 P0-5, TaskContext's five dictionaries): the
// handler neither cleans the context nor drops it from the registry when the
// request ends, so every request leaves its whole context behind. The fix is
// the write-up's: cleanup() and the registry entry dropped in the finally of
// every request (success, error answer, client abort).

/** Where a variable's value came from. */
export type VariableSource = 'body' | 'header' | 'auth' | 'relay';

/** One step of the execution path: an upstream attempt on one account. */
export interface ExecutionStep {
  readonly step: string;
  readonly attempt: number;
  readonly authIndex: string;
  readonly startedAt: number;
  endedAt: number;
  /** Upstream status, or 0 when none arrived (network failure, abort). */
  status: number;
  /** The failure class or outcome word ('ok', 'failover', 'timeout', ...). */
  result: string;
}

/** What a step produced. */
export interface BlockOutput {
  readonly status: number;
  /** The upstream's response headers, as undici parsed them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly usage: unknown;
}

export class RequestContext {
  readonly id: string;
  readonly startedAt: number;
  variables: Record<string, unknown> = {};
  variableSources: Record<string, VariableSource> = {};
  executionPath: ExecutionStep[] = [];
  blockOutputs: Record<string, BlockOutput> = {};
  outputs: Record<string, unknown> = {};

  constructor(id: string, startedAt: number) {
    this.id = id;
    this.startedAt = startedAt;
  }

  setVariable(name: string, value: unknown, source: VariableSource): void {
    this.variables[name] = value;
    this.variableSources[name] = source;
  }

  /** Starts a step; the caller fills `endedAt`, `status` and `result` when it ends. */
  step(name: string, attempt: number, authIndex: string, now: number): ExecutionStep {
    const s: ExecutionStep = { step: name, attempt, authIndex, startedAt: now, endedAt: 0, status: 0, result: 'running' };
    this.executionPath.push(s);
    return s;
  }

  setBlockOutput(name: string, output: BlockOutput): void {
    this.blockOutputs[name] = output;
  }

  setOutput(name: string, value: unknown): void {
    this.outputs[name] = value;
  }

  /** The write-up's cleanup(): empties the five structures so nothing they hold outlives the request. */
  cleanup(): void {
    this.variables = {};
    this.variableSources = {};
    this.executionPath = [];
    this.blockOutputs = {};
    this.outputs = {};
  }

  toJSON(): unknown {
    return {
      id: this.id,
      started_at: this.startedAt,
      variables: this.variables,
      variable_sources: this.variableSources,
      execution_path: this.executionPath,
      block_outputs: this.blockOutputs,
      outputs: this.outputs,
    };
  }
}

/** The live contexts, by request id (the management API reads them). */
export class ContextRegistry {
  readonly #live = new Map<string, RequestContext>();

  get size(): number {
    return this.#live.size;
  }

  open(id: string, now: number): RequestContext {
    const ctx = new RequestContext(id, now);
    this.#live.set(id, ctx);
    return ctx;
  }

  /** The fix: cleanup() and the reference dropped, on every path. */
  close(ctx: RequestContext): void {
    ctx.cleanup();
    this.#live.delete(ctx.id);
  }

  get(id: string): RequestContext | undefined {
    return this.#live.get(id);
  }

  /** Up to `limit` contexts, oldest first. */
  list(limit: number): RequestContext[] {
    const out: RequestContext[] = [];
    for (const ctx of this.#live.values()) {
      if (out.length === limit) break;
      out.push(ctx);
    }
    return out;
  }
}
