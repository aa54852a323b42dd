// Target profiles: which traffic a target gets. The built-in profiles, the
// FILE schema (each bad field named), and what applyProfile leaves of the
// real scenarios' phases (mixed: every management kind dropped, client
// traffic at its own rate; a phase of management traffic only: skipped).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getScenario, resolveScenario, type ResolvedPhase } from '../../scenarios/index.ts';
import { applyProfile, BUILT_IN_PROFILES, checkProfileFits, resolveTargetProfile, skipLine, TARGET_ROUTES } from './target-profile.ts';

const dir = mkdtempSync(join(tmpdir(), 'soak-profile-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const mixed = resolveScenario(getScenario('mixed'), { durationMs: 60_000 });
const phase = (name: string) => mixed.phases.find((p) => p.name === name)!;
const openai = BUILT_IN_PROFILES['openai-compatible'];

describe('resolveTargetProfile', () => {
  it('defaults: reference for the built-in relay, openai-compatible (client API only) for a command or a pid', () => {
    expect(resolveTargetProfile(undefined, 'relay').routes).toEqual(TARGET_ROUTES);
    expect(resolveTargetProfile(undefined, 'cmd').name).toBe('openai-compatible');
    expect(resolveTargetProfile(undefined, 'pid').routes).toEqual(['chat', 'models']);
    expect(resolveTargetProfile('reference', 'cmd').name).toBe('reference');
  });

  it('a FILE: its routes and name', () => {
    const p = resolveTargetProfile(file('ok.json', '{"name":"my-gateway","description":"no /v1/models","routes":["chat"]}'), 'cmd');
    expect(p).toEqual({ name: 'my-gateway', source: join(dir, 'ok.json'), routes: ['chat'] });
  });

  it.each([
    ['[]', /expected a JSON object/],
    ['{"routes":["chat"],"extra":1}', /field "extra": unknown/],
    ['{"routes":["chat","nope"]}', /field "routes\[1\]": unknown route "nope"; valid: chat, models/],
    ['{"routes":[]}', /field "routes": empty/],
    ['{"name":5,"routes":["chat"]}', /field "name"/],
    ['{"routes":["models","models"]}', /field "routes\[1\]": "models" listed twice/],
    ['{routes', /not JSON/],
  ])('a bad FILE %s is a usage error naming the file and the field', (text, words) => {
    const p = file(`bad-${Math.random().toString(36).slice(2)}.json`, text);
    try {
      resolveTargetProfile(p, 'cmd');
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('SOAK_ERR_USAGE');
      expect((err as Error).message).toContain(`--target-profile ${p}`);
      expect((err as Error).message).toMatch(words);
    }
  });
});

describe('applyProfile', () => {
  it('the reference profile leaves every phase as it is (same object)', () => {
    for (const p of mixed.phases) expect(applyProfile(p, BUILT_IN_PROFILES.reference)).toEqual({ phase: p, skipped: [], empty: false });
  });

  it('openai-compatible: health-scan drops api-call and the relay scan, chat kinds keep their own shares', () => {
    const p = phase('health-scan');
    expect(p.mix['api-call']).toBeGreaterThan(0);
    expect(p.settings.relayScan).not.toBeNull();
    const r = applyProfile(p, openai);
    expect(r.skipped.sort()).toEqual(['account-sync', 'api-call', 'health-scan']);
    expect(r.empty).toBe(false);
    expect(r.phase.mix['api-call']).toBe(0);
    expect(r.phase.mix['sync-event']).toBe(0);
    expect(r.phase.settings.relayScan).toBeNull();
    for (const k of ['chat', 'chat-stream', 'models', 'retry', 'stream-abort'] as const) expect(r.phase.mix[k]).toBe(p.mix[k]);
    expect(p.mix['api-call']).toBeGreaterThan(0); // the scenario itself is not changed
  });

  it('account-churn drops the snapshot and the sync events; warm-up (chat only) is untouched', () => {
    const r = applyProfile(phase('account-churn'), openai);
    expect(r.skipped).toContain('account-sync');
    expect(r.phase.settings.sync.snapshotAtStart).toBe(false);
    expect(applyProfile(phase('warm-up'), openai).skipped).toEqual([]);
  });

  it('a phase of management traffic only is empty (skipped), with a line that says so', () => {
    const p = phase('health-scan');
    const mgmtOnly: ResolvedPhase = { ...p, mix: { ...Object.fromEntries(Object.keys(p.mix).map((k) => [k, 0])), 'api-call': 1 } as ResolvedPhase['mix'] };
    const r = applyProfile(mgmtOnly, openai);
    expect(r.empty).toBe(true);
    expect(skipLine('scan', r, openai)).toMatch(/^phase scan: skipped: its only traffic is api-call \(POST \/v0\/management\/api-call\)/);
    expect(skipLine('health-scan', applyProfile(p, openai), openai)).toMatch(/^phase health-scan: not sending api-call .*target profile openai-compatible does not have those routes$/);
  });

  it('a profile under which no phase has traffic is refused; one that fits is not', () => {
    const storm = resolveScenario(getScenario('error-storm'), { durationMs: 60_000 });
    expect(() => checkProfileFits(storm, { name: 'mgmt', source: 'x', routes: ['api-call'] })).toThrow(/every phase would be skipped/);
    expect(() => checkProfileFits(storm, openai)).not.toThrow();
  });
});
