// The snapshot diff as its own process (run-diff.ts spawns it): parsing
// relay-sized snapshots takes hundreds of MiB, which must stay out of the
// harness's own (self-watched) heap.
//
//   node harness/attribute/diff-main.ts --out result.json [--requests N] [--project-root DIR] A B [C]
//
// Exit: 0 written; 2 bad arguments (the flag is named); 3 a snapshot that
// cannot be read or parsed (the file is named).

import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { diffSnapshots } from './snapshot-diff.ts';

function fail(code: number, message: string): never {
  process.stderr.write(`diff-main: ${message}\n`);
  process.exit(code);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, requests: { type: 'string' }, 'project-root': { type: 'string' } },
  });
}
try {
  parsed = parse();
} catch (err) {
  fail(2, (err as Error).message);
}
const { values, positionals } = parsed;
if (values.out === undefined) fail(2, '--out: required (where the JSON result goes)');
if (positionals.length < 2 || positionals.length > 3) fail(2, `expected 2 or 3 snapshot files, got ${positionals.length}`);
const requests = values.requests === undefined ? null : Number(values.requests);
if (requests !== null && (!Number.isInteger(requests) || requests < 0)) fail(2, `--requests: expected a whole number ≥ 0, got ${values.requests}`);
for (const file of positionals) if (!existsSync(file)) fail(3, `snapshot ${file}: no such file`);

try {
  const result = await diffSnapshots(positionals, { requests, projectRoot: resolve(values['project-root'] ?? process.cwd()) });
  writeFileSync(values.out, `${JSON.stringify(result)}\n`);
} catch (err) {
  fail(3, `snapshots ${positionals.join(', ')} could not be diffed: ${(err as Error).message}`);
}
