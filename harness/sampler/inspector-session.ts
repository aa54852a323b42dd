// A minimal Chrome DevTools Protocol client over Node's global WebSocket
// (Node ≥ 22): request/response by id, a timeout per call, nothing else.
// The harness uses it for one thing: to load the probe into a Node process it
// did not start (inspector-attach.ts), and to unload it at the end.

import { SamplerError } from './errors.ts';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class InspectorSession {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return; // an event: not subscribed to any
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error) p.reject(new SamplerError('SOAK_ERR_INSPECTOR', `inspector: ${msg.error.message}`));
      else p.resolve(msg.result);
    });
    ws.addEventListener('close', () => this.#failAll('the inspector connection closed'));
  }

  static connect(url: string, timeoutMs: number): Promise<InspectorSession> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => {
        ws.close();
        reject(new SamplerError('SOAK_ERR_INSPECTOR', `inspector at ${url} did not accept within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(new InspectorSession(ws));
      }, { once: true });
      ws.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new SamplerError('SOAK_ERR_INSPECTOR', `cannot connect to the inspector at ${url}`));
      }, { once: true });
    });
  }

  call<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    if (this.#closed) return Promise.reject(new SamplerError('SOAK_ERR_INSPECTOR', 'the inspector connection is closed'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SamplerError('SOAK_ERR_INSPECTOR', `inspector: ${method} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluate `expression` in the target's main context; its value (JSON-able) or the exception's text thrown. */
  async evaluate<T = unknown>(expression: string, timeoutMs?: number): Promise<T> {
    const r = await this.call<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate',
      // includeCommandLineAPI: the console's `require`, for targets without process.getBuiltinModule.
      { expression, returnByValue: true, awaitPromise: true, includeCommandLineAPI: true },
      timeoutMs,
    );
    if (r.exceptionDetails) {
      throw new SamplerError('SOAK_ERR_INSPECTOR', `in the target: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    }
    return r.result.value as T;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll('the inspector connection closed');
    this.#ws.close();
  }

  #failAll(why: string): void {
    this.#closed = true;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new SamplerError('SOAK_ERR_INSPECTOR', why));
      this.#pending.delete(id);
    }
  }
}
