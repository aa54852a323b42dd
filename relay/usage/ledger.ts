// Bounded usage accounting: token counters per (client key × model ×
// account), and a ring buffer of the most recent request details. Client keys
// are secrets: they are identified by their position in the configured list
// (`key-0`, `key-1`, ...), never by value.
//
// Bounds: at most `seriesCap` distinct counters (later combinations fold into
// one overflow counter, counted), at most `recentCap` details.

import { MODELS } from '../../shared/accounts.ts';
import type { TokenUsage } from './token-usage.ts';

interface Counter {
  requests: number;
  prompt: number;
  completion: number;
  total: number;
}

export interface UsageDetail {
  readonly requestId: string;
  readonly at: number;
  readonly clientKey: number;
  readonly model: string;
  readonly authIndex: string;
  readonly status: number;
  readonly stream: boolean;
  readonly usage: TokenUsage | null;
}

export class UsageLedger {
  readonly #accounts: number;
  readonly #seriesCap: number;
  /** Numeric key: (clientKey × models + model) × accounts + account. No string building per request. */
  readonly #series = new Map<number, Counter>();
  readonly #overflow: Counter = { requests: 0, prompt: 0, completion: 0, total: 0 };
  readonly #totals: Counter = { requests: 0, prompt: 0, completion: 0, total: 0 };
  #overflowed = 0;
  readonly #recent: Array<UsageDetail | undefined>;
  #recentNext = 0;
  #recentCount = 0;

  constructor(accounts: number, seriesCap: number, recentCap: number) {
    this.#accounts = accounts;
    this.#seriesCap = seriesCap;
    this.#recent = new Array<UsageDetail | undefined>(recentCap);
  }

  get seriesCount(): number {
    return this.#series.size;
  }

  get recentCount(): number {
    return this.#recentCount;
  }

  record(clientKey: number, modelIndex: number, account: number, usage: TokenUsage | null, detail: UsageDetail): void {
    const key = (clientKey * MODELS.length + modelIndex) * this.#accounts + account;
    let counter = this.#series.get(key);
    if (counter === undefined) {
      if (this.#series.size < this.#seriesCap) {
        counter = { requests: 0, prompt: 0, completion: 0, total: 0 };
        this.#series.set(key, counter);
      } else {
        counter = this.#overflow;
        this.#overflowed++;
      }
    }
    add(counter, usage);
    add(this.#totals, usage);
    if (this.#recent.length > 0) {
      this.#recent[this.#recentNext] = detail;
      this.#recentNext = (this.#recentNext + 1) % this.#recent.length;
      if (this.#recentCount < this.#recent.length) this.#recentCount++;
    }
  }

  /** The management summary: totals, per model and per client key, and the latest details. */
  summary(recentLimit: number): unknown {
    const byModel: Record<string, Counter> = {};
    const byKey: Record<string, Counter> = {};
    const perKey = MODELS.length * this.#accounts;
    for (const [key, counter] of this.#series) {
      const clientKey = Math.floor(key / perKey);
      const model = MODELS[Math.floor((key % perKey) / this.#accounts)]!;
      merge((byModel[model] ??= zero()), counter);
      merge((byKey[`key-${clientKey}`] ??= zero()), counter);
    }
    const recent: unknown[] = [];
    const n = Math.min(recentLimit, this.#recentCount);
    for (let i = 1; i <= n; i++) {
      const d = this.#recent[(this.#recentNext - i + this.#recent.length) % this.#recent.length]!;
      recent.push({ ...d, clientKey: `key-${d.clientKey}` });
    }
    return {
      totals: { ...this.#totals },
      by_model: byModel,
      by_client_key: byKey,
      series: this.#series.size,
      series_cap: this.#seriesCap,
      overflowed_records: this.#overflowed,
      recent,
    };
  }
}

function zero(): Counter {
  return { requests: 0, prompt: 0, completion: 0, total: 0 };
}

function add(counter: Counter, usage: TokenUsage | null): void {
  counter.requests++;
  if (usage === null) return;
  counter.prompt += usage.prompt;
  counter.completion += usage.completion;
  counter.total += usage.total;
}

function merge(into: Counter, from: Counter): void {
  into.requests += from.requests;
  into.prompt += from.prompt;
  into.completion += from.completion;
  into.total += from.total;
}
