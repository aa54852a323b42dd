// Scripted outcome sequences: which request gets which step. The state of the
// sequences of one plan lives here, on the engine side, and the step of a
// request is fixed at admission (engine.ts), in arrival order, for three
// reasons:
// - the bridge's fast path must know before msw runs whether a request is
//   sequenced (a sequenced `ok` is not a fast-path 200 until it is decided);
// - faults are counted once, at admission, like every other fault;
// - msw's generator resolvers cannot decide it: msw calls the resolver once,
//   keeps the iterator, and resumes it with no argument, so the generator never
//   sees the request it answers (and msw may start it twice when two requests
//   race to be first, or restart it on `reset()`).
// The msw side (sequence-handlers.ts) serves the claimed requests, in claim
// order, from one generator resolver per sequence.

import type { FaultKind } from './faults.ts';
import type { ResolvedSequence, RouteName, SequenceStep } from './plan.ts';

/**
 * The step of the `n`-th (0-based) request a sequence matched, or null when
 * the sequence has ended (`then: 'ok'` after its last step) and no longer
 * claims requests.
 */
export function stepAt(sequence: ResolvedSequence, n: number): SequenceStep | null {
  const { steps } = sequence;
  if (n < steps.length) return steps[n]!;
  switch (sequence.then) {
    case 'ok':
      return null;
    case 'repeat-last':
      return steps[steps.length - 1]!;
    case 'cycle':
      return steps[n % steps.length]!;
  }
}

/** One sequence of the plan in effect, with its progress. */
export class ActiveSequence {
  readonly index: number;
  readonly spec: ResolvedSequence;
  /** Requests claimed so far: the position in the script. */
  claimed = 0;

  constructor(index: number, spec: ResolvedSequence) {
    this.index = index;
    this.spec = spec;
  }
}

/** A request's place in a sequence, decided at admission. */
export interface SequenceClaim {
  readonly sequence: ActiveSequence;
  /** 0-based position of the request in the sequence. */
  readonly position: number;
  /** The step's fault; null for an `ok` step. */
  readonly fault: FaultKind | null;
}

/** The sequences of one route, indexed so a claim looks only at those that can match. */
interface RouteSequences {
  readonly anyAccount: readonly ActiveSequence[];
  readonly byAccount: ReadonlyMap<number, readonly ActiveSequence[]>;
}

/**
 * The sequences of one plan. A new plan gets a new book, which is how a
 * sequence restarts when a plan is set (like the rules' request numbering).
 */
export class SequenceBook {
  readonly sequences: readonly ActiveSequence[];
  private readonly byRoute: Readonly<Record<RouteName, RouteSequences>>;

  constructor(specs: readonly ResolvedSequence[]) {
    this.sequences = specs.map((spec, i) => new ActiveSequence(i, spec));
    const on = (route: RouteName): RouteSequences => {
      const anyAccount: ActiveSequence[] = [];
      const byAccount = new Map<number, ActiveSequence[]>();
      for (const sequence of this.sequences) {
        if (sequence.spec.route !== route) continue;
        const account = sequence.spec.account;
        if (account < 0) anyAccount.push(sequence);
        else {
          let list = byAccount.get(account);
          if (!list) byAccount.set(account, (list = []));
          list.push(sequence);
        }
      }
      return { anyAccount, byAccount };
    };
    this.byRoute = { chat: on('chat'), models: on('models'), usage: on('usage'), state: on('state') };
  }

  /**
   * Claims the request for the first sequence in plan order that matches its
   * route and account and has not ended, and advances that sequence. Null
   * when none does. Runs on the hot path for every request while the plan
   * has sequences: it looks at the account's own sequences and the
   * any-account ones only, merged in plan order, so a plan scripting many
   * accounts costs one map lookup per request.
   */
  claim(route: RouteName, account: number): SequenceClaim | null {
    const { anyAccount, byAccount } = this.byRoute[route];
    const own = byAccount.get(account);
    if (!own && anyAccount.length === 0) return null;
    const mine = own ?? [];
    let a = 0;
    let b = 0;
    while (a < mine.length || b < anyAccount.length) {
      const takeOwn = b >= anyAccount.length || (a < mine.length && mine[a]!.index < anyAccount[b]!.index);
      const sequence = takeOwn ? mine[a++]! : anyAccount[b++]!;
      const position = sequence.claimed;
      const step = stepAt(sequence.spec, position);
      if (step === null) continue;
      sequence.claimed = position + 1;
      return { sequence, position, fault: step === 'ok' ? null : step };
    }
    return null;
  }
}
