// The catalog as one definition: every entry complete and well-formed, the
// flag table naming the same variants, the generated README identical to its
// rendering, and the CLI listing and validating from the same entries.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { expectedCost, formatCatalog, LEAK_CATALOG, LEAK_RESOURCES, parseLeaks } from '../leaks/catalog.ts';
import { FLAG_OF, leakFlags } from '../leaks/flags.ts';
import { README_PATH, renderCatalogReadme } from '../leaks/render-readme.ts';

const NAMES = ['account-clone', 'error-body', 'sse-abort', 'sync-tracker', 'listener', 'lazy-lru', 'inflight-map', 'retry-timers', 'cancel-poller', 'usage-ttl', 'unbounded-fanout', 'pool-size'];
const SCENARIOS = ['health-scan', 'error-storm', 'stream-abort', 'account-churn', 'cache-churn', 'retry-storm', 'mixed'];
const SEEDS_DIR = fileURLToPath(new URL('../../../shared/seeds/', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

describe('leak catalog', () => {
  it('holds exactly the issue\'s twelve variants, each with a flag', () => {
    expect(LEAK_CATALOG.map((e) => e.name)).toEqual(NAMES);
    expect(Object.keys(FLAG_OF).sort()).toEqual([...NAMES].sort());
    const flags = leakFlags(new Set(['lazy-lru']));
    expect(Object.entries(flags).filter(([, on]) => on).map(([field]) => field)).toEqual(['lazyLru']);
  });

  it('gives every entry its incident, write-up, mechanism, trigger, signal, scenario and a usable cost', () => {
    for (const e of LEAK_CATALOG) {
      expect(e.area.length, `${e.name}.area`).toBeGreaterThan(3);
      for (const field of ['summary', 'incident', 'mechanism', 'fix', 'trigger', 'observable'] as const) {
        expect(e[field].length, `${e.name}.${field}`).toBeGreaterThan(10);
      }
      expect(e.source).toMatch(/^\d{3}_[0-9a-f]{16}\.txt$/);
      if (existsSync(SEEDS_DIR)) expect(existsSync(SEEDS_DIR + e.source), `${e.name}.source`).toBe(true);
      expect(SCENARIOS).toContain(e.scenario);
      expect(e.metrics.length).toBeGreaterThan(0);
      const c = e.cost;
      // Facts only: how a run is judged against them is the harness's (harness/judge/signatures.ts).
      for (const key of Object.keys(c)) expect(['what', 'perEvent', 'perAccount', 'event', 'lasts', 'basis'], `${e.name}.cost.${key}`).toContain(key);
      expect(Object.keys(LEAK_RESOURCES)).toContain(c.what);
      expect(c.perEvent).toBeGreaterThan(0);
      if (LEAK_RESOURCES[c.what].unit === 'count') expect(Number.isInteger(c.perEvent), `${e.name}.cost.perEvent`).toBe(true);
      expect(c.event).toMatch(/^[a-z0-9-]+$/);
      if (c.lasts !== undefined) expect(c.lasts.length, `${e.name}.cost.lasts`).toBeGreaterThan(3);
      expect(c.basis.length).toBeGreaterThan(10);
    }
  });

  it('resolves per-account costs for a given N', () => {
    const clone = expectedCost('account-clone', 5_000);
    expect(clone.perEvent).toBe(LEAK_CATALOG[0]!.cost.perEvent * 5_000);
    expect(expectedCost('error-body', 5_000)).toEqual({ variant: 'error-body', what: 'fds', perEvent: 1, event: '429-large' });
    expect(() => expectedCost('nope', 1)).toThrow(ConfigError);
  });

  it('README.md is the rendering of the catalog (npx node relay/leaks/render-readme.ts)', () => {
    expect(readFileSync(README_PATH, 'utf8')).toBe(renderCatalogReadme());
  });

  it('validates names, listing the valid ones', () => {
    expect([...parseLeaks(' lazy-lru , error-body ')]).toEqual(['lazy-lru', 'error-body']);
    let err: unknown;
    try {
      parseLeaks('lazy-lru,nope', 'RELAY_LEAKS');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe('RELAY_LEAKS');
    for (const name of NAMES) expect((err as Error).message).toContain(name);
  });

  it('--leak list prints one line per entry; --leak nope exits 2 naming the valid ones', () => {
    expect(formatCatalog().trimEnd().split('\n')).toHaveLength(NAMES.length);
    const list = spawnSync(process.execPath, [MAIN, '--leak', 'list'], { encoding: 'utf8', timeout: 10_000 });
    expect(list.status).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(NAMES);
    const bad = spawnSync(process.execPath, [MAIN, '--upstream', 'http://127.0.0.1:9', '--accounts', '5', '--leak', 'nope'], { encoding: 'utf8', timeout: 10_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
    for (const name of NAMES) expect(bad.stderr).toContain(name);
  });
});
