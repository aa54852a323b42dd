import { describe, expect, it } from 'vitest';
// Runtime import from mocks/ in a test only: the plans scenarios ship must pass the upstream's own validator.
import { validatePlan } from '../mocks/index.ts';
import {
  ScenarioError,
  TRAFFIC_KINDS,
  defineScenario,
  getScenario,
  listScenarios,
  parseDuration,
  resolveScenario,
  minimumDurationMs,
  MIN_CHECKPOINTS,
  type ScenarioSpec,
} from './index.ts';

function base(overrides: Partial<ScenarioSpec> = {}): ScenarioSpec {
  return defineScenario({
    name: 'unit',
    description: 'unit test scenario',
    defaults: { duration: '5m', rate: 100, accounts: 10, seed: 1 },
    phases: [
      { name: 'warm-up', kind: 'warm-up', duration: '30s', mix: { chat: 1 } },
      { name: 'steady', kind: 'steady', share: 3, mix: { chat: 3, 'api-call': 1 } },
      { name: 'cool-down', kind: 'cool-down', share: 1, load: 0.5, mix: { chat: 1 } },
    ],
    checkpoints: { count: 10 },
    thresholds: { heapUsed: 32 },
    variants: [{ name: 'v', trigger: 'api-call' }],
    ...overrides,
  });
}

/** The ScenarioError `fn` throws (fails the test when it throws nothing or something else). */
function errorOf(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return err as ScenarioError;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseDuration', () => {
  it.each([
    ['1500ms', 1500],
    ['90s', 90_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1.5m', 90_000],
    [' 10s ', 10_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '5x', 'm5', '-5s', '5 minutes', '1e3s'])('rejects %j naming the field', (text) => {
    const err = errorOf(() => parseDuration(text, '--duration'));
    expect(err.code).toBe('SCENARIO_ERR_DURATION');
    expect(err.field).toBe('--duration');
    expect(err.message).toContain('--duration');
    expect(err.exitCode).toBe(2);
  });
});

describe('resolveScenario', () => {
  it('lays phases end to end: fixed first, shares fill the rest, last ends at the duration', () => {
    const r = resolveScenario(base());
    expect(r.durationMs).toBe(300_000);
    expect(r.phases.map((p) => [p.startMs, p.endMs])).toEqual([
      [0, 30_000],
      [30_000, 232_500],
      [232_500, 300_000],
    ]);
    expect(r.phases[0]!.measured).toBe(false);
    expect(r.phases[1]!.measured).toBe(true);
    expect(r.model).toBe('open');
    expect(r.phases[2]!.rate).toEqual({ from: 50, to: 50 });
    expect(r.phases[1]!.mix.chat).toBeCloseTo(0.75);
    expect(r.phases[1]!.mix['api-call']).toBeCloseTo(0.25);
    const sum = TRAFFIC_KINDS.reduce((s, k) => s + r.phases[1]!.mix[k], 0);
    expect(sum).toBeCloseTo(1);
  });

  it('applies overrides; connections switch to the closed model', () => {
    const r = resolveScenario(base(), { durationMs: 60_000, connections: 20, accounts: 5000, seed: 7 });
    expect(r).toMatchObject({ durationMs: 60_000, model: 'closed', rate: null, connections: 20, accounts: 5000, seed: 7 });
    expect(r.phases[2]!.connections).toEqual({ from: 10, to: 10 });
    expect(r.phases.at(-1)!.endMs).toBe(60_000);
    // 30 s of fixed warm-up is capped at half of a 60 s run.
    expect(r.phases[0]!.durationMs).toBe(30_000);
  });

  it('shrinks fixed phases proportionally when they would take more than half the run', () => {
    const r = resolveScenario(base(), { durationMs: 20_000 });
    expect(r.phases[0]!.durationMs).toBe(10_000);
    expect(r.phases.at(-1)!.endMs).toBe(20_000);
  });

  it('gives a checkpoint cadence with at least MIN_CHECKPOINTS', () => {
    const r = resolveScenario(base({ checkpoints: { count: 3, every: '1h' } }), { durationMs: 7_200_000 });
    expect(r.checkpoints.min).toBe(MIN_CHECKPOINTS);
    expect(r.checkpoints.everyMs).toBe(900_000);
    expect(r.checkpoints.expected).toBeGreaterThanOrEqual(MIN_CHECKPOINTS);
  });

  it.each([
    ['--rate', () => resolveScenario(base(), { rate: -1 })],
    ['--connections', () => resolveScenario(base(), { connections: 0 })],
    ['--accounts', () => resolveScenario(base(), { accounts: 1.5 })],
    ['--seed', () => resolveScenario(base(), { seed: -3 })],
    ['--duration', () => resolveScenario(base(), { durationMs: 0 })],
    ['phases[0].mix.chat', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'steady', share: 1, mix: { chat: -1 } }] }))],
    ['phases[0].mix', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'steady', share: 1, mix: {} }] }))],
    ['phases[0].mix.telepathy', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'steady', share: 1, mix: { telepathy: 1 } as never }] }))],
    ['phases[0].kind', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'nap' as never, share: 1, mix: { chat: 1 } }] }))],
    ['phases[0]', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'steady', share: 1, duration: '1s', mix: { chat: 1 } }] }))],
    ['phases[0].duration', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'steady', duration: 'soon', mix: { chat: 1 } }] }))],
    ['phases[1].name', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'steady', share: 1, mix: { chat: 1 } }, { name: 'a', kind: 'steady', share: 1, mix: { chat: 1 } }] }))],
    ['phases[0].load.to', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'ramp', share: 1, load: { from: 1, to: 0 }, mix: { chat: 1 } }] }))],
    ['phases[0].faults.rules[0].probability', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'steady', share: 1, mix: { chat: 1 }, faults: { rules: [{ fault: '429', probability: 2 }] } }] }))],
    ['phases[0].settings.abortAfterChunks.max', () => resolveScenario(base({ phases: [{ name: 'a', kind: 'steady', share: 1, mix: { chat: 1 }, settings: { abortAfterChunks: { min: 5, max: 2 } } }] }))],
    ['defaults', () => resolveScenario(base({ defaults: { duration: '5m', rate: 1, connections: 1, accounts: 1, seed: 1 } }))],
    ['thresholds.heapUsed', () => resolveScenario(base({ thresholds: { heapUsed: 0 } }))],
    ['checkpoints.count', () => resolveScenario(base({ checkpoints: { count: 0 } }))],
  ])('rejects a bad %s with an error naming it', (field, fn) => {
    const err = errorOf(fn);
    expect(['SCENARIO_ERR_INVALID', 'SCENARIO_ERR_DURATION']).toContain(err.code);
    expect(err.field).toBe(field);
    expect(err.message.startsWith(err.field)).toBe(true);
  });

  it('carries the reference relay flags its trigger needs, and names a malformed one', () => {
    expect(resolveScenario(base()).referenceRelayArgs).toEqual([]);
    expect(resolveScenario(getScenario('sink-stall')).referenceRelayArgs).toEqual(['--state-sync']);
    expect(() => resolveScenario(base({ referenceRelayArgs: ['state-sync'] }))).toThrow(/referenceRelayArgs\[0\]: expected a flag/);
    expect(() => resolveScenario(base({ referenceRelayArgs: ['--x', ''] }))).toThrow(/referenceRelayArgs\[1\]/);
  });

  it('checkpoints.everyRequests needs a planned rate: refused in the closed model, naming the field', () => {
    expect(resolveScenario(base({ checkpoints: { count: 10, everyRequests: 5_000 } })).checkpoints.everyRequests).toBe(5_000);
    expect(() => resolveScenario(base({ checkpoints: { count: 10, everyRequests: 5_000 } }), { connections: 8 })).toThrow(/^checkpoints\.everyRequests: needs the open model \(a rate\): with --connections/);
  });

  it('rejects a phase too short to drive, naming it', () => {
    const spec = base({ phases: [{ name: 'blink', kind: 'spike', share: 0.001, mix: { chat: 1 } }, { name: 'rest', kind: 'steady', share: 1, mix: { chat: 1 } }] });
    const err = errorOf(() => resolveScenario(spec));
    expect(err.field).toBe('phases[0]');
    expect(err.message).toContain('blink');
  });

  it('a --duration too short for the scenario names --duration and the shortest that works', () => {
    const spec = base({ phases: [{ name: 'blink', kind: 'spike', share: 0.001, mix: { chat: 1 } }, { name: 'rest', kind: 'steady', share: 1, mix: { chat: 1 } }] });
    const err = errorOf(() => resolveScenario(spec, { durationMs: 60_000 }));
    expect(err.code).toBe('SCENARIO_ERR_DURATION');
    expect(err.field).toBe('--duration');
    // 0.001 / 1.001 of the run must reach 500 ms once its boundary is rounded: 500 s (499.5 ms rounds up).
    expect(err.message).toMatch(/^--duration: the \S+ scenario needs at least 500s \(its phase "blink" resolves to 60 ms at a 1m run/);
    expect(minimumDurationMs(spec)).toBe(500_000);
    expect(() => resolveScenario(spec, { durationMs: 500_000 })).not.toThrow();
    expect(() => resolveScenario(spec, { durationMs: 499_000 })).toThrow(/at least 500s/);
  });
});

describe('registry', () => {
  const required = ['mixed', 'health-scan', 'error-storm', 'stream-abort', 'account-churn', 'cache-churn', 'retry-storm'];

  it('holds the required scenarios, each with a one-line description', () => {
    const names = listScenarios().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(required));
    expect(names[0]).toBe('mixed');
    for (const s of listScenarios()) {
      expect(s.description.length).toBeGreaterThan(10);
      expect(s.description).not.toContain('\n');
      expect(s.variants.length).toBeGreaterThan(0);
    }
  });

  it("every phase's fault plan passes the fake upstream's validator", () => {
    for (const spec of listScenarios()) {
      for (const p of resolveScenario(spec).phases) {
        if (p.faults !== null) expect(() => validatePlan(p.faults, `${spec.name}.${p.name}`)).not.toThrow();
      }
    }
  });

  it('gives a typed error listing the valid names for an unknown scenario', () => {
    const err = errorOf(() => getScenario('nope'));
    expect(err.code).toBe('SCENARIO_ERR_UNKNOWN');
    expect(err.field).toBe('--scenario');
    for (const name of required) expect(err.message).toContain(name);
  });

  for (const spec of listScenarios()) {
    it.each([60_000, 300_000, 7_200_000])(`${spec.name} resolves at %d ms`, (durationMs) => {
      const r = resolveScenario(spec, { durationMs });
      expect(r.phases.at(-1)!.endMs).toBe(durationMs);
      for (let i = 1; i < r.phases.length; i++) expect(r.phases[i]!.startMs).toBe(r.phases[i - 1]!.endMs);
      expect(r.checkpoints.min).toBeGreaterThanOrEqual(MIN_CHECKPOINTS);
      expect(durationMs / r.checkpoints.everyMs).toBeGreaterThanOrEqual(MIN_CHECKPOINTS);
      expect(r.phases.some((p) => !p.measured)).toBe(true); // a warm-up to exclude
    });
  }

  it('mixed, the default, fits a 2-core box in 5 minutes with ≥ 10 checkpoints and every traffic kind', () => {
    const r = resolveScenario(getScenario('mixed'));
    expect(r.durationMs).toBe(300_000);
    const peak = Math.max(...r.phases.map((p) => Math.max(p.rate!.from, p.rate!.to)));
    expect(peak).toBeLessThanOrEqual(3_000);
    expect(r.checkpoints.min).toBeGreaterThanOrEqual(10);
    for (const kind of TRAFFIC_KINDS) expect(r.phases.some((p) => p.mix[kind] > 0)).toBe(true);
    const triggers = new Set(r.variants.map((v) => v.trigger));
    for (const t of ['api-call', 'sse-abort', 'sync-event', 'idempotency-key']) expect(triggers).toContain(t);
  });
});
