// The account pool: the generated accounts, their runtime state, and
// selection. Layout is columnar (typed arrays indexed by account) so 5 000 or
// 100 000 accounts cost a few bytes of state each beyond their records, and
// nothing on the request path scans the accounts:
//
//   - per model, an "available" set (dense array + position index): the
//     accounts that serve the model, are enabled and not cooling for it.
//     Round-robin = a cursor into that dense array: O(1) per pick.
//   - per model, a CoolingHeap keyed by recovery time: recovered accounts are
//     moved back lazily at pick time (pop while top <= now), and "all cooling
//     → earliest recovery" is the heap top.
//   - auth_index → account index in a Map kept in step with the records, so a
//     management lookup is O(1) whatever N is.
//
// Cooldowns are per (account, model), as CLIProxyAPI keeps "model states":
// a 404 for one model must not bench the account for the others.

import { EventEmitter } from 'node:events';
import { generateAccounts, MODELS, type AccountRecord, type ModelId } from '../../shared/accounts.ts';
import { CoolingHeap } from './cooling-heap.ts';

export type AccountState = 'available' | 'cooling' | 'disabled';

/** What the management API shows for an account: built per request, never a copy of the record; no tokens. */
export interface AccountView {
  auth_index: string;
  id: string;
  index: number;
  provider: string;
  email: string;
  state: AccountState;
  disabled: boolean;
  priority: number;
  attributes: Readonly<Record<string, string>>;
  models: Record<string, { cooldown_until: string | null; consecutive_429: number; last_status: number }>;
  quota: { last_probe_status: number; last_probe_at: string | null };
}

/**
 * A deep copy of one account (record + runtime state), as CLIProxyAPI's
 * Auth.Clone() makes: what the management lookup hands out, so callers can
 * never mutate the pool. Carries the token: never serialised to a response.
 */
export interface AccountClone {
  readonly index: number;
  readonly record: AccountRecord;
  readonly disabled: boolean;
  readonly priority: number;
  readonly models: Record<string, { coolUntil: number; consecutive429: number; lastStatus: number }>;
}

/** Events on AccountPool.events: `'disabled'` (account index) when an account is disabled. */
export type AccountEvents = { disabled: [account: number] };

/** Dense set of account indices with O(1) add/remove and a round-robin cursor. */
class AvailableSet {
  readonly members: Int32Array;
  readonly #pos: Int32Array;
  size = 0;
  cursor = 0;

  constructor(capacity: number) {
    this.members = new Int32Array(capacity);
    this.#pos = new Int32Array(capacity).fill(-1);
  }

  has(a: number): boolean {
    return this.#pos[a]! !== -1;
  }

  add(a: number): void {
    if (this.#pos[a]! !== -1) return;
    this.#pos[a] = this.size;
    this.members[this.size++] = a;
  }

  remove(a: number): void {
    const at = this.#pos[a]!;
    if (at === -1) return;
    const last = --this.size;
    const moved = this.members[last]!;
    this.members[at] = moved;
    this.#pos[moved] = at;
    this.#pos[a] = -1;
  }
}

interface ModelLane {
  readonly available: AvailableSet;
  readonly cooling: CoolingHeap;
  /** Recovery time per account (ms since epoch), 0 = not cooling. */
  readonly coolUntil: Float64Array;
  readonly consecutive429: Uint16Array;
  readonly lastStatus: Uint16Array;
}

const MODEL_INDEX: ReadonlyMap<string, number> = new Map(MODELS.map((m, i) => [m, i]));

export function modelIndexOf(model: string): number {
  return MODEL_INDEX.get(model) ?? -1;
}

export class AccountPool {
  readonly records: readonly AccountRecord[];
  /** `Bearer <token>` per account, built once: the hot path only reads it. */
  readonly #authorization: string[];
  readonly #byAuthIndex = new Map<string, number>();
  readonly #disabled: Uint8Array;
  readonly #priority: Int32Array;
  readonly #lanes: ModelLane[];
  /** Bit i set when the account serves MODELS[i]. */
  readonly #serves: Uint8Array;
  /** Accounts serving each model, whatever their state (fixed after construction). */
  readonly #servingCount: Int32Array;
  readonly #probeStatus: Uint16Array;
  readonly #probeAt: Float64Array;
  /** Views built since start: lets a test prove one lookup builds one view, whatever N. */
  viewsBuilt = 0;
  /** Account deep copies made since start (one per management lookup; N with the account-clone variant). */
  clonesMade = 0;
  /**
   * Shared, long-lived: in-flight streams subscribe to `'disabled'` to be cut
   * when their account is disabled. Unlimited listeners: one per concurrent
   * stream is the design, bounded by the clients.
   */
  readonly events = new EventEmitter<AccountEvents>().setMaxListeners(0);

  constructor(seed: number, count: number) {
    this.records = generateAccounts(seed, count);
    this.#authorization = new Array<string>(count);
    this.#disabled = new Uint8Array(count);
    this.#priority = new Int32Array(count);
    this.#serves = new Uint8Array(count);
    this.#servingCount = new Int32Array(MODELS.length);
    this.#probeStatus = new Uint16Array(count);
    this.#probeAt = new Float64Array(count);
    this.#lanes = MODELS.map(() => {
      const coolUntil = new Float64Array(count);
      return {
        available: new AvailableSet(count),
        cooling: new CoolingHeap(count, coolUntil),
        coolUntil,
        consecutive429: new Uint16Array(count),
        lastStatus: new Uint16Array(count),
      };
    });
    for (let a = 0; a < count; a++) {
      const record = this.records[a]!;
      this.#authorization[a] = `Bearer ${record.accessToken}`;
      this.#byAuthIndex.set(record.authIndex, a);
      this.#priority[a] = Number(record.attributes.priority ?? 0) | 0;
      for (const model of record.models) {
        const m = MODEL_INDEX.get(model)!;
        this.#serves[a]! |= 1 << m;
        this.#servingCount[m]!++;
        this.#lanes[m]!.available.add(a);
      }
    }
  }

  get size(): number {
    return this.records.length;
  }

  get authIndexMapSize(): number {
    return this.#byAuthIndex.size;
  }

  /** O(1): the account index for an auth_index, or -1. */
  indexOf(authIndex: string): number {
    return this.#byAuthIndex.get(authIndex) ?? -1;
  }

  authorizationOf(a: number): string {
    return this.#authorization[a]!;
  }

  serves(a: number, m: number): boolean {
    return (this.#serves[a]! & (1 << m)) !== 0;
  }

  /** Whether any account serves model `m` at all (enabled or not, cooling or not). */
  hasAnyFor(m: number): boolean {
    return this.#servingCount[m]! > 0;
  }

  /**
   * Next account for model `m` in round-robin order, skipping `tried`
   * (a handful of indices: failover attempts of this request). -1 when none
   * is available. Amortised O(1): recovered accounts are moved back here,
   * each at most once per cooldown.
   */
  pick(m: number, now: number, tried: readonly number[] | null): number {
    const lane = this.#lanes[m]!;
    this.#releaseRecovered(lane, now);
    const set = lane.available;
    const n = set.size;
    if (n === 0) return -1;
    const maxProbe = tried === null ? 1 : Math.min(n, tried.length + 1);
    for (let i = 0; i < maxProbe; i++) {
      if (set.cursor >= n) set.cursor = 0;
      const a = set.members[set.cursor++]!;
      if (tried === null || !tried.includes(a)) return a;
    }
    return -1;
  }

  /** Earliest recovery time (ms since epoch) among accounts cooling for `m`, or 0 when none cools. */
  earliestRecovery(m: number, now: number): number {
    const lane = this.#lanes[m]!;
    this.#releaseRecovered(lane, now);
    const top = lane.cooling.peek();
    return top === -1 ? 0 : lane.coolUntil[top]!;
  }

  /** A 2xx from the upstream: the account is healthy again for this model. */
  markSuccess(a: number, m: number): void {
    const lane = this.#lanes[m]!;
    lane.lastStatus[a] = 200;
    // Hot path: nothing to undo in the common case.
    if (lane.consecutive429[a] === 0 && lane.coolUntil[a] === 0) return;
    lane.consecutive429[a] = 0;
    this.#clearCooldown(m, a);
  }

  /**
   * A failure attributed to the account. `cooldownMs` 0 records the status
   * only. For 429s the caller computes the delay with consecutive429Of().
   */
  markFailure(a: number, m: number, status: number, cooldownMs: number, now: number): void {
    const lane = this.#lanes[m]!;
    lane.lastStatus[a] = status;
    if (status === 429) lane.consecutive429[a] = Math.min(lane.consecutive429[a]! + 1, 0xffff);
    if (cooldownMs <= 0) return;
    const until = now + cooldownMs;
    // Never shorten a longer cooldown already in force (a late 503 must not cut a 30 min 401 short).
    if (until <= lane.coolUntil[a]!) return;
    lane.coolUntil[a] = until;
    lane.cooling.upsert(a);
    lane.available.remove(a);
  }

  consecutive429Of(a: number, m: number): number {
    return this.#lanes[m]!.consecutive429[a]!;
  }

  /** Management: clear every model's cooldown of account `a`. */
  resetCooldown(a: number): void {
    for (let m = 0; m < this.#lanes.length; m++) {
      this.#lanes[m]!.consecutive429[a] = 0;
      this.#clearCooldown(m, a);
    }
  }

  setDisabled(a: number, disabled: boolean): void {
    if ((this.#disabled[a] === 1) === disabled) return;
    this.#disabled[a] = disabled ? 1 : 0;
    for (let m = 0; m < this.#lanes.length; m++) {
      if (!this.serves(a, m)) continue;
      const lane = this.#lanes[m]!;
      if (disabled) lane.available.remove(a);
      else if (lane.coolUntil[a] === 0) lane.available.add(a);
    }
    if (disabled) this.events.emit('disabled', a);
  }

  /** A deep copy of account `a` (structuredClone of its record, its runtime state copied out). */
  cloneAccount(a: number): AccountClone {
    this.clonesMade++;
    const record = this.records[a]!;
    const models: AccountClone['models'] = {};
    for (const model of record.models) {
      const lane = this.#lanes[MODEL_INDEX.get(model)!]!;
      models[model] = { coolUntil: lane.coolUntil[a]!, consecutive429: lane.consecutive429[a]!, lastStatus: lane.lastStatus[a]! };
    }
    return { index: a, record: structuredClone(record), disabled: this.#disabled[a] === 1, priority: this.#priority[a]!, models };
  }

  /** account-clone variant (seed 000's Manager.List()): a deep copy of every account. */
  listClones(): AccountClone[] {
    const out = new Array<AccountClone>(this.records.length);
    for (let a = 0; a < this.records.length; a++) out[a] = this.cloneAccount(a);
    return out;
  }

  isDisabled(a: number): boolean {
    return this.#disabled[a] === 1;
  }

  setPriority(a: number, priority: number): void {
    this.#priority[a] = priority;
  }

  recordProbe(a: number, status: number, at: number): void {
    this.#probeStatus[a] = status;
    this.#probeAt[a] = at;
  }

  stateOf(a: number, now: number): AccountState {
    if (this.#disabled[a] === 1) return 'disabled';
    for (const lane of this.#lanes) if (lane.coolUntil[a]! > now) return 'cooling';
    return 'available';
  }

  /** Accounts by state. O(N): for metric scrapes only, never the request path. */
  countByState(now: number): Record<AccountState, number> {
    const counts = { available: 0, cooling: 0, disabled: 0 };
    for (let a = 0; a < this.records.length; a++) counts[this.stateOf(a, now)]++;
    return counts;
  }

  /** Accounts currently in a cooling heap, summed over models (a gauge: must return to 0 when the pool heals). */
  coolingEntries(): number {
    let n = 0;
    for (const lane of this.#lanes) n += lane.cooling.size;
    return n;
  }

  view(a: number, now: number): AccountView {
    this.viewsBuilt++;
    const record = this.records[a]!;
    const models: AccountView['models'] = {};
    for (const model of record.models) {
      const lane = this.#lanes[MODEL_INDEX.get(model)!]!;
      const until = lane.coolUntil[a]!;
      models[model] = {
        cooldown_until: until > now ? new Date(until).toISOString() : null,
        consecutive_429: lane.consecutive429[a]!,
        last_status: lane.lastStatus[a]!,
      };
    }
    const probeAt = this.#probeAt[a]!;
    return {
      auth_index: record.authIndex,
      id: record.id,
      index: a,
      provider: record.provider,
      email: record.email,
      state: this.stateOf(a, now),
      disabled: this.#disabled[a] === 1,
      priority: this.#priority[a]!,
      // Frozen shared record data, referenced rather than copied.
      attributes: record.attributes,
      models,
      quota: { last_probe_status: this.#probeStatus[a]!, last_probe_at: probeAt === 0 ? null : new Date(probeAt).toISOString() },
    };
  }

  #releaseRecovered(lane: ModelLane, now: number): void {
    const heap = lane.cooling;
    for (let top = heap.peek(); top !== -1 && lane.coolUntil[top]! <= now; top = heap.peek()) {
      heap.pop();
      lane.coolUntil[top] = 0;
      if (this.#disabled[top] === 0) lane.available.add(top);
    }
  }

  #clearCooldown(m: number, a: number): void {
    const lane = this.#lanes[m]!;
    lane.cooling.remove(a);
    lane.coolUntil[a] = 0;
    if (this.#disabled[a] === 0 && this.serves(a, m)) lane.available.add(a);
  }
}

export type { ModelId };
