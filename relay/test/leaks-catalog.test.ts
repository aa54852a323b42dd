// The catalog as one definition: every entry complete and well-formed, the
// flag table naming the same variants, the generated README identical to its
// rendering, and the CLI listing and validating from the same entries.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { expectedCost, formatCatalog, LEAK_CATALOG, LEAK_RESOURCES, parseLeaks, SEED_FILES } from '../leaks/catalog.ts';
import { FLAG_OF, leakFlags } from '../leaks/flags.ts';
import { README_PATH, renderCatalogReadme } from '../leaks/render-readme.ts';

const NAMES = ['account-clone', 'error-body', 'error-body-read-fail', 'headers-timeout', 'sse-abort', 'sync-tracker', 'listener', 'lazy-lru', 'inflight-map', 'inflight-error-path', 'retry-timers', 'cancel-poller', 'usage-ttl', 'usage-plateau', 'unbounded-fanout', 'pool-size', 'account-wait-loop', 'scheduler-stats', 'no-admission', 'task-contexts', 'orphan-tasks'];
const SCENARIOS = ['health-scan', 'error-answers', 'error-storm', 'error-stalls', 'stream-abort', 'account-churn', 'cache-churn', 'retry-storm', 'quota-wall', 'sink-stall', 'stall-burst', 'mixed'];
const SEEDS_DIR = fileURLToPath(new URL('../../../shared/seeds/', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

describe('leak catalog', () => {
  it('holds exactly the catalog\'s variants, each with a flag', () => {
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

  it('credits every entry to a seed mechanism that is literally in that write-up, or marks it as the project\'s own', () => {
    // The five write-ups of ../shared/seeds/ (a sibling of the clone in CI too).
    expect([...SEED_FILES]).toEqual(['000_4af280c421d85c01.txt', '001_697776c2ac553171.txt', '002_0b0d1dfdb857f888.txt', '003_6c3e0f85ccc9c2fd.txt', '004_2c585e51286a9617.txt']);
    const haveSeeds = existsSync(SEEDS_DIR);
    const additions: string[] = [];
    for (const e of LEAK_CATALOG) {
      const p = e.provenance;
      if ('projectAddition' in p) {
        additions.push(e.name);
        expect(p.projectAddition, `${e.name}: why it is kept`).toMatch(/real Node failure mode/);
        // An addition is not passed off as an incident: its text credits no seed.
        expect(e.incident, `${e.name}.incident`).not.toMatch(/seed \d{3}/);
        continue;
      }
      expect(SEED_FILES, `${e.name}.provenance.seed`).toContain(p.seed);
      expect(p.item.trim().length, `${e.name}.provenance.item`).toBeGreaterThan(1);
      if (haveSeeds) {
        const text = readFileSync(SEEDS_DIR + p.seed, 'utf8');
        expect(text.includes(p.item), `${e.name}: "${p.item}" in ${p.seed}`).toBe(true);
      }
      if (e.departs !== undefined) expect(e.departs.length, `${e.name}.departs`).toBeGreaterThan(40);
    }
    // Exactly the two variants no write-up describes.
    expect(additions.sort()).toEqual(['listener', 'sse-abort']);
    // The fixes the issue names as departing from the write-up's own say how and why.
    for (const name of ['account-clone', 'retry-timers', 'cancel-poller', 'error-body', 'error-body-read-fail', 'headers-timeout']) {
      expect(LEAK_CATALOG.find((e) => e.name === name)?.departs, `${name}.departs`).toBeDefined();
    }
  });

  it('states a proof figure only where one was measured, and the README says so otherwise', () => {
    const readme = renderCatalogReadme();
    const table = readme.slice(readme.indexOf('## Provenance'), readme.indexOf('\n## `'));
    for (const e of LEAK_CATALOG) {
      if (e.proofFigure !== undefined) expect(e.proofFigure, `${e.name}.proofFigure`).toMatch(/\d/);
      const row = table.split('\n').find((l) => l.includes(`| \`${e.name}\` |`));
      expect(row, `${e.name}'s provenance row`).toBeDefined();
      expect(row).toContain(e.proofFigure ?? 'not yet measured');
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
