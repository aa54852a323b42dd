// harness/index.ts is the front door: the CLI (harness/cli.ts, harness/cli/),
// the benches and the tests under test/ take from it every name it offers. A
// deep import of a name index.ts exports fails here, so the API cannot rot
// into a list nobody uses while callers reach around it.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const INDEX = join(ROOT, 'harness/index.ts');

/** `name → module` for the `export { a, type B } from './x.ts'` clauses of index.ts. */
export function exportedNames(text: string, dir: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    for (const part of m[1]!.split(',')) {
      const [original, alias] = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      if (original !== undefined && original !== '') names.set((alias ?? original).trim(), `${resolve(dir, m[2]!)}#${original.trim()}`);
    }
  }
  return names;
}

/** Every `import { … } from '<spec>'` of a file: the names and the resolved path. */
export function namedImports(file: string, text: string): Array<{ names: string[]; path: string }> {
  const out: Array<{ names: string[]; path: string }> = [];
  for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    if (!m[2]!.startsWith('.')) continue;
    const names = m[1]!.split(',').map((p) => p.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim()).filter((n) => n !== '');
    out.push({ names, path: resolve(dirname(file), m[2]!) });
  }
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(ROOT, dir, f));
}

describe('harness public API', () => {
  const offered = exportedNames(readFileSync(INDEX, 'utf8'), dirname(INDEX));
  /** `module#name` pairs index.ts re-exports: importing one of them from its module is a deep import. */
  const sources = new Set(offered.values());

  it('index.ts offers the verbs of the CLI', () => {
    for (const name of ['runSoak', 'judgeRun', 'compareRuns', 'prove', 'calibrate', 'readRun', 'SoakError', 'EXIT']) expect(offered.has(name), name).toBe(true);
  });

  it('the checker sees a deep import of an offered name (it can fail)', () => {
    const file = join(ROOT, 'bench/example.bench.ts');
    const deep = namedImports(file, "import { runSoak, type SoakOptions } from '../harness/soak/index.ts';\nimport { x } from 'node:fs';");
    expect(deep).toEqual([{ names: ['runSoak', 'SoakOptions'], path: join(ROOT, 'harness/soak/index.ts') }]);
    expect(deep[0]!.names.filter((n) => sources.has(`${deep[0]!.path}#${n}`))).toEqual(['runSoak', 'SoakOptions']);
    // The engine's own compareRuns (records in) is not the API's compareRuns (folders in): not a deep import.
    expect(sources.has(`${join(ROOT, 'harness/verdict/index.ts')}#compareRuns`)).toBe(false);
  });

  const callers = [join(ROOT, 'harness/cli.ts'), ...tsFiles('harness/cli'), ...tsFiles('bench'), ...tsFiles('test')];
  for (const file of callers) {
    it(`${relative(ROOT, file)} takes offered names from harness/index.ts`, () => {
      const text = readFileSync(file, 'utf8');
      const deep: string[] = [];
      for (const { names, path } of namedImports(file, text)) {
        // harness/errors.ts is a leaf any process may load alone: the bench servers that are
        // measured (passthrough-proxy, upstream --serve) and the command runner must not load
        // the whole harness through index.ts.
        if (!path.startsWith(join(ROOT, 'harness') + '/') || path === INDEX || path === join(ROOT, 'harness/errors.ts')) continue;
        for (const n of names) if (sources.has(`${path}#${n}`)) deep.push(`${n} from ${relative(ROOT, path)}`);
      }
      expect(deep).toEqual([]);
    });
  }
});
