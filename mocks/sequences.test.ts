// Scripted outcome sequences (plan.sequences): the validator, the step
// arithmetic, what an undici client observes through the real bridge, stats,
// precedence (forced > sequence > rules), restart on a new plan, and the msw
// side: genuine generator-resolver handlers usable in-process with
// getResponse, answering concurrent requests each with its own response.

import { afterEach, describe, expect, it } from 'vitest';
import { getResponse, type HttpHandler } from 'msw';
import { request as undiciRequest } from 'undici';
import { createBridge, HOST } from './bridge.ts';
import { UpstreamEngine } from './engine.ts';
import { createHandlers } from './handler-list.ts';
import { startUpstream, type Upstream } from './index.ts';
import { PlanError, resolvePlan, validatePlan, type FaultPlan, type FaultSequence } from './plan.ts';
import { SequenceBook, stepAt } from './sequences.ts';
import { networkErrorKindOf } from './wire.ts';
import { ACCOUNTS, authHeader, CHAT_BODY, observe, SEED, type Observed } from './test-support.ts';

const started: Upstream[] = [];
async function start(plan: FaultPlan, options: Partial<Parameters<typeof startUpstream>[0]> = {}): Promise<Upstream> {
  const upstream = await startUpstream({ seed: SEED, accounts: ACCOUNTS, plan, ...options });
  started.push(upstream);
  return upstream;
}
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all([...started.splice(0).map((u) => u.close()), ...cleanups.splice(0).map((c) => c())]);
});

/** What a client saw, reduced to what a sequence scripts: the status, or the undici error code. */
function outcome(seen: Observed): string {
  if (seen.phase === 'response') return String(seen.status);
  if (seen.phase === 'body') return `${seen.status} then ${seen.error.code}`;
  return seen.error.code ?? seen.error.name;
}

async function outcomes(url: string, count: number, account: number, path?: string): Promise<string[]> {
  const seen: string[] = [];
  // Sequential on purpose: a sequence scripts the order requests arrive in.
  for (let i = 0; i < count; i++) {
    seen.push(outcome(await observe(url, { account, ...(path ? { path, method: 'GET' } : {}) })));
  }
  return seen;
}

async function putPlan(url: string, plan: unknown): Promise<{ status: number; body: { error?: { param: string; message: string } } }> {
  const res = await undiciRequest(`${url}/__upstream/plan`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(plan),
  });
  return { status: res.statusCode, body: (await res.body.json()) as { error?: { param: string; message: string } } };
}

function sequencePlan(...sequences: FaultSequence[]): FaultPlan {
  return { rules: [], sequences };
}

describe('plan.sequences validation', () => {
  function fieldOf(plan: unknown, accounts?: number): string {
    try {
      const valid = validatePlan(plan);
      // The account bound is the engine's check (the plan does not carry the account count).
      new UpstreamEngine({ seed: SEED, accounts: accounts ?? ACCOUNTS, plan: valid });
    } catch (error) {
      expect(error).toBeInstanceOf(PlanError);
      expect((error as PlanError).message.startsWith(`${(error as PlanError).field}: `)).toBe(true);
      return (error as PlanError).field;
    }
    throw new Error('expected a PlanError');
  }

  it('accepts a full sequence and keeps it verbatim', () => {
    const plan = sequencePlan({ route: 'usage', account: 3, steps: ['429', 'ok', 'reset'], then: 'cycle' }, { steps: ['503'] });
    expect(validatePlan(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
    expect(resolvePlan(plan, SEED).sequences[1]).toEqual({ route: 'chat', account: -1, steps: ['503'], then: 'ok' });
  });

  it.each([
    [{ steps: ['429', 'lightning'] }, 'plan.sequences[0].steps[1]'],
    [{ steps: [] }, 'plan.sequences[0].steps'],
    [{ steps: '429' }, 'plan.sequences[0].steps'],
    [{ steps: ['429'], account: -1 }, 'plan.sequences[0].account'],
    [{ steps: ['429'], account: 1.5 }, 'plan.sequences[0].account'],
    [{ steps: ['429'], account: ACCOUNTS }, 'plan.sequences[0].account'],
    [{ steps: ['429'], route: 'embeddings' }, 'plan.sequences[0].route'],
    [{ steps: ['429'], then: 'forever' }, 'plan.sequences[0].then'],
    [{ steps: ['429'], repeat: 2 }, 'plan.sequences[0].repeat'],
  ])('%j → PlanError naming %s', (sequence, field) => {
    expect(fieldOf({ rules: [], sequences: [sequence] })).toBe(field);
  });

  it('rejects a sequences field that is not an array', () => {
    expect(fieldOf({ rules: [], sequences: { steps: ['429'] } })).toBe('plan.sequences');
  });
});

describe('stepAt', () => {
  const spec = (then: 'ok' | 'repeat-last' | 'cycle') => resolvePlan(sequencePlan({ steps: ['429', '503', 'ok'], then }), SEED).sequences[0]!;
  it.each([
    ['ok', ['429', '503', 'ok', null, null]],
    ['repeat-last', ['429', '503', 'ok', 'ok', 'ok']],
    ['cycle', ['429', '503', 'ok', '429', '503']],
  ] as const)('then %s', (then, expected) => {
    expect([0, 1, 2, 3, 4].map((n) => stepAt(spec(then), n))).toEqual(expected);
  });
});

describe('SequenceBook.claim', () => {
  it('gives a request to the first sequence in plan order that matches and has not ended', () => {
    const plan = sequencePlan({ steps: ['503'] }, { account: 4, steps: ['429', 'ok'] }, { steps: ['500'] }, { account: 6, steps: ['502'] });
    const book = new SequenceBook(resolvePlan(plan, SEED).sequences);
    const claim = (account: number) => {
      const c = book.claim('chat', account);
      return c ? `${c.sequence.index}:${c.fault ?? 'ok'}` : null;
    };
    expect([claim(4), claim(4), claim(4), claim(4), claim(4)]).toEqual(['0:503', '1:429', '1:ok', '2:500', null]);
    // The any-account sequences are shared and ended; account 6 still has its own.
    expect([claim(5), claim(6), claim(6)]).toEqual([null, '3:502', null]);
    expect(book.claim('usage', 6)).toBeNull();
  });
});

describe('through the bridge, observed by undici', () => {
  it('gives one account its scripted outcomes in order and leaves the others alone', async () => {
    const up = await start(sequencePlan({ account: 7, steps: ['429', '503', 'truncate-cl', 'ok'] }), { completionTokens: 64 });
    const seen7: string[] = [];
    const seen3: string[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 6; i++) {
      const mine = await observe(up.url, { account: 7 });
      if (i === 0 && mine.phase === 'response') retryAfter = mine.headers['retry-after'];
      seen7.push(outcome(mine));
      // Interleaved traffic of another account neither shifts nor consumes the script.
      seen3.push(outcome(await observe(up.url, { account: 3 })));
    }
    expect(seen7).toEqual(['429', '503', '200 then UND_ERR_SOCKET', '200', '200', '200']);
    expect(retryAfter).toBe('2');
    expect(seen3).toEqual(Array(6).fill('200'));

    const stats = up.stats();
    expect(stats.requests).toBe(12);
    expect(stats.faults).toEqual({ '429': 1, '503': 1, 'truncate-cl': 1 });
    expect(stats.faultsByAccount).toEqual({ '7': { '429': 1, '503': 1, 'truncate-cl': 1 } });
  });

  it.each([
    ['ok', ['503', '429', '200', '200', '200', '200']],
    ['repeat-last', ['503', '429', '429', '429', '429', '429']],
    ['cycle', ['503', '429', '503', '429', '503', '429']],
  ] as const)('then: %s', async (then, expected) => {
    const up = await start(sequencePlan({ account: 1, steps: ['503', '429'], then }));
    expect(await outcomes(up.url, 6, 1)).toEqual(expected);
  });

  it('takes precedence over the rules, and an ended sequence hands its requests back to them', async () => {
    const up = await start({ rules: [{ fault: '500', probability: 1 }], sequences: [{ steps: ['503', 'ok'] }] });
    expect(await outcomes(up.url, 4, 2)).toEqual(['503', '200', '500', '500']);
    expect(up.stats().faults).toEqual({ '503': 1, '500': 2 });
  });

  it('wire faults in a sequence are the same wire faults as forced ones', async () => {
    const up = await start(sequencePlan({ steps: ['reset', 'empty', 'sse-cut', 'truncate-cl-close'] }));
    expect(await outcomes(up.url, 5, 4)).toEqual([
      'ECONNRESET',
      'UND_ERR_SOCKET',
      '200 then UND_ERR_SOCKET',
      '200 then UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
      '200',
    ]);
  });

  it('scripts the usage and models routes too, each route with its own script', async () => {
    const up = await start(
      sequencePlan({ route: 'usage', steps: ['503', '429-codex'] }, { route: 'models', account: 5, steps: ['502'] }),
    );
    expect(await outcomes(up.url, 3, 5, '/backend-api/wham/usage')).toEqual(['503', '429', '200']);
    expect(await outcomes(up.url, 2, 5, '/v1/models')).toEqual(['502', '200']);
    expect(await outcomes(up.url, 1, 5)).toEqual(['200']);
    expect(up.stats().faultsByAccount).toEqual({ '5': { '503': 1, '429-codex': 1, '502': 1 } });
  });

  it('a forced fault beats the sequence and does not advance it', async () => {
    const up = await start(sequencePlan({ account: 9, steps: ['503', '429'] }));
    const forced = await observe(up.url, { account: 9, headers: { 'x-mock-fault': '502' } });
    expect(outcome(forced)).toBe('502');
    const viaBody = await observe(up.url, { account: 9, body: JSON.stringify({ model: 'gpt-5', messages: [], mock_fault: '504' }) });
    expect(outcome(viaBody)).toBe('504');
    expect(await outcomes(up.url, 3, 9)).toEqual(['503', '429', '200']);
    expect(up.stats().faultsByAccount).toEqual({ '9': { '502': 1, '504': 1, '503': 1, '429': 1 } });
  });

  it('PUT /__upstream/plan restarts the sequence (and serves a new plan\'s sequences)', async () => {
    const plan = sequencePlan({ account: 2, steps: ['503', '500', '502'] });
    const up = await start(plan);
    expect(await outcomes(up.url, 2, 2)).toEqual(['503', '500']);
    expect((await putPlan(up.url, plan)).status).toBe(200);
    expect(await outcomes(up.url, 4, 2)).toEqual(['503', '500', '502', '200']);
    expect((await putPlan(up.url, sequencePlan({ account: 2, steps: ['429'], then: 'repeat-last' }))).status).toBe(200);
    expect(await outcomes(up.url, 2, 2)).toEqual(['429', '429']);
  });

  it.each([
    [{ steps: ['429', 'lightning'] }, 'plan.sequences[0].steps[1]'],
    [{ steps: [] }, 'plan.sequences[0].steps'],
    [{ steps: ['429'], account: -3 }, 'plan.sequences[0].account'],
    [{ steps: ['429'], account: 2.5 }, 'plan.sequences[0].account'],
    [{ steps: ['429'], account: ACCOUNTS }, 'plan.sequences[0].account'],
    [{ steps: ['429'], route: 'files' }, 'plan.sequences[0].route'],
    [{ steps: ['429'], then: 'again' }, 'plan.sequences[0].then'],
  ])('PUT %j → 400 naming %s, and the plan in effect stays', async (sequence, field) => {
    const plan = sequencePlan({ account: 2, steps: ['503'] });
    const up = await start(plan);
    const { status, body } = await putPlan(up.url, { rules: [], sequences: [sequence] });
    expect(status).toBe(400);
    expect(body.error?.param).toBe(field);
    expect(body.error?.message.startsWith(`${field}: `)).toBe(true);
    expect(up.plan()).toEqual(plan);
  });

  it('answers concurrent sequenced requests each with its own response, every step used once', async () => {
    const steps = [...Array<'429'>(10).fill('429'), ...Array<'ok'>(10).fill('ok')];
    const up = await start(sequencePlan({ steps }));
    const models = Array.from({ length: 24 }, (_, i) => `model-${i}`);
    const seen = await Promise.all(
      models.map((model, i) => observe(up.url, { account: i % ACCOUNTS, body: JSON.stringify({ model, messages: [] }) })),
    );
    const statuses = seen.map(outcome);
    expect(statuses.filter((s) => s === '429')).toHaveLength(10);
    expect(statuses.filter((s) => s === '200')).toHaveLength(14);
    seen.forEach((s, i) => {
      if (s.phase === 'response' && s.status === 200) expect((JSON.parse(s.text) as { model: string }).model).toBe(models[i]);
    });
    expect(up.stats().faults).toEqual({ '429': 10 });
    expect(up.stats().requests).toBe(24);
  });

  it('the fast path still serves other requests; a sequenced ok step goes through msw', async () => {
    const engine = new UpstreamEngine({ seed: SEED, accounts: ACCOUNTS, plan: sequencePlan({ account: 7, steps: ['ok', '503'] }) });
    const handlers = createHandlers(engine);
    let viaMsw = 0;
    const bridge = createBridge({
      engine,
      handlers: () => {
        viaMsw++;
        return handlers;
      },
      fastPath: true,
      onError: (error) => {
        throw error;
      },
    });
    await new Promise<void>((resolve) => bridge.server.listen({ port: 0, host: HOST }, resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          bridge.server.close(() => resolve());
          bridge.destroyAll();
        }),
    );
    const { port } = bridge.server.address() as { port: number };
    const url = `http://${HOST}:${port}`;
    expect(await outcomes(url, 3, 1)).toEqual(['200', '200', '200']);
    expect(viaMsw).toBe(0);
    expect(await outcomes(url, 3, 7)).toEqual(['200', '503', '200']);
    // The ok step and the 503 went through msw; the ended sequence's request is a fast-path 200 again.
    expect(viaMsw).toBe(2);
    // ... and were answered by the sequence's generator resolver, which msw now holds.
    expect((handlers[0] as unknown as { resolverIterator?: unknown }).resolverIterator).toBeDefined();
  });
});

describe('in-process: genuine msw generator-resolver handlers', () => {
  const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as FunctionConstructor;

  function chat(account: number, body = CHAT_BODY): Request {
    return new Request('http://upstream.test/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: authHeader(account) },
      body,
    });
  }

  it('serves the script through getResponse without a socket', async () => {
    const engine = new UpstreamEngine({
      seed: SEED,
      accounts: ACCOUNTS,
      plan: sequencePlan({ account: 7, steps: ['429', 'truncate-cl', 'reset', 'ok'] }),
    });
    const handlers = createHandlers(engine);
    const sequenceHandler = handlers[0]!;
    // What msw keeps: the resolver is a generator function, and after the
    // first matched request msw holds its iterator (request-handler.ts).
    const internals = sequenceHandler as unknown as { resolver: unknown; resolverIterator?: unknown };
    expect(internals.resolver).toBeInstanceOf(GeneratorFunction);
    expect(internals.resolverIterator).toBeUndefined();

    const first = await getResponse(handlers, chat(7));
    expect(first!.status).toBe(429);
    expect(internals.resolverIterator).toBeDefined();

    // Another account falls through to the route handler without spending a step.
    expect((await getResponse(handlers, chat(3)))!.status).toBe(200);

    const cut = await getResponse(handlers, chat(7));
    expect(cut!.status).toBe(200);
    await expect(cut!.text()).rejects.toMatchObject({ code: 'MOCK_ERR_WIRE_CUT' });
    // msw clones every yielded response; the network-error tag must survive on the one served.
    expect(networkErrorKindOf((await getResponse(handlers, chat(7)))!)).toBe('rst');
    const ok = await getResponse(handlers, chat(7));
    expect(ok!.status).toBe(200);
    expect(((await ok!.json()) as { object: string }).object).toBe('chat.completion');
    expect((await getResponse(handlers, chat(7)))!.status).toBe(200);

    expect(engine.stats.snapshot().faultsByAccount).toEqual({ '7': { '429': 1, 'truncate-cl': 1, reset: 1 } });
    expect(engine.stats.snapshot().requests).toBe(6);
  });

  it('pairs concurrent requests with their own responses in-process too', async () => {
    const engine = new UpstreamEngine({ seed: SEED, accounts: ACCOUNTS, plan: sequencePlan({ steps: ['ok'], then: 'repeat-last' }) });
    const handlers: HttpHandler[] = createHandlers(engine);
    const models = Array.from({ length: 32 }, (_, i) => `m-${i}`);
    const responses = await Promise.all(models.map((model, i) => getResponse(handlers, chat(i % ACCOUNTS, JSON.stringify({ model, messages: [] })))));
    const echoed = await Promise.all(responses.map(async (r) => ((await r!.json()) as { model: string }).model));
    expect(echoed).toEqual(models);
  });

  it('a plan without sequences adds no handler', () => {
    const withNone = createHandlers(new UpstreamEngine({ seed: SEED, accounts: ACCOUNTS }));
    const withTwo = createHandlers(
      new UpstreamEngine({ seed: SEED, accounts: ACCOUNTS, plan: sequencePlan({ steps: ['429'] }, { route: 'usage', steps: ['503'] }) }),
    );
    expect(withTwo.length - withNone.length).toBe(2);
  });
});
